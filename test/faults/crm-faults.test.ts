/**
 * CRM faults through the built CLI: the stand-in returns 5xx, 429 with Retry-After, 421,
 * hangs, or returns 200 with a null body or with a Message. No enquiry makes two leads, every message
 * reaches an outcome (some failed for a retry that a later cycle finishes), the circuit
 * breaker stops calls, and failedRetryHours gives up. Uses SOTicket auth with an app token,
 * so the secrets check covers those too.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { endToEndMail, type MailFile } from "../support/mail-corpus.js";
import {
  FaultBench,
  KEYWORDS,
  ageJournalEntries,
  journalRows,
  leakedSecrets,
  logLines,
  sha256,
  type JournalRow,
} from "./harness.js";

const skipReason = inject("dovecotUnavailable");
const leads = endToEndMail().files.filter((file) => file.expected !== null && file.expected.not_a_lead === false && file.expected.LeadPersonEmail);

const TICKET = "7T:ZmF1bHQtdGVzdC10aWNrZXQ=";
const APP_TOKEN = "fault-test-app-token-91c3";
const BREAKER_FAILURES = 2;

describe.skipIf(skipReason !== null)("CRM faults", () => {
  let bench: FaultBench;
  let next = 0;

  /** Appends the next unused lead message to INBOX. */
  async function appendLead(): Promise<MailFile> {
    const file = leads[next++];
    if (!file) throw new Error("the corpus has too few lead messages for the CRM fault tests");
    await bench.dovecot.appendMessage("INBOX", file.raw);
    return file;
  }

  function rowOf(file: MailFile): JournalRow {
    const row = journalRows(bench.statePath).find((r) => r.content_hash === sha256(file.raw));
    if (!row) throw new Error(`no journal entry for ${file.path}`);
    return row;
  }

  function callsFor(file: MailFile): number {
    return bench.standIn.generateLeadRequests(file.expected!.LeadPersonEmail!).length;
  }

  /** Leads the stand-in really made for this message's e-mail address. */
  function leadsMadeFor(file: MailFile): number {
    const email = file.expected!.LeadPersonEmail!.toLowerCase();
    return bench.standIn.data.leads.filter((lead) => String(lead.request.LeadPersonEmail).toLowerCase() === email).length;
  }

  async function folderOf(file: MailFile): Promise<{ folder: string; flags: string[] }> {
    const messageId = rowOf(file).message_id;
    for (const folder of ["INBOX", "Leads/Done", "Leads/Review", "Leads/Failed", "Leads/Quarantine"]) {
      const found = (await bench.dovecot.listMessages(folder).catch(() => [])).find((message) => message.messageId === messageId);
      if (found) return { folder, flags: found.flags };
    }
    throw new Error(`${file.path} is in no folder`);
  }

  function writeConfig(superofficeExtra: Record<string, unknown> = {}): void {
    bench.writeConfig({
      superofficeExtra: {
        auth: { type: "soticket", ticket: TICKET },
        appToken: APP_TOKEN,
        timeoutMs: 1000,
        circuitBreaker: { failures: BREAKER_FAILURES },
        ...superofficeExtra,
      },
    });
  }

  async function once() {
    const result = await bench.once();
    expect(result.code, result.stdout.slice(-3000) + result.stderr).toBe(0);
    return result;
  }

  beforeAll(async () => {
    bench = await FaultBench.start({ standIn: { tickets: [TICKET], appToken: APP_TOKEN } });
    writeConfig();
  });

  afterAll(async () => {
    await bench?.stop();
  });

  it("retries 503 and makes one lead", async () => {
    const file = await appendLead();
    bench.standIn.fail({ type: "status", status: 503 }, { path: "GenerateLead", times: 2 });
    await once();
    expect(rowOf(file).outcome).toBe("created");
    expect(callsFor(file)).toBe(3);
    expect(leadsMadeFor(file)).toBe(1);
    expect(await folderOf(file)).toEqual({ folder: "Leads/Done", flags: [KEYWORDS.created] });
  });

  it("sends a 500 to review without resending", async () => {
    const file = await appendLead();
    bench.standIn.fail({ type: "status", status: 500 }, { path: "GenerateLead" });
    await once();
    const row = rowOf(file);
    expect(row.outcome).toBe("failed");
    expect(row.needs_review).toBe(1);
    expect(row.reason).toMatch(/^unknown whether the lead was created/);
    expect(callsFor(file)).toBe(1);
    expect((await folderOf(file)).folder).toBe("Leads/Review");
  });

  it("honours Retry-After on 429", async () => {
    writeConfig({ retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 5000 } });
    const file = await appendLead();
    bench.standIn.fail({ type: "retry-after", retryAfter: "1" }, { path: "GenerateLead" });
    const result = await once();
    writeConfig();
    const retries = logLines(result.stdout).filter((line) => line.msg === "SuperOffice call failed, retrying");
    expect(retries).toHaveLength(1);
    expect(retries[0]!.status).toBe(429);
    expect(retries[0]!.delayMs).toBe(1000);
    expect(rowOf(file).outcome).toBe("created");
    expect(leadsMadeFor(file)).toBe(1);
  });

  it("caps Retry-After at maxDelayMs", async () => {
    const file = await appendLead();
    bench.standIn.fail({ type: "retry-after", retryAfter: "3600" }, { path: "GenerateLead" });
    const result = await once();
    const retries = logLines(result.stdout).filter((line) => line.msg === "SuperOffice call failed, retrying");
    expect(retries.map((line) => line.delayMs)).toEqual([200]);
    expect(rowOf(file).outcome).toBe("created");
  });

  it("backs off with jitter under the cap", async () => {
    const file = await appendLead();
    bench.standIn.fail({ type: "status", status: 503 }, { path: "GenerateLead", times: 2 });
    const result = await once();
    const delays = logLines(result.stdout)
      .filter((line) => line.msg === "SuperOffice call failed, retrying")
      .map((line) => line.delayMs as number);
    expect(delays).toHaveLength(2);
    // Full jitter: retry n waits between 0 and min(200, 10 * 2^(n-1)) ms.
    expect(delays[0]).toBeLessThan(10);
    expect(delays[1]).toBeLessThan(20);
    expect(rowOf(file).outcome).toBe("created");
  });

  it("sends a timed-out call to review", async () => {
    const file = await appendLead();
    bench.standIn.fail({ type: "hang" }, { path: "GenerateLead" });
    await once();
    const row = rowOf(file);
    expect(row.outcome).toBe("failed");
    expect(row.needs_review).toBe(1);
    expect(row.reason).toMatch(/timed out after 1000 ms/);
    expect(callsFor(file)).toBe(1);
    expect((await folderOf(file)).folder).toBe("Leads/Review");
  });

  it("sends a 200 null body to review", async () => {
    const file = await appendLead();
    bench.standIn.fail({ type: "null-body" }, { path: "GenerateLead" });
    await once();
    const row = rowOf(file);
    expect(row.outcome).toBe("failed");
    expect(row.needs_review).toBe(1);
    expect(callsFor(file)).toBe(1);
    expect(await folderOf(file)).toEqual({ folder: "Leads/Review", flags: [KEYWORDS.failed] });
  });

  it("fails a 200 Message body at once", async () => {
    const file = await appendLead();
    bench.standIn.fail({ type: "message", message: "The request is invalid.", detail: "Relation 3 does not exist" }, { path: "GenerateLead" });
    await once();
    const row = rowOf(file);
    expect(row.outcome).toBe("failed");
    expect(row.needs_review).toBe(0);
    expect(row.reason).toContain("Relation 3 does not exist");
    expect(callsFor(file)).toBe(1);
    expect(await folderOf(file)).toEqual({ folder: "Leads/Failed", flags: [KEYWORDS.failed] });
  });

  it("keeps a failed message for the next cycle", async () => {
    const file = await appendLead();
    bench.standIn.fail({ type: "status", status: 503 }, { path: "GenerateLead", times: 3 });
    await once();
    let row = rowOf(file);
    expect(row.step).toBe("retry");
    expect(row.outcome).toBe("failed");
    expect(callsFor(file)).toBe(3);
    expect(await folderOf(file)).toEqual({ folder: "INBOX", flags: [KEYWORDS.failed] });

    await once();
    row = rowOf(file);
    expect(row.step).toBe("done");
    expect(row.outcome).toBe("created");
    expect(callsFor(file)).toBe(4);
    expect(leadsMadeFor(file)).toBe(1);
    // Keywords are only added, so $LeadFailed from the failed cycle stays beside $LeadCreated.
    expect(await folderOf(file)).toEqual({ folder: "Leads/Done", flags: [KEYWORDS.created, KEYWORDS.failed].sort() });
  });

  it("stops CRM calls when the breaker opens", async () => {
    const files = [await appendLead(), await appendLead(), await appendLead(), await appendLead()];
    bench.standIn.fail({ type: "status", status: 503 }, { path: "GenerateLead", times: Infinity });
    const before = bench.standIn.generateLeadRequests().length;
    const result = await once();
    bench.standIn.clearFaults();

    // Each failed message used its three attempts; then the breaker stopped every call.
    expect(bench.standIn.generateLeadRequests().length - before).toBe(BREAKER_FAILURES * 3);
    expect(logLines(result.stdout).some((line) => line.msg === "SuperOffice failed too often in a row, pausing CRM calls until the next cycle")).toBe(true);
    const rows = files.map(rowOf);
    expect(rows.map((row) => row.step)).toEqual(["retry", "retry", "seen", "seen"]);
    expect((await folderOf(files[2]!)).flags).toEqual([]);
    expect((await folderOf(files[3]!)).flags).toEqual([]);

    await once();
    for (const file of files) {
      expect(rowOf(file).outcome, file.path).toBe("created");
      expect(leadsMadeFor(file), file.path).toBe(1);
      expect((await folderOf(file)).folder).toBe("Leads/Done");
    }
  });

  it("gives up after failedRetryHours", async () => {
    const file = await appendLead();
    bench.standIn.fail({ type: "status", status: 503 }, { path: "GenerateLead", times: 3 });
    await once();
    expect(rowOf(file).step).toBe("retry");
    const calls = callsFor(file);

    writeConfig({ failedRetryHours: 1 });
    ageJournalEntries(bench.statePath, 2);
    await once();
    writeConfig();
    const row = rowOf(file);
    expect(row.step).toBe("done");
    expect(row.outcome).toBe("failed");
    expect(row.reason).toMatch(/^gave up after 1 hours of retries/);
    expect(callsFor(file)).toBe(calls);
    expect(await folderOf(file)).toEqual({ folder: "Leads/Failed", flags: [KEYWORDS.failed] });
  });

  it("gives up at once with failedRetryHours 0", async () => {
    const file = await appendLead();
    bench.standIn.fail({ type: "status", status: 503 }, { path: "GenerateLead", times: 3 });
    await once();
    const calls = callsFor(file);
    writeConfig({ failedRetryHours: 0 });
    await once();
    writeConfig();
    expect(rowOf(file).outcome).toBe("failed");
    expect(callsFor(file)).toBe(calls);
    expect((await folderOf(file)).folder).toBe("Leads/Failed");
  });

  // Last: after the move every new leadd process meets one 421 per call, which would skew the counts above.
  it("follows a 421 to the tenant's new host", async () => {
    const newUrl = await bench.standIn.moveTenant();
    const file = await appendLead();
    await once();
    expect(rowOf(file).outcome).toBe("created");
    const calls = bench.standIn.generateLeadRequests(file.expected!.LeadPersonEmail!);
    expect(calls.map((call) => call.port)).toEqual([Number(new URL(bench.standIn.url).port), Number(new URL(newUrl).port)]);
    expect(leadsMadeFor(file)).toBe(1);
  });

  it("never made two leads for one enquiry", () => {
    const counts = new Map<string, number>();
    for (const lead of bench.standIn.data.leads) {
      const key = `${String(lead.request.LeadPersonEmail).toLowerCase()}\n${lead.description}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBeGreaterThan(5);
    for (const [key, count] of counts) expect(count, key).toBe(1);
  });

  it("leaks no secret in output", () => {
    const text = bench.transcript.join("\n");
    expect(leakedSecrets(text, [bench.dovecot.password, TICKET, APP_TOKEN])).toEqual([]);
  });
});
