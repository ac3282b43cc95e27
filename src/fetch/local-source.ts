import { open, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

/** Bytes read from the start of a file to tell mbox from a single message. */
const SNIFF_BYTES = 64;

/**
 * Reads messages from local paths: single .eml files, folders of them, Maildir folders
 * (cur/ and new/) and mbox files. A path that cannot be read yields an empty buffer so
 * the caller can report it; `source` names the file, or `file#N` for the Nth mbox message.
 */
export async function* readLocalMessages(paths: string[]): AsyncGenerator<{ source: string; raw: Buffer }> {
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      yield { source: path, raw: Buffer.alloc(0) };
      continue;
    }
    if (info.isDirectory()) {
      yield* readFolder(path);
    } else if (await isMbox(path)) {
      yield* readMbox(path);
    } else {
      yield { source: path, raw: await readFile(path).catch(() => Buffer.alloc(0)) };
    }
  }
}

async function* readFolder(dir: string): AsyncGenerator<{ source: string; raw: Buffer }> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names = entries.map((entry) => entry.name).sort();
  const isMaildir = names.includes("cur") && names.includes("new");
  if (isMaildir) {
    for (const sub of ["new", "cur"]) yield* readFolder(join(dir, sub));
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith(".") && entry.name !== "tmp") yield* readFolder(path);
    } else if (entry.isFile() && (/\.(eml|msg)$/i.test(entry.name) || /\/(cur|new)$/.test(dir))) {
      yield { source: path, raw: await readFile(path).catch(() => Buffer.alloc(0)) };
    } else if (entry.isFile() && /\.mbox$/i.test(entry.name)) {
      yield* readMbox(path);
    }
  }
}

async function isMbox(path: string): Promise<boolean> {
  const handle = await open(path, "r").catch(() => null);
  if (!handle) return false;
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString("latin1").startsWith("From ");
  } finally {
    await handle.close();
  }
}

/** Splits an mbox file at "From " lines and undoes ">From " quoting (mboxrd). */
async function* readMbox(path: string): AsyncGenerator<{ source: string; raw: Buffer }> {
  const text = (await readFile(path).catch(() => Buffer.alloc(0))).toString("latin1");
  const starts: number[] = [];
  const pattern = /^From [^\n]*\n/gm;
  for (const match of text.matchAll(pattern)) starts.push(match.index);
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    const headerEnd = text.indexOf("\n", start) + 1;
    const end = starts[i + 1] ?? text.length;
    const body = text.slice(headerEnd, end).replace(/^>(>*From )/gm, "$1");
    yield { source: `${path}#${i + 1}`, raw: Buffer.from(body, "latin1") };
  }
}
