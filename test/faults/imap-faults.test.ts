/**
 * IMAP faults through the built CLI: Dovecot restarted or the session kicked while a
 * GenerateLead call is in flight, a wrong password for `once` and for `run`, and messages
 * moved or expunged by another client during the cycle.
 */
import { ImapFlow } from "imapflow";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { endToEndMail, type MailFile } from "../support/mail-corpus.js";
import { TEST_BEARER_TOKEN } from "../support/leadd-config.js";
import { FaultBench, KEYWORDS, journalRows, leakedSecrets, logLines, sha256, waitForOutput, type JournalRow } from "./harness.js";

const skipReason = inject("dovecotUnavailable");
const leads = endToEndMail().files.filter((file) => file.expected !== null && file.expected.not_a_lead === false && file.expected.LeadPersonEmail);

const WRONG_PASSWORD = "wrong-imap-password-4d1e";
/** Delay of each GenerateLead response, so that a fault lands while the call is in flight. */
const CALL_DELAY_MS = 1_500;
/** Runs allowed for the work to finish after a fault: the faulted cycle and one more. */
const MAX_RUNS = 2;

describe.skipIf(skipReason !== null)("IMAP faults", () => {
  let bench: FaultBench;
  let next = 0;

  async function appendLead(): Promise<MailFile> {
    const file = leads[next++];
    if (!file) throw new Error("the corpus has too few lead messages for the IMAP fault tests");
    await bench.dovecot.appendMessage("INBOX", file.raw);
    return file;
  }

  function rowOf(file: MailFile): JournalRow | undefined {
    return journalRows(bench.statePath).find((row) => row.content_hash === sha256(file.raw));
  }

  /** Runs `action` once, when the first GenerateLead request arrives, and delays every call by CALL_DELAY_MS. */
  function onFirstCall(action: () => Promise<void>): Promise<void> {
    let started: Promise<void> | null = null;
    return new Promise((resolve, reject) => {
      bench.standIn.setResponseDelay((request) => {
        if (!/generatelead/i.test(request.path)) return 0;
        started ??= action().then(resolve, reject);
        return CALL_DELAY_MS;
      });
    });
  }

  /** Runs `once` until it exits 0, at most MAX_RUNS times; returns the output of every run. */
  async function onceUntilDone(): Promise<string> {
    let output = "";
    for (let run = 0; run < MAX_RUNS; run++) {
      const result = await bench.once();
      output += result.stdout + result.stderr;
      if (result.code === 0) return output;
    }
    throw new Error(`leadd once did not succeed in ${MAX_RUNS} runs:\n${output.slice(-3000)}`);
  }

  async function withImapClient<T>(work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = new ImapFlow({
      host: bench.dovecot.host,
      port: bench.dovecot.port,
      secure: false,
      auth: { user: bench.dovecot.user, pass: bench.dovecot.password },
      logger: false,
    });
    client.on("error", () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  beforeAll(async () => {
    bench = await FaultBench.start();
  });

  afterEach(() => {
    bench.standIn.setResponseDelay(null);
  });

  afterAll(async () => {
    await bench?.stop();
  });

  for (const fault of ["restart", "kick"] as const) {
    it(`finishes after a Dovecot ${fault} mid-call`, async () => {
      const files = [await appendLead(), await appendLead(), await appendLead()];
      const faulted = onFirstCall(() => (fault === "restart" ? bench.dovecot.restart() : bench.dovecot.kickConnections()));
      const output = await onceUntilDone();
      await faulted;

      expect(logLines(output).some((line) => line.msg === "IMAP connection lost; reconnecting"), output.slice(-6000)).toBe(true);
      const done = await bench.dovecot.listMessages("Leads/Done");
      for (const file of files) {
        const row = rowOf(file)!;
        expect(row.step, file.path).toBe("done");
        expect(row.outcome, file.path).toBe("created");
        expect(bench.standIn.generateLeadRequests(file.expected!.LeadPersonEmail!), file.path).toHaveLength(1);
        const moved = done.filter((message) => message.messageId === row.message_id);
        expect(moved, file.path).toHaveLength(1);
        expect(moved[0]!.flags).toContain(KEYWORDS.created);
      }
    });
  }

  it("exits 1 on a wrong password", async () => {
    const result = await bench.once({ env: { TEST_IMAP_PASSWORD: WRONG_PASSWORD } });
    const output = result.stdout + result.stderr;
    expect(result.code).toBe(1);
    const failure = logLines(output).find((line) => line.msg === "mailbox cycle failed; it is tried again next cycle");
    expect(failure, output).toBeDefined();
    const text = JSON.stringify(failure);
    expect(text).toContain("IMAP login failed");
    expect(text).toContain(bench.dovecot.user);
    expect(text).toContain(`${bench.dovecot.host}:${bench.dovecot.port}`);
    expect(output).not.toContain(WRONG_PASSWORD);
  });

  it("keeps run alive on a wrong password", async () => {
    bench.writeConfig({ extra: { schedule: "* * * * * *" } });
    const daemon = bench.spawn(["run", "-c", bench.configPath], { env: { TEST_IMAP_PASSWORD: WRONG_PASSWORD } });
    const failures = (output: string) => logLines(output).filter((line) => line.msg === "mailbox cycle failed; it is tried again next cycle").length;
    try {
      await waitForOutput(daemon, (output) => failures(output) >= 3, 60_000);
      expect(daemon.child.exitCode).toBeNull();
    } finally {
      daemon.child.kill("SIGTERM");
    }
    const result = await daemon.done;
    bench.writeConfig();
    expect(result.code).toBe(0);
    const lines = logLines(result.stdout).filter((line) => line.msg === "mailbox cycle failed; it is tried again next cycle");
    for (const line of lines) expect(JSON.stringify(line)).toContain("IMAP login failed");
    expect(result.stdout + result.stderr).not.toContain(WRONG_PASSWORD);
  });

  it("handles messages moved or expunged mid-cycle", async () => {
    const inFlight = await appendLead();
    const expunged = await appendLead();
    await bench.dovecot.createFolder("Archive");
    const inbox = await bench.dovecot.listMessages("INBOX");
    const uidOf = (file: MailFile) => inbox.find((message) => message.messageId !== null && file.raw.toString("latin1").includes(message.messageId))!.uid;
    const inFlightUid = uidOf(inFlight);
    const expungedUid = uidOf(expunged);

    // While the first message's call is in flight, another client moves it away and deletes the second.
    const faulted = onFirstCall(async () => {
      await withImapClient(async (client) => {
        const lock = await client.getMailboxLock("INBOX");
        try {
          await client.messageMove(String(inFlightUid), "Archive", { uid: true });
          await client.messageDelete(String(expungedUid), { uid: true });
        } finally {
          lock.release();
        }
      });
    });
    const result = await bench.once();
    await faulted;
    expect(result.code, result.stdout.slice(-3000)).toBe(0);

    const row = rowOf(inFlight)!;
    expect(row.step).toBe("done");
    expect(row.outcome).toBe("created");
    expect(bench.standIn.generateLeadRequests(inFlight.expected!.LeadPersonEmail!)).toHaveLength(1);
    expect(rowOf(expunged)).toBeUndefined();
    expect(bench.standIn.generateLeadRequests(expunged.expected!.LeadPersonEmail!)).toHaveLength(0);
    const archived = await bench.dovecot.listMessages("Archive");
    expect(archived.map((message) => message.messageId)).toEqual([row.message_id]);

    const again = await bench.once();
    expect(again.code).toBe(0);
    expect(bench.standIn.generateLeadRequests(inFlight.expected!.LeadPersonEmail!)).toHaveLength(1);
  });

  it("leaks no secret in output", () => {
    const text = bench.transcript.join("\n");
    expect(leakedSecrets(text, [bench.dovecot.password, WRONG_PASSWORD, TEST_BEARER_TOKEN])).toEqual([]);
  });
});
