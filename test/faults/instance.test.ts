/**
 * One instance per state file, and a clean stop: a second `once` or `run` on the state a
 * running daemon holds exits 3 with a clear message, the lock goes with a killed process,
 * and SIGTERM during a GenerateLead call lets the message in hand finish, starts no other,
 * and exits 0 within the grace period.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { endToEndMail } from "../support/mail-corpus.js";
import { TEST_BEARER_TOKEN } from "../support/leadd-config.js";
import { FaultBench, KEYWORDS, journalRows, leakedSecrets, logLines, sha256, sleep, waitForOutput, type LeaddProcess } from "./harness.js";

const skipReason = inject("dovecotUnavailable");
const leads = endToEndMail().files.filter((file) => file.expected !== null && file.expected.not_a_lead === false && file.expected.LeadPersonEmail);

/** SHUTDOWN_GRACE_MS of src/daemon/scheduler.ts. */
const SHUTDOWN_GRACE_MS = 60_000;
const LOCKED_MESSAGE = "Another leadd process is using the state at";
/** Delay of the GenerateLead response that SIGTERM lands in. */
const CALL_DELAY_MS = 3_000;

describe.skipIf(skipReason !== null)("one instance and shutdown", () => {
  let bench: FaultBench;
  let daemon: LeaddProcess | null = null;

  function startDaemon(): LeaddProcess {
    daemon = bench.spawn(["run", "-c", bench.configPath]);
    return daemon;
  }

  beforeAll(async () => {
    bench = await FaultBench.start();
    // Hourly: the only cycle in these tests is the one `run` starts with.
    bench.writeConfig({ extra: { schedule: "0 * * * *" } });
  });

  afterEach(async () => {
    bench.standIn.setResponseDelay(null);
    if (daemon && daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill("SIGKILL");
    await daemon?.done;
    daemon = null;
  });

  afterAll(async () => {
    await bench?.stop();
  });

  it("rejects a second once and run with exit 3", async () => {
    const running = startDaemon();
    await waitForOutput(running, (output) => output.includes('"cycle finished"'), 60_000);

    for (const command of ["once", "run"]) {
      const second = await bench.run([command, "-c", bench.configPath]);
      expect(second.code, `${command}: ${second.stdout}${second.stderr}`).toBe(3);
      expect(second.stderr, command).toContain(LOCKED_MESSAGE);
      expect(second.stderr, command).toContain(bench.statePath);
    }
    expect(running.child.exitCode).toBeNull();

    running.child.kill("SIGTERM");
    expect((await running.done).code).toBe(0);
  });

  it("frees the lock when the holder is killed", async () => {
    const running = startDaemon();
    await waitForOutput(running, (output) => output.includes('"daemon started"'), 30_000);
    running.child.kill("SIGKILL");
    await running.done;
    const next = await bench.once();
    expect(next.code, next.stdout + next.stderr).toBe(0);
  });

  it("finishes the message in hand on SIGTERM", { timeout: 120_000 }, async () => {
    const [inHand, waiting] = [leads[0]!, leads[1]!];
    await bench.dovecot.appendMessage("INBOX", inHand.raw);
    await bench.dovecot.appendMessage("INBOX", waiting.raw);

    const running = startDaemon();
    let signalledAt = 0;
    bench.standIn.setResponseDelay((request) => {
      if (!/generatelead/i.test(request.path)) return 0;
      if (signalledAt === 0) {
        signalledAt = Date.now();
        running.child.kill("SIGTERM");
      }
      return CALL_DELAY_MS;
    });
    const result = await Promise.race([
      running.done,
      sleep(SHUTDOWN_GRACE_MS + 20_000).then(() => {
        throw new Error(`leadd run did not exit after SIGTERM:\n${running.output().slice(-4000)}`);
      }),
    ]);
    const stoppedAfterMs = Date.now() - signalledAt;

    expect(signalledAt).toBeGreaterThan(0);
    expect(result.code, result.stdout.slice(-3000)).toBe(0);
    expect(stoppedAfterMs).toBeLessThan(SHUTDOWN_GRACE_MS);
    const messages = logLines(result.stdout).map((line) => line.msg);
    expect(messages).toContain("stopping after the message in hand");
    expect(messages).toContain("daemon stopped");

    const rows = journalRows(bench.statePath);
    const finished = rows.find((row) => row.content_hash === sha256(inHand.raw));
    expect(finished?.step).toBe("done");
    expect(finished?.outcome).toBe("created");
    expect(rows.find((row) => row.content_hash === sha256(waiting.raw))).toBeUndefined();
    expect(bench.standIn.generateLeadRequests(waiting.expected!.LeadPersonEmail!)).toHaveLength(0);

    const done = await bench.dovecot.listMessages("Leads/Done");
    const moved = done.find((message) => message.messageId === finished?.message_id);
    expect(moved?.flags).toContain(KEYWORDS.created);
    const inbox = await bench.dovecot.listMessages("INBOX");
    expect(inbox.filter((message) => message.flags.length === 0)).toHaveLength(1);
  });

  it("leaks no secret in output", () => {
    expect(leakedSecrets(bench.transcript.join("\n"), [bench.dovecot.password, TEST_BEARER_TOKEN])).toEqual([]);
  });
});
