import { describe, expect, it, vi } from "vitest";
import { runCycle } from "../../../src/daemon/cycle.js";
import { LeaddError } from "../../../src/errors.js";
import { Journal } from "../../../src/state/journal.js";
import { FOLDERS, makeRuntime } from "./fakes.js";

describe("runCycle", () => {
  it("journals sending before the CRM call", async () => {
    const { rt, mailbox, crm, journal } = makeRuntime();
    mailbox.add("lead:ada@example.com:f1");
    crm.generateLead.mockImplementation(async () => {
      expect(journal.summary()).toEqual([{ mailbox: "leads", step: "sending", outcome: null, n: 1 }]);
      return { outcome: "created", response: {} };
    });

    await runCycle(rt);

    expect(crm.generateLead).toHaveBeenCalledTimes(1);
    expect(mailbox.messages[0]!.folder).toBe(FOLDERS.done);
    expect(mailbox.messages[0]!.flags).toEqual(["$LeadCreated"]);
    expect(journal.summary()).toEqual([{ mailbox: "leads", step: "done", outcome: "created", n: 1 }]);
  });

  it("never sends a finished message twice", async () => {
    const { rt, mailbox, crm } = makeRuntime();
    const message = mailbox.add("lead:ada@example.com:f1");
    await runCycle(rt);
    // Another client moves it back into INBOX and clears the keyword.
    message.folder = "INBOX";
    message.flags = [];
    await runCycle(rt);
    expect(crm.generateLead).toHaveBeenCalledTimes(1);
    expect(message.folder).toBe(FOLDERS.done);
  });

  it("leaves not-lead mail in place with its keyword", async () => {
    const { rt, mailbox, crm } = makeRuntime();
    mailbox.add("not-lead");
    await runCycle(rt);
    expect(crm.generateLead).not.toHaveBeenCalled();
    expect(mailbox.messages[0]!.folder).toBe("INBOX");
    expect(mailbox.messages[0]!.flags).toEqual(["$LeadIgnored"]);
  });

  it("moves incomplete leads to review unsent", async () => {
    const { rt, mailbox, crm } = makeRuntime();
    mailbox.add("incomplete::f2");
    await runCycle(rt);
    expect(crm.generateLead).not.toHaveBeenCalled();
    expect(mailbox.messages[0]!.folder).toBe(FOLDERS.review);
    expect(mailbox.messages[0]!.flags).toEqual(["$LeadReview"]);
  });

  it("marks the second copy of an enquiry duplicate", async () => {
    const { rt, mailbox, crm, journal } = makeRuntime();
    mailbox.add("lead:ada@example.com:same");
    // Different bytes (another colleague's forward), same enquiry fingerprint.
    mailbox.add("lead:ada@example.com:same:second-copy");
    await runCycle(rt);
    expect(crm.generateLead).toHaveBeenCalledTimes(1);
    expect(mailbox.messages.map((m) => m.flags[0])).toEqual(["$LeadCreated", "$LeadDuplicate"]);
    expect(journal.summary().find((row) => row.outcome === "duplicate")?.n).toBe(1);
  });

  it("keeps a failed message for retry", async () => {
    const { rt, mailbox, crm, journal } = makeRuntime();
    mailbox.add("lead:ada@example.com:f3");
    crm.generateLead.mockRejectedValue(new LeaddError("CRM_UNAVAILABLE", "503 after 5 attempts"));
    await runCycle(rt);
    expect(mailbox.messages[0]!.folder).toBe("INBOX");
    expect(mailbox.messages[0]!.flags).toEqual(["$LeadFailed"]);
    expect(journal.summary()).toEqual([{ mailbox: "leads", step: "retry", outcome: "failed", n: 1 }]);

    crm.generateLead.mockResolvedValue({ outcome: "matched", response: {} });
    await runCycle(rt);
    expect(crm.generateLead).toHaveBeenCalledTimes(2);
    expect(mailbox.messages[0]!.folder).toBe(FOLDERS.done);
  });

  it("gives up on failed messages after the retry age", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const { rt, mailbox, crm } = makeRuntime({ now: () => now, settings: { failedRetryHours: 2 } });
    mailbox.add("lead:ada@example.com:f4");
    crm.generateLead.mockRejectedValue(new LeaddError("CRM_UNAVAILABLE", "maintenance"));
    await runCycle(rt);
    now = new Date("2026-01-01T03:00:00Z");
    await runCycle(rt);
    expect(crm.generateLead).toHaveBeenCalledTimes(1);
    expect(mailbox.messages[0]!.folder).toBe(FOLDERS.failed);
  });

  it("moves rejected leads to the failed folder", async () => {
    const { rt, mailbox, crm } = makeRuntime();
    mailbox.add("lead:ada@example.com:f5");
    crm.generateLead.mockRejectedValue(new LeaddError("CRM_REJECTED", "400 The request is invalid."));
    await runCycle(rt);
    expect(mailbox.messages[0]!.folder).toBe(FOLDERS.failed);
  });

  it("leaves messages untouched while the circuit is open", async () => {
    const { rt, mailbox, crm, journal } = makeRuntime();
    mailbox.add("lead:ada@example.com:f6");
    crm.generateLead.mockRejectedValue(new LeaddError("CRM_UNAVAILABLE", "circuit open", { details: { circuitOpen: true } }));
    await runCycle(rt);
    expect(mailbox.messages[0]!.flags).toEqual([]);
    expect(journal.summary()).toEqual([{ mailbox: "leads", step: "seen", outcome: null, n: 1 }]);
  });

  it("quarantines oversized messages unread", async () => {
    const { rt, mailbox, analyzer } = makeRuntime({ settings: { maxMessageBytes: 10 } });
    mailbox.add("lead:ada@example.com:a-message-over-ten-bytes");
    await runCycle(rt);
    expect(mailbox.fetches).toBe(0);
    expect(analyzer.analyze).not.toHaveBeenCalled();
    expect(mailbox.messages[0]!.folder).toBe(FOLDERS.quarantine);
    expect(mailbox.messages[0]!.flags).toEqual(["$LeadQuarantined"]);
  });

  it("quarantines messages the parser rejects", async () => {
    const { rt, mailbox, analyzer, crm } = makeRuntime();
    mailbox.add("lead:ada@example.com:f7");
    mailbox.add("lead:bob@example.com:f8");
    analyzer.analyze.mockRejectedValueOnce(new LeaddError("PARSE_TIMEOUT", "took too long"));
    await runCycle(rt);
    expect(mailbox.messages[0]!.folder).toBe(FOLDERS.quarantine);
    expect(mailbox.messages[1]!.folder).toBe(FOLDERS.done);
    expect(crm.generateLead).toHaveBeenCalledTimes(1);
  });

  it("recognises a message after UIDVALIDITY changes", async () => {
    const { rt, mailbox, crm } = makeRuntime();
    const message = mailbox.add("lead:ada@example.com:f9");
    crm.generateLead.mockRejectedValueOnce(new LeaddError("CRM_UNAVAILABLE", "down"));
    await runCycle(rt);
    mailbox.uidValidity = "2";
    message.uid = 500;
    message.flags = [];
    await runCycle(rt);
    expect(crm.generateLead).toHaveBeenCalledTimes(2);
    mailbox.uidValidity = "3";
    message.folder = "INBOX";
    message.flags = [];
    await runCycle(rt);
    expect(crm.generateLead).toHaveBeenCalledTimes(2);
  });

  it("stops between messages when asked", async () => {
    const { rt, mailbox, crm } = makeRuntime();
    mailbox.add("lead:a@example.com:g1");
    mailbox.add("lead:b@example.com:g2");
    crm.generateLead.mockImplementation(async () => {
      rt.stopping.requested = true;
      return { outcome: "created", response: {} };
    });
    await runCycle(rt);
    expect(crm.generateLead).toHaveBeenCalledTimes(1);
    expect(mailbox.messages[1]!.flags).toEqual([]);
  });
});

describe("crash recovery", () => {
  it("does not resend an unknown send", async () => {
    const journal = Journal.inMemory();
    const first = makeRuntime({ journal });
    first.mailbox.add("lead:ada@example.com:h1");
    first.crm.generateLead.mockImplementation(() => new Promise(() => {}));
    void runCycle(first.rt);
    await vi.waitFor(() => expect(first.crm.generateLead).toHaveBeenCalledTimes(1));

    // A new process: same journal and mailbox, the first run never finished.
    const second = makeRuntime({ journal });
    second.mailbox.messages = first.mailbox.messages;
    await runCycle(second.rt);
    expect(second.crm.generateLead).not.toHaveBeenCalled();
    expect(first.mailbox.messages[0]!.folder).toBe(FOLDERS.review);
    expect(first.mailbox.messages[0]!.flags).toEqual(["$LeadFailed"]);
    expect(journal.unfinished("leads")).toEqual([]);
  });

  it("resends an unknown send when configured", async () => {
    const journal = Journal.inMemory();
    const first = makeRuntime({ journal });
    first.mailbox.add("lead:ada@example.com:h2");
    first.crm.generateLead.mockImplementation(() => new Promise(() => {}));
    void runCycle(first.rt);
    await vi.waitFor(() => expect(first.crm.generateLead).toHaveBeenCalledTimes(1));

    const second = makeRuntime({ journal, settings: { retryUnknownSends: true } });
    second.mailbox.messages = first.mailbox.messages;
    await runCycle(second.rt);
    expect(second.crm.generateLead).toHaveBeenCalledTimes(1);
    expect(first.mailbox.messages[0]!.folder).toBe(FOLDERS.done);
  });
});

describe("unknown send results", () => {
  it("sends a review-bound failure, not a retry", async () => {
    const { rt, mailbox, crm } = makeRuntime();
    mailbox.add("lead:ada@example.com:u1");
    crm.generateLead.mockRejectedValue(new LeaddError("CRM_UNAVAILABLE", "timed out", { details: { sendUnknown: true } }));
    await runCycle(rt);
    await runCycle(rt);
    expect(crm.generateLead).toHaveBeenCalledTimes(1);
    expect(mailbox.messages[0]!.folder).toBe(FOLDERS.review);
    expect(mailbox.messages[0]!.flags).toEqual(["$LeadFailed"]);
  });
});
