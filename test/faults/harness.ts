/**
 * Shared setup of the fault-injection tests: Dovecot, the SuperOffice stand-in, a leadd
 * config in a temporary folder, the built CLI as a child process whose output is kept for
 * the secrets check, and readers for the journal and the mailbox.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { CLI, REPO_ROOT, assertBuilt, logLines, type CliResult } from "../support/cli.js";
import { startDovecot, type DovecotServer, type StoredMessage } from "../support/dovecot.js";
import { TEST_BEARER_TOKEN, writeTestConfig, type TestConfigOptions } from "../support/leadd-config.js";
import { SuperOfficeStandIn, type StandInOptions } from "../support/superoffice-stand-in.js";

export { logLines };
import { FOLDERS } from "../support/outcome-defaults.js";

export { FOLDERS, KEYWORDS } from "../support/outcome-defaults.js";

export const REVIEW_FOLDER = "Leads/Review";
export const ALL_FOLDERS = ["INBOX", "Leads/Done", "Leads/Review", "Leads/Failed", "Leads/Quarantine"];
export const LEAD_MADE = new Set(["created", "matched", "ambiguous"]);

/** Small waits so that a test with many retries still runs in seconds. */
export const FAST_RETRY = { attempts: 3, baseDelayMs: 10, maxDelayMs: 200 };

export interface JournalRow {
  id: number;
  uid: number;
  folder: string;
  message_id: string | null;
  content_hash: string;
  step: string;
  outcome: string | null;
  reason: string | null;
  needs_review: number;
  request_json: string | null;
  attempts: number;
}

/** Reads every journal entry; empty when the state file does not exist yet. */
export function journalRows(statePath: string): JournalRow[] {
  let db: Database.Database;
  try {
    db = new Database(statePath, { readonly: true, fileMustExist: true });
  } catch {
    return [];
  }
  try {
    return db.prepare("SELECT id, uid, folder, message_id, content_hash, step, outcome, reason, needs_review, request_json, attempts FROM messages ORDER BY id").all() as JournalRow[];
  } finally {
    db.close();
  }
}

/** Moves a journal entry's first-seen time into the past, as if it had waited that long. */
export function ageJournalEntries(statePath: string, hours: number): void {
  const db = new Database(statePath);
  try {
    db.prepare("UPDATE messages SET first_seen_at = ?").run(new Date(Date.now() - hours * 3_600_000).toISOString());
  } finally {
    db.close();
  }
}

export function sha256(raw: Buffer): string {
  return createHash("sha256").update(raw).digest("hex");
}

/** Seeded PRNG (mulberry32), so that a failing run can be repeated with the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Lists folder and flags of every copy of each Message-ID across the given folders. */
export async function mailboxPlaces(dovecot: DovecotServer, folders = ALL_FOLDERS): Promise<Map<string, Array<{ folder: string } & StoredMessage>>> {
  const places = new Map<string, Array<{ folder: string } & StoredMessage>>();
  for (const folder of folders) {
    const messages = await dovecot.listMessages(folder).catch(() => [] as StoredMessage[]);
    for (const message of messages) {
      const key = message.messageId ?? `(no Message-ID) ${folder} ${message.uid}`;
      const list = places.get(key) ?? [];
      list.push({ folder, ...message });
      places.set(key, list);
    }
  }
  return places;
}

/** Returns the folder a journal outcome puts a message in: review for an unknown send, else the outcome's folder. */
export function expectedFolder(row: JournalRow): string {
  if (row.needs_review === 1) return REVIEW_FOLDER;
  return FOLDERS[row.outcome!]!;
}

/** A running leadd child process; `done` resolves when it exits. */
export interface LeaddProcess {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** Output so far, stdout and stderr together. */
  output(): string;
}

/**
 * One fault-test environment: Dovecot, the stand-in and a config. Every CLI run's output is
 * kept in `transcript`, which the secrets check of each file reads at the end.
 */
export class FaultBench {
  readonly transcript: string[] = [];
  dovecot!: DovecotServer;
  standIn!: SuperOfficeStandIn;
  dir!: string;
  configPath!: string;

  static async start(options: { standIn?: StandInOptions } = {}): Promise<FaultBench> {
    const bench = new FaultBench();
    bench.dovecot = await startDovecot();
    bench.standIn = await SuperOfficeStandIn.start({ bearerTokens: [TEST_BEARER_TOKEN], ...options.standIn });
    bench.dir = mkdtempSync(join(tmpdir(), "leadd-faults-"));
    bench.writeConfig();
    return bench;
  }

  get statePath(): string {
    return join(this.dir, "state", "leadd.db");
  }

  /** Writes (or rewrites) the config; `options` go to writeTestConfig. */
  writeConfig(options: Partial<Omit<TestConfigOptions, "dir" | "dovecot">> = {}): string {
    this.configPath = writeTestConfig({
      dir: this.dir,
      dovecot: this.dovecot,
      superofficeUrl: this.standIn.url,
      ...options,
      superofficeExtra: { retry: FAST_RETRY, ...options.superofficeExtra },
    });
    return this.configPath;
  }

  env(password = this.dovecot.password): NodeJS.ProcessEnv {
    return { TEST_IMAP_PASSWORD: password };
  }

  /** Starts the built CLI; its output goes to the transcript when it exits. */
  spawn(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): LeaddProcess {
    assertBuilt();
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, LEADD_CONFIG: "", ...this.env(), ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    const done = new Promise<CliResult>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        this.transcript.push(`$ leadd ${args.join(" ")}\n${stdout}\n${stderr}`);
        resolve({ code, signal, stdout, stderr });
      });
    });
    return { child, done, output: () => stdout + stderr };
  }

  run(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
    return this.spawn(args, options).done;
  }

  once(options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
    return this.run(["once", "-c", this.configPath], options);
  }

  async stop(): Promise<void> {
    await this.dovecot?.stop();
    await this.standIn?.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** Resolves when `predicate` holds for the process output, or rejects after `timeoutMs`. */
export async function waitForOutput(process: LeaddProcess, predicate: (output: string) => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(process.output())) {
    if (Date.now() > deadline) throw new Error(`leadd output did not show the expected line within ${timeoutMs} ms:\n${process.output().slice(-3000)}`);
    if (process.child.exitCode !== null || process.child.signalCode !== null) throw new Error(`leadd exited before the expected line:\n${process.output().slice(-3000)}`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Returns the secrets among `secrets` that appear in `text`. */
export function leakedSecrets(text: string, secrets: string[]): string[] {
  return secrets.filter((secret) => secret.length > 0 && text.includes(secret));
}
