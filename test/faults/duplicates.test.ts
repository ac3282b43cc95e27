/**
 * One enquiry, one lead, through the built CLI: the same enquiry direct and forwarded as an
 * attachment, the same bytes appended again after they were finished, and a folder whose
 * UIDVALIDITY changed while a GenerateLead call had an unknown result.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { endToEndMail, type MailFile } from "../support/mail-corpus.js";
import { TEST_BEARER_TOKEN } from "../support/leadd-config.js";
import { FaultBench, KEYWORDS, journalRows, leakedSecrets, sha256, type JournalRow } from "./harness.js";

const skipReason = inject("dovecotUnavailable");
const leads = endToEndMail().files.filter((file) => file.expected !== null && file.expected.not_a_lead === false && file.expected.LeadPersonEmail);

/** Folder leadd reads in these tests: unlike INBOX it can be deleted, which gives it a new UIDVALIDITY. */
const INCOMING = "Incoming";

/** Wraps a message as a message/rfc822 attachment of a colleague's forward. */
function forwardAsAttachment(file: MailFile, index: number): Buffer {
  return Buffer.concat([
    Buffer.from(
      [
        "From: Kari Nordmann <kari.nordmann@aurora.example.com>",
        "To: leads@aurora.example.com",
        "Subject: Fwd: enquiry",
        `Message-ID: <forward-${index}@aurora.example.com>`,
        "Date: Fri, 04 Dec 2026 12:00:00 +0000",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="fwd-boundary"',
        "",
        "--fwd-boundary",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Please follow up on the attached enquiry.",
        "",
        "--fwd-boundary",
        "Content-Type: message/rfc822",
        "",
        "",
      ].join("\r\n"),
    ),
    file.raw,
    Buffer.from("\r\n--fwd-boundary--\r\n"),
  ]);
}

describe.skipIf(skipReason !== null)("one enquiry, one lead", () => {
  let bench: FaultBench;

  function rowsOf(raw: Buffer): JournalRow[] {
    return journalRows(bench.statePath).filter((row) => row.content_hash === sha256(raw));
  }

  async function once(): Promise<void> {
    const result = await bench.once();
    expect(result.code, result.stdout.slice(-3000) + result.stderr).toBe(0);
  }

  beforeAll(async () => {
    bench = await FaultBench.start();
    await bench.dovecot.createFolder(INCOMING);
    bench.writeConfig({ mailboxExtra: { folder: INCOMING } });
  });

  afterEach(() => {
    bench.standIn.setResponseDelay(null);
  });

  afterAll(async () => {
    await bench?.stop();
  });

  it("marks a forwarded copy duplicate", async () => {
    const direct = leads[0]!;
    const forward = forwardAsAttachment(direct, 0);
    await bench.dovecot.appendMessage(INCOMING, direct.raw);
    await bench.dovecot.appendMessage(INCOMING, forward);
    await once();

    expect(rowsOf(direct.raw).map((row) => row.outcome)).toEqual(["created"]);
    const [copy] = rowsOf(forward);
    expect(copy?.outcome).toBe("duplicate");
    expect(copy?.reason).toMatch(/^same enquiry as journal entry/);
    expect(bench.standIn.generateLeadRequests(direct.expected!.LeadPersonEmail!)).toHaveLength(1);
    const done = await bench.dovecot.listMessages("Leads/Done");
    expect(done.find((message) => message.messageId === copy?.message_id)?.flags).toContain(KEYWORDS.duplicate);
  });

  it("finishes re-appended bytes without a call", async () => {
    const file = leads[1]!;
    await bench.dovecot.appendMessage(INCOMING, file.raw);
    await once();
    await bench.dovecot.appendMessage(INCOMING, file.raw);
    await once();

    const rows = rowsOf(file.raw);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.outcome).toBe("created");
    expect(bench.standIn.generateLeadRequests(file.expected!.LeadPersonEmail!)).toHaveLength(1);
    expect(await bench.dovecot.listMessages(INCOMING)).toHaveLength(0);
  });

  it("keeps an unknown send across a UIDVALIDITY change", async () => {
    const file = leads[2]!;
    await bench.dovecot.appendMessage(INCOMING, file.raw);
    const leaddProcess = bench.spawn(["once", "-c", bench.configPath]);
    bench.standIn.setResponseDelay((request) => {
      if (!/generatelead/i.test(request.path)) return 0;
      leaddProcess.child.kill("SIGKILL");
      return 1_000;
    });
    expect((await leaddProcess.done).signal).toBe("SIGKILL");
    bench.standIn.setResponseDelay(null);
    const before = rowsOf(file.raw);
    expect(before.map((row) => row.step)).toEqual(["sending"]);

    // Recreating the folder gives it a new UIDVALIDITY, so the old UID names nothing.
    await bench.dovecot.deleteFolder(INCOMING);
    await bench.dovecot.createFolder(INCOMING);
    await bench.dovecot.appendMessage(INCOMING, file.raw);
    await once();

    const after = rowsOf(file.raw);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(before[0]!.id);
    expect(after[0]!.outcome).toBe("failed");
    expect(after[0]!.needs_review).toBe(1);
    expect(bench.standIn.generateLeadRequests(file.expected!.LeadPersonEmail!)).toHaveLength(1);
    const review = await bench.dovecot.listMessages("Leads/Review");
    expect(review.map((message) => message.messageId)).toEqual([after[0]!.message_id]);
  });

  it("leaks no secret in output", () => {
    expect(leakedSecrets(bench.transcript.join("\n"), [bench.dovecot.password, TEST_BEARER_TOKEN])).toEqual([]);
  });
});
