import { describe, expect, it } from "vitest";
import { runCycle } from "../../../src/daemon/cycle.js";
import { OWN_REPLY_REASON } from "../../../src/daemon/process-message.js";
import { Journal } from "../../../src/state/journal.js";
import { fakeAnalysis, makeRuntime } from "./fakes.js";

const OWN_REPLY_ID = "<0b6c2f1e-3d4a-4b5c-8d9e-1f2a3b4c5d6e@aurora.example.com>";

/** Returns a runtime whose journal contains one sent reply and whose analyzer adds `headers` to every analysis. */
function runtimeWithSentReply(headers: Record<string, string>) {
  const setup = makeRuntime();
  setup.journal.recordReply(null, "forwarder", "tom@aurora.example.com", OWN_REPLY_ID, new Date());
  setup.analyzer.analyze.mockImplementation(async (raw: Buffer) => ({ ...fakeAnalysis(raw.toString()), headers }));
  return setup;
}

describe("answers to leadd's own replies", () => {
  it("In-Reply-To naming a sent reply is not-lead", async () => {
    const { rt, mailbox, crm, journal } = runtimeWithSentReply({ "in-reply-to": OWN_REPLY_ID });
    mailbox.add("lead:tom@aurora.example.com:answer");
    await runCycle(rt);
    expect(crm.generateLead).not.toHaveBeenCalled();
    expect(mailbox.messages[0]!.flags).toEqual(["$LeadIgnored"]);
    const entry = journal.findById(1)!;
    expect(entry.outcome).toBe("not-lead");
    expect(entry.reason).toBe(OWN_REPLY_REASON);
    expect(entry.analysis?.isLead).toBe(false);
    expect(entry.fingerprint).toBeNull();
  });

  it("References naming a sent reply is not-lead", async () => {
    const { rt, mailbox, crm, journal } = runtimeWithSentReply({ references: `<root@customer.example> ${OWN_REPLY_ID} <later@aurora.example.com>` });
    mailbox.add("incomplete::answer");
    await runCycle(rt);
    expect(crm.generateLead).not.toHaveBeenCalled();
    expect(journal.findById(1)!.outcome).toBe("not-lead");
  });

  it("a forward inside the thread is still a lead", async () => {
    const { rt, mailbox, crm, analyzer } = runtimeWithSentReply({ "in-reply-to": OWN_REPLY_ID });
    analyzer.analyze.mockImplementation(async (raw: Buffer) => ({
      ...fakeAnalysis(raw.toString()),
      headers: { "in-reply-to": OWN_REPLY_ID },
      creator: { firstname: "Tom", lastname: "Bradley", email: "tom@aurora.example.com", company: "Aurora Systems" },
    }));
    mailbox.add("lead:ada@example.com:new-forward");
    await runCycle(rt);
    expect(crm.generateLead).toHaveBeenCalledTimes(1);
  });

  it("a reply to other mail is still a lead", async () => {
    const { rt, mailbox, crm, journal } = runtimeWithSentReply({ "in-reply-to": "<offer-42@aurora.example.com>", references: "<offer-42@aurora.example.com>" });
    mailbox.add("lead:ada@example.com:f1");
    await runCycle(rt);
    expect(crm.generateLead).toHaveBeenCalledTimes(1);
    expect(journal.findById(1)!.outcome).toBe("created");
  });
});

describe("Journal.isOwnReply", () => {
  it("finds a sent reply among the ids", () => {
    const journal = Journal.inMemory();
    journal.recordReply(null, "forwarder", "tom@aurora.example.com", OWN_REPLY_ID, new Date());
    expect(journal.isOwnReply(["<a@b.c>", OWN_REPLY_ID])).toBe(true);
    expect(journal.isOwnReply(["<a@b.c>"])).toBe(false);
    expect(journal.isOwnReply([])).toBe(false);
  });

  it("handles a long References list", () => {
    const journal = Journal.inMemory();
    journal.recordReply(null, "forwarder", "tom@aurora.example.com", OWN_REPLY_ID, new Date());
    const many = Array.from({ length: 50_000 }, (_, index) => `<id-${index}@example.com>`);
    expect(journal.isOwnReply(many)).toBe(false);
    expect(journal.isOwnReply([...many, OWN_REPLY_ID])).toBe(true);
  });
});
