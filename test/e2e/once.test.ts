/**
 * End to end: real Dovecot, the SuperOffice stand-in and the built CLI as a child process.
 * Every sample, hold-out and shared corpus message goes into INBOX. `leadd once` must send
 * one GenerateLead per lead and none for the rest, and flag and move every message. A second
 * run must send nothing.
 */
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { logLines, runLeadd } from "../support/cli.js";
import { startDovecot, type DovecotServer } from "../support/dovecot.js";
import { endToEndMail } from "../support/mail-corpus.js";
import { FOLDERS, KEYWORDS } from "../support/outcome-defaults.js";
import { SuperOfficeStandIn } from "../support/superoffice-stand-in.js";
import { TEST_BEARER_TOKEN, writeTestConfig } from "../support/leadd-config.js";

const skipReason = inject("dovecotUnavailable");
const { files, corpusPresent } = endToEndMail();

const LEAD_MADE = new Set(["created", "matched", "ambiguous"]);

interface JournalRow {
  message_id: string | null;
  content_hash: string;
  step: string;
  outcome: string | null;
  request_json: string | null;
}

function journalRows(statePath: string): JournalRow[] {
  const db = new Database(statePath, { readonly: true });
  try {
    return db.prepare("SELECT message_id, content_hash, step, outcome, request_json FROM messages ORDER BY id").all() as JournalRow[];
  } finally {
    db.close();
  }
}

function sha256(raw: Buffer): string {
  return createHash("sha256").update(raw).digest("hex");
}

describe.skipIf(skipReason !== null)("leadd once end to end", () => {
  let dovecot: DovecotServer;
  let standIn: SuperOfficeStandIn;
  let dir: string;
  let configPath: string;
  const env = () => ({ TEST_IMAP_PASSWORD: dovecot.password });

  beforeAll(async () => {
    expect(files.length).toBeGreaterThan(0);
    dovecot = await startDovecot();
    standIn = await SuperOfficeStandIn.start({ bearerTokens: [TEST_BEARER_TOKEN] });
    dir = mkdtempSync(join(tmpdir(), "leadd-e2e-"));
    configPath = writeTestConfig({ dir, dovecot, superofficeUrl: standIn.url });
    for (const file of files) await dovecot.appendMessage("INBOX", file.raw);
  });

  afterAll(async () => {
    await dovecot?.stop();
    await standIn?.stop();
  });

  it("processes every message once", async () => {
    const result = await runLeadd(["once", "-c", configPath], { env: env() });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);

    const lines = logLines(result.stdout);
    expect(lines.filter((line) => line.msg === "cycle started")).toHaveLength(1);
    const finish = lines.filter((line) => line.msg === "cycle finished");
    expect(finish).toHaveLength(1);
    expect(finish[0]!.durationMs).toEqual(expect.any(Number));
    expect(result.stdout).not.toContain(dovecot.password);
    expect(result.stdout).not.toContain(TEST_BEARER_TOKEN);

    const rows = journalRows(join(dir, "state", "leadd.db"));
    const byHash = new Map(rows.map((row) => [row.content_hash, row]));
    const requests = standIn.generateLeadRequests();

    // One journal entry, finished, per appended message.
    for (const file of files) {
      const row = byHash.get(sha256(file.raw));
      expect(row, `journal entry for ${file.path}`).toBeDefined();
      expect(row!.step, file.path).toBe("done");
    }

    // Exactly one GenerateLead request per message whose outcome means a lead was made.
    const made = rows.filter((row) => row.outcome !== null && LEAD_MADE.has(row.outcome));
    expect(requests).toHaveLength(made.length);
    const sentBodies = requests.map((request) => JSON.stringify(request.json));
    for (const row of made) {
      expect(sentBodies.filter((body) => body === JSON.stringify(JSON.parse(row.request_json!)))).toHaveLength(1);
    }
    for (const request of requests) expect(request.headers.authorization).toBe(`Bearer ${TEST_BEARER_TOKEN}`);

    // The expected files mark which messages are leads: those must not be ignored, the others must be.
    for (const file of files.filter((f) => f.expected !== null)) {
      const row = byHash.get(sha256(file.raw))!;
      if (file.expected!.not_a_lead) expect(row.outcome, file.path).toBe("not-lead");
      else expect(["created", "matched", "ambiguous", "duplicate"], file.path).toContain(row.outcome);
    }
  });

  it("flags and moves every message by its outcome", async () => {
    const rows = journalRows(join(dir, "state", "leadd.db"));
    const folders = new Map<string, Awaited<ReturnType<DovecotServer["listMessages"]>>>();
    for (const folder of new Set(Object.values(FOLDERS))) {
      folders.set(folder, await dovecot.listMessages(folder).catch(() => []));
    }
    for (const file of files) {
      const row = rows.find((r) => r.content_hash === sha256(file.raw))!;
      const folder = FOLDERS[row.outcome!]!;
      const found = folders.get(folder)!.filter((message) => row.message_id !== null && message.messageId === row.message_id);
      expect(found.length, `${file.path} in ${folder}`).toBeGreaterThanOrEqual(1);
      expect(found.some((message) => message.flags.includes(KEYWORDS[row.outcome!]!)), `${file.path} keyword`).toBe(true);
    }
    const inbox = folders.get("INBOX")!;
    for (const message of inbox) expect(message.flags, "INBOX holds only ignored mail").toContain("$LeadIgnored");
  });

  it("sends nothing on a second run", async () => {
    const before = standIn.generateLeadRequests().length;
    const result = await runLeadd(["once", "-c", configPath], { env: env() });
    expect(result.code).toBe(0);
    expect(standIn.generateLeadRequests()).toHaveLength(before);
  });

  it("sends what leadd parse shows", async () => {
    const rows = journalRows(join(dir, "state", "leadd.db"));
    const parsed = await runLeadd(["parse", "--json", "-c", configPath, ...files.map((file) => file.path)], { env: env() });
    expect(parsed.code).toBe(0);
    const bySource = new Map(
      parsed.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { source: string; request: unknown })
        .map((row) => [row.source, row.request]),
    );
    let compared = 0;
    for (const file of files) {
      const row = rows.find((r) => r.content_hash === sha256(file.raw))!;
      if (row.request_json === null) continue;
      expect(bySource.get(file.path), file.path).toEqual(JSON.parse(row.request_json));
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
  });

  it.skipIf(!corpusPresent)("covers the shared corpus", () => {
    expect(files.some((file) => file.path.includes("corpus"))).toBe(true);
  });
});

describe.skipIf(skipReason !== null)("leadd once --dry-run", () => {
  let dovecot: DovecotServer;
  let standIn: SuperOfficeStandIn;
  let configPath: string;

  beforeAll(async () => {
    dovecot = await startDovecot();
    standIn = await SuperOfficeStandIn.start({ bearerTokens: [TEST_BEARER_TOKEN] });
    const dir = mkdtempSync(join(tmpdir(), "leadd-dry-"));
    configPath = writeTestConfig({ dir, dovecot, superofficeUrl: standIn.url });
    for (const file of files) await dovecot.appendMessage("INBOX", file.raw);
  });

  afterAll(async () => {
    await dovecot?.stop();
    await standIn?.stop();
  });

  it("changes nothing on either server", async () => {
    const before = await dovecot.listMessages("INBOX");
    const result = await runLeadd(["once", "--dry-run", "-c", configPath], { env: { TEST_IMAP_PASSWORD: dovecot.password } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("DRY-RUN: would POST /api/v1/Agents/Appointment/GenerateLead");
    expect(result.stdout).toContain("DRY-RUN: would move the message to Leads/Done");
    expect(standIn.requests).toHaveLength(0);
    const after = await dovecot.listMessages("INBOX");
    expect(after).toEqual(before);
    await expect(dovecot.listMessages("Leads/Done")).rejects.toThrow();
  });
});
