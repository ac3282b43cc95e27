/**
 * Poison messages through the built CLI: one over limits.maxMessageBytes, one whose deeply
 * nested HTML keeps the parser past limits.parseTimeoutMs (the worker thread is terminated),
 * and one that is not mail at all. Each is quarantined with its reason in the log and the
 * journal while the other messages are processed; `leadd replay` with larger limits then
 * gives the first two their real outcome.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { endToEndMail, type MailFile } from "../support/mail-corpus.js";
import { TEST_BEARER_TOKEN } from "../support/leadd-config.js";
import { FaultBench, KEYWORDS, journalRows, leakedSecrets, logLines, sha256, type JournalRow } from "./harness.js";

const skipReason = inject("dovecotUnavailable");
const leads = endToEndMail().files.filter((file) => file.expected !== null && file.expected.not_a_lead === false && file.expected.LeadPersonEmail);

const MAX_MESSAGE_BYTES = 3 * 1024 * 1024;
/** Well above a normal message's analysis time, far below the nested HTML's (several seconds). */
const PARSE_TIMEOUT_MS = 1_500;
/** Element depth of the hostile body: mailparser and html-to-text take seconds on it. */
const NESTING = 200_000;

function enquiry(name: string, contentType: string, body: string): Buffer {
  return Buffer.from(
    [
      "From: Anna Berg <anna.berg@fjordtech.example.no>",
      "To: leads@example.com",
      `Subject: Meeting rooms for our Oslo office (${name})`,
      `Message-ID: <${name}@poison.example.com>`,
      "Date: Fri, 04 Dec 2026 10:00:00 +0000",
      "MIME-Version: 1.0",
      `Content-Type: ${contentType}`,
      "",
      body,
    ].join("\r\n"),
  );
}

function text(rooms: number): string {
  return `Hello,\r\n\r\nwe need video equipment for ${rooms} meeting rooms in Oslo. Please call me.\r\n\r\nAnna Berg\r\nFjordtech AS\r\n+47 912 34 567\r\n`;
}

/** Builds a lead with a 4 MB attachment, over MAX_MESSAGE_BYTES. */
function oversize(): Buffer {
  const attachment = Buffer.alloc(4 * 1024 * 1024, 7).toString("base64").replace(/(.{76})/g, "$1\r\n");
  return enquiry(
    "oversize",
    'multipart/mixed; boundary="b1"',
    `--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text(10)}\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="floor-plan.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--b1--\r\n`,
  );
}

/** About 2 MB of nested HTML around the enquiry text. */
function nestedHtml(): Buffer {
  return enquiry("nested", "text/html; charset=utf-8", `${"<div>".repeat(NESTING)}${text(12).replace(/\r\n/g, "<br>")}${"</div>".repeat(NESTING)}`);
}

const NOT_MAIL = Buffer.from("this is not an e-mail message\r\nand it has no header lines at all\r\n");

describe.skipIf(skipReason !== null)("poison messages", () => {
  let bench: FaultBench;
  const good: MailFile[] = leads.slice(0, 3);
  const poison = { oversize: oversize(), nested: nestedHtml(), notMail: NOT_MAIL };

  function rowOf(raw: Buffer): JournalRow | undefined {
    return journalRows(bench.statePath).find((row) => row.content_hash === sha256(raw));
  }

  function rowByMessageId(messageId: string): JournalRow[] {
    return journalRows(bench.statePath).filter((row) => row.message_id === messageId);
  }

  beforeAll(async () => {
    bench = await FaultBench.start();
    bench.writeConfig({ extra: { limits: { maxMessageBytes: MAX_MESSAGE_BYTES, parseTimeoutMs: PARSE_TIMEOUT_MS } } });
    await bench.dovecot.appendMessage("INBOX", good[0]!.raw);
    await bench.dovecot.appendMessage("INBOX", poison.oversize);
    await bench.dovecot.appendMessage("INBOX", good[1]!.raw);
    await bench.dovecot.appendMessage("INBOX", poison.nested);
    await bench.dovecot.appendMessage("INBOX", poison.notMail);
    await bench.dovecot.appendMessage("INBOX", good[2]!.raw);
  });

  afterAll(async () => {
    await bench?.stop();
  });

  it("quarantines poison and processes the rest", { timeout: 120_000 }, async () => {
    const result = await bench.once();
    expect(result.code, result.stdout.slice(-3000)).toBe(0);
    const lines = logLines(result.stdout).filter((line) => line.msg === "message quarantined");

    for (const file of good) {
      const row = rowOf(file.raw);
      expect(row?.outcome, `${file.path}: ${row?.reason}`).toBe("created");
      expect(row?.step, file.path).toBe("done");
    }

    const [oversized] = rowByMessageId("<oversize@poison.example.com>");
    expect(oversized?.outcome).toBe("quarantined");
    expect(oversized?.reason).toMatch(/over the limit of 3145728 \(limits\.maxMessageBytes\)/);
    expect(lines.some((line) => String(line.reason).includes("limits.maxMessageBytes"))).toBe(true);

    const nested = rowOf(poison.nested);
    expect(nested?.outcome).toBe("quarantined");
    expect(nested?.reason).toMatch(/longer than 1500 ms \(limits\.parseTimeoutMs\)/);
    expect(lines.some((line) => String(line.reason).includes("limits.parseTimeoutMs"))).toBe(true);

    const notMail = rowOf(poison.notMail);
    expect(notMail?.outcome).toBe("quarantined");
    expect(notMail?.reason).toMatch(/not an e-mail message/);
    expect(lines).toHaveLength(3);

    const quarantine = await bench.dovecot.listMessages("Leads/Quarantine");
    expect(quarantine).toHaveLength(3);
    for (const message of quarantine) expect(message.flags).toContain(KEYWORDS.quarantined);
  });

  it("replays quarantined mail with larger limits", { timeout: 180_000 }, async () => {
    bench.writeConfig({ extra: { limits: { maxMessageBytes: 10 * MAX_MESSAGE_BYTES, parseTimeoutMs: 120_000 } } });
    const result = await bench.run(["replay", "-c", bench.configPath, "--outcome", "quarantined"], { timeoutMs: 170_000 });
    expect(result.code, result.stdout.slice(-3000) + result.stderr).toBe(0);

    // The entry made when it was quarantined unread is the one replay finishes: no second entry.
    const oversized = rowByMessageId("<oversize@poison.example.com>");
    expect(oversized.map((row) => row.outcome)).toEqual(["created"]);
    expect(rowOf(poison.nested)?.outcome).not.toBe("quarantined");
    expect(rowOf(poison.notMail)?.outcome).toBe("quarantined");
    expect(bench.standIn.generateLeadRequests("anna.berg@fjordtech.example.no").length).toBeGreaterThanOrEqual(1);

    const quarantine = await bench.dovecot.listMessages("Leads/Quarantine");
    expect(quarantine.map((message) => message.messageId)).toEqual([null]);
    // Keywords are only added, so the replayed message keeps the one of its earlier outcome.
    const done = await bench.dovecot.listMessages("Leads/Done");
    const replayed = done.find((message) => message.messageId === "<oversize@poison.example.com>");
    expect(replayed?.flags).toEqual([KEYWORDS.created, KEYWORDS.quarantined].sort());
  });

  it("leaks no secret in output", () => {
    expect(leakedSecrets(bench.transcript.join("\n"), [bench.dovecot.password, TEST_BEARER_TOKEN])).toEqual([]);
  });
});
