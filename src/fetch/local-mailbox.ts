import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { open, readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { LeaddError } from "../errors.js";
import type { Mailbox, MailboxMessage } from "./mailbox.js";

/**
 * A read-only mailbox over a local folder of `.eml` files or a Maildir, for trying leadd
 * (the demo, `--dry-run`) without a mail server. UIDs are positions in name order, so the
 * folder must not change during a run. Writes fail: run it with `--dry-run`.
 */
export function createLocalMailbox(options: { name: string; type: "folder" | "maildir"; path: string }): Mailbox {
  const root = resolve(options.path);
  let files: string[] = [];

  const readOnly = (action: string) =>
    new LeaddError("IMAP_COMMAND_FAILED", `Mailbox "${options.name}" reads the local folder ${root} and cannot ${action}. Run with --dry-run, or point the mailbox at an IMAP server.`, { details: { path: root } });

  return {
    async connect() {
      if (!existsSync(root)) {
        throw new LeaddError("IMAP_CONNECTION_FAILED", `Local mailbox folder ${root} of mailbox "${options.name}" does not exist. Check mailboxes[].source.path.`, { details: { path: root } });
      }
      files = options.type === "maildir" ? await listMaildir(root) : await listEml(root);
    },
    async close() {},
    async ensureFolders() {},
    async listPending(): Promise<{ uidValidity: string; messages: MailboxMessage[] }> {
      const messages: MailboxMessage[] = [];
      for (const [index, file] of files.entries()) {
        const info = await stat(file);
        messages.push({ uid: index + 1, messageId: await readMessageId(file), size: info.size, flags: [], internalDate: info.mtime });
      }
      return { uidValidity: createHash("sha256").update(root).digest("hex").slice(0, 16), messages };
    },
    async fetchSource(_folder: string, uid: number, maxBytes: number) {
      const file = files[uid - 1];
      if (!file) throw new LeaddError("IMAP_COMMAND_FAILED", `No message ${uid} in ${root}`, { details: { vanished: true } });
      const raw = await readFile(file);
      if (raw.length > maxBytes) {
        throw new LeaddError("MESSAGE_TOO_LARGE", `${file} is ${raw.length} bytes, over the limit of ${maxBytes} (limits.maxMessageBytes)`, { details: { size: raw.length, maxBytes } });
      }
      return raw;
    },
    async addKeywords() {
      throw readOnly("set keywords");
    },
    async move() {
      throw readOnly("move messages");
    },
    async append() {
      throw readOnly("append messages");
    },
  };
}

async function listEml(root: string): Promise<string[]> {
  const names = (await readdir(root)).filter((name) => name.toLowerCase().endsWith(".eml")).sort();
  return names.map((name) => join(root, name));
}

async function listMaildir(root: string): Promise<string[]> {
  const files: string[] = [];
  for (const sub of ["new", "cur"]) {
    const folder = join(root, sub);
    if (!existsSync(folder)) continue;
    for (const name of (await readdir(folder)).sort()) files.push(join(folder, name));
  }
  return files;
}

/** Bytes read to find the Message-ID; header blocks of real mail fit well within them. */
const HEADER_SCAN_BYTES = 64 * 1024;

/** Read the Message-ID header from the start of a file, as an IMAP server's envelope would give it. */
async function readMessageId(file: string): Promise<string | null> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(HEADER_SCAN_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_SCAN_BYTES, 0);
    const text = buffer.subarray(0, bytesRead).toString("latin1");
    const headerEnd = text.search(/\r?\n\r?\n/);
    const headers = (headerEnd === -1 ? text : text.slice(0, headerEnd)).replace(/\r?\n[ \t]+/g, " ");
    return /^message-id:\s*(<[^>\s]+>)/im.exec(headers)?.[1] ?? null;
  } finally {
    await handle.close();
  }
}
