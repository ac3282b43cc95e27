/**
 * Crash safety: `leadd once` is killed with SIGKILL at seeded random moments, many of them
 * while a GenerateLead call is in flight (the stand-in delays its responses), and started
 * again each time. At the end every message has exactly one finished journal entry, sits in
 * exactly one folder with its outcome keyword, and no enquiry caused two GenerateLead calls.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { join } from "node:path";
import { REPO_ROOT } from "../support/cli.js";
import { endToEndMail, readMailFolder, type MailFile } from "../support/mail-corpus.js";
import { TEST_BEARER_TOKEN } from "../support/leadd-config.js";
import type { RecordedRequest } from "../support/superoffice-stand-in.js";
import {
  FaultBench,
  KEYWORDS,
  LEAD_MADE,
  expectedFolder,
  journalRows,
  leakedSecrets,
  logLines,
  mailboxPlaces,
  seededRandom,
  sha256,
  sleep,
  waitForOutput,
} from "./harness.js";

const skipReason = inject("dovecotUnavailable");
const corpus = [...endToEndMail().files, ...readMailFolder(join(REPO_ROOT, "test", "fixtures"))];

const SEED = Number(process.env.LEADD_KILL9_SEED ?? 20261204);
/** Kills before the final runs that may finish: enough for every crash point to be hit several times. */
const KILLS = 30;
/** Runs allowed to collect KILLS kills: a run that finishes before its kill does not count. */
const MAX_KILL_RUNS = 80;
/** Runs without a kill allowed at the end; one is enough unless a mailbox error interrupts it. */
const FINAL_RUNS = 3;
/** Copies of lead messages under a new Message-ID: the same enquiry arriving twice. */
const SECOND_COPIES = 6;

/** Copies a message under another Message-ID, as a second forward of the same enquiry would arrive. */
function secondCopy(file: MailFile, index: number): MailFile {
  const text = file.raw.toString("latin1");
  const replaced = text.replace(/^Message-ID:[^\r\n]*(\r?\n[ \t][^\r\n]*)*/im, `Message-ID: <second-copy-${index}@faults.example.com>`);
  return { path: `${file.path} (second copy)`, raw: Buffer.from(replaced, "latin1"), expected: file.expected };
}

function requestKey(request: RecordedRequest): string {
  const body = request.json as { LeadPersonEmail?: string; LeadDescription?: string };
  return `${(body.LeadPersonEmail ?? "").toLowerCase()}\n${(body.LeadDescription ?? "").replace(/\s+/g, " ").trim()}`;
}

describe.skipIf(skipReason !== null)("kill -9 during leadd once", () => {
  let bench: FaultBench;
  const random = seededRandom(SEED);
  const files: MailFile[] = [...corpus];
  let generateLeadSeen = 0;
  let killAtGenerateLead: { count: number; kill: () => void } | null = null;
  const runs: Array<{ mode: string; killed: boolean; code: number | null }> = [];

  beforeAll(async () => {
    const leads = corpus.filter((file) => file.expected !== null && file.expected.not_a_lead === false);
    for (let i = 0; i < SECOND_COPIES && i < leads.length; i++) files.push(secondCopy(leads[(i * 5) % leads.length]!, i));

    bench = await FaultBench.start();
    bench.writeConfig({ extra: { log: { level: "info" } } });
    // GenerateLead takes a few to a few hundred milliseconds, so kills land in the middle of calls.
    bench.standIn.setResponseDelay((request) => {
      if (!/generatelead/i.test(request.path)) return Math.floor(random() * 30);
      generateLeadSeen++;
      const delay = 5 + Math.floor(random() * 395);
      if (killAtGenerateLead && generateLeadSeen >= killAtGenerateLead.count) {
        const { kill } = killAtGenerateLead;
        killAtGenerateLead = null;
        // Mostly before the response; sometimes just after it, before leadd records the outcome.
        setTimeout(kill, Math.floor(random() * (delay + 40)));
      }
      return delay;
    });
    for (const file of files) await bench.dovecot.appendMessage("INBOX", file.raw);
  });

  afterAll(async () => {
    await bench?.stop();
  });

  it("ends with one outcome per message", { timeout: 600_000 }, async () => {
    for (let run = 0; run < MAX_KILL_RUNS && runs.filter((r) => r.killed).length < KILLS; run++) {
      const leaddProcess = bench.spawn(["once", "-c", bench.configPath]);
      let killed = false;
      const kill = () => {
        if (leaddProcess.child.exitCode === null && leaddProcess.child.signalCode === null) {
          killed = leaddProcess.child.kill("SIGKILL");
        }
      };
      let mode: string;
      let timer: NodeJS.Timeout | undefined;
      // Start-up time varies a lot with machine load, so a random delay counts from the cycle start.
      const killAfterCycleStart = (delayMs: number) =>
        void waitForOutput(leaddProcess, (output) => output.includes('"cycle started"'), 60_000)
          .then(() => (timer = setTimeout(kill, delayMs)))
          .catch(() => undefined);
      if (random() < 0.5) {
        mode = "mid-call";
        killAtGenerateLead = { count: generateLeadSeen + 1 + Math.floor(random() * 2), kill };
        // When no lead is left to send, the run is killed at a random time instead.
        killAfterCycleStart(1_000 + Math.floor(random() * 3_000));
      } else {
        mode = "random time";
        killAfterCycleStart(Math.floor(random() * 2_000));
      }
      const result = await leaddProcess.done;
      clearTimeout(timer);
      killAtGenerateLead = null;
      runs.push({ mode, killed, code: result.code });
      if (!killed) expect(result.code, result.stdout.slice(-2000) + result.stderr).toBe(0);
      // Let a delayed stand-in response land on its closed socket before the next run starts.
      await sleep(50);
    }

    let finished = false;
    for (let run = 0; run < FINAL_RUNS && !finished; run++) {
      const result = await bench.once();
      runs.push({ mode: "final", killed: false, code: result.code });
      finished = result.code === 0;
    }
    const killedRuns = runs.filter((run) => run.killed);
    const rows = journalRows(bench.statePath);
    const outcomes = rows.map((row) => `${row.outcome}${row.needs_review === 1 ? " (review)" : ""}`);
    const outcomeCounts: Record<string, number> = {};
    for (const outcome of outcomes) outcomeCounts[outcome] = (outcomeCounts[outcome] ?? 0) + 1;
    console.log(`kill9 outcomes: ${JSON.stringify(outcomeCounts)}`);
    console.log(`kill9 seed ${SEED}: ${runs.length} runs, ${killedRuns.length} killed (${killedRuns.filter((run) => run.mode === "mid-call").length} mid-call), ${bench.standIn.generateLeadRequests().length} GenerateLead requests`);
    expect(finished).toBe(true);
    expect(killedRuns.length).toBe(KILLS);
  });

  it("leaves one finished journal entry per message", () => {
    const rows = journalRows(bench.statePath);
    expect(rows).toHaveLength(files.length);
    for (const file of files) {
      const matching = rows.filter((row) => row.content_hash === sha256(file.raw));
      expect(matching, file.path).toHaveLength(1);
      expect(matching[0]!.step, file.path).toBe("done");
      expect(matching[0]!.outcome, file.path).not.toBeNull();
    }
  });

  it("puts each message in one folder", async () => {
    const rows = journalRows(bench.statePath);
    const places = await mailboxPlaces(bench.dovecot);
    for (const row of rows) {
      const copies = places.get(row.message_id!) ?? [];
      expect(copies, `${row.message_id} copies`).toHaveLength(1);
      expect(copies[0]!.folder, `${row.message_id} (${row.outcome}) folder`).toBe(expectedFolder(row));
      expect(copies[0]!.flags, `${row.message_id} keyword`).toContain(KEYWORDS[row.outcome!]);
    }
  });

  it("never sends one enquiry twice", () => {
    const rows = journalRows(bench.statePath);
    const requests = bench.standIn.generateLeadRequests();
    const calls = new Map<string, number>();
    for (const request of requests) calls.set(requestKey(request), (calls.get(requestKey(request)) ?? 0) + 1);
    for (const [key, count] of calls) expect(count, `GenerateLead calls for ${key.split("\n")[0]}`).toBe(1);

    // A message whose outcome records a lead had its call returned, so the stand-in received it.
    for (const row of rows.filter((r) => r.outcome !== null && LEAD_MADE.has(r.outcome))) {
      const request = JSON.parse(row.request_json!) as RecordedRequest["json"];
      expect(calls.get(requestKey({ json: request } as RecordedRequest)), `call for entry ${row.id}`).toBe(1);
    }
    // Unknown sends went to review, and duplicates of them were not sent again.
    for (const row of rows.filter((r) => r.needs_review === 1)) {
      expect(row.outcome).toBe("failed");
      expect(row.reason).toMatch(/^unknown whether the lead was created/);
    }
  });

  it("leaks no secret in output", () => {
    const text = bench.transcript.join("\n");
    expect(text.length).toBeGreaterThan(0);
    expect(leakedSecrets(text, [bench.dovecot.password, TEST_BEARER_TOKEN])).toEqual([]);
  });
});

describe.skipIf(skipReason !== null)("kill -9 while GenerateLead is in flight", () => {
  let bench: FaultBench;
  const leads = corpus.filter((file) => file.expected !== null && file.expected.not_a_lead === false);

  beforeAll(async () => {
    bench = await FaultBench.start();
  });

  afterAll(async () => {
    await bench?.stop();
  });

  /** Runs `once` and kills it as soon as the stand-in receives a GenerateLead request. */
  async function onceKilledMidCall(): Promise<void> {
    const leaddProcess = bench.spawn(["once", "-c", bench.configPath]);
    bench.standIn.setResponseDelay((request) => {
      if (!/generatelead/i.test(request.path)) return 0;
      leaddProcess.child.kill("SIGKILL");
      return 1_000;
    });
    const result = await leaddProcess.done;
    bench.standIn.setResponseDelay(null);
    expect(result.signal).toBe("SIGKILL");
  }

  it("sends an unknown send to review, copy duplicate", async () => {
    const lead = leads[0]!;
    const email = lead.expected!.LeadPersonEmail!;
    await bench.dovecot.appendMessage("INBOX", lead.raw);
    await onceKilledMidCall();
    expect(journalRows(bench.statePath).map((row) => row.step)).toEqual(["sending"]);

    const copy = secondCopy(lead, 100);
    await bench.dovecot.appendMessage("INBOX", copy.raw);
    const result = await bench.once();
    expect(result.code, result.stdout + result.stderr).toBe(0);

    const [first, second] = journalRows(bench.statePath);
    expect(first!.outcome).toBe("failed");
    expect(first!.needs_review).toBe(1);
    expect(first!.reason).toMatch(/^unknown whether the lead was created/);
    expect(first!.step).toBe("done");
    expect(second!.outcome).toBe("duplicate");
    expect(bench.standIn.generateLeadRequests(email)).toHaveLength(1);

    const review = await bench.dovecot.listMessages("Leads/Review");
    expect(review.map((message) => message.messageId)).toEqual([first!.message_id]);
    expect(review[0]!.flags).toContain("$LeadFailed");
    const done = await bench.dovecot.listMessages("Leads/Done");
    expect(done.map((message) => message.messageId)).toEqual([second!.message_id]);
    expect(done[0]!.flags).toContain("$LeadDuplicate");
  });

  it("resends an unknown send when configured", async () => {
    const lead = leads[1]!;
    const email = lead.expected!.LeadPersonEmail!;
    bench.writeConfig({ superofficeExtra: { retryUnknownSends: true } });
    await bench.dovecot.appendMessage("INBOX", lead.raw);
    await onceKilledMidCall();
    const result = await bench.once();
    expect(result.code).toBe(0);

    const row = journalRows(bench.statePath).find((r) => r.content_hash === sha256(lead.raw))!;
    expect(["created", "matched"]).toContain(row.outcome);
    expect(row.needs_review).toBe(0);
    expect(bench.standIn.generateLeadRequests(email)).toHaveLength(2);
    expect(logLines(result.stdout).some((line) => String(line.msg).includes("sending again because superoffice.retryUnknownSends is on"))).toBe(true);
  });

  it("leaks no secret in output", () => {
    expect(leakedSecrets(bench.transcript.join("\n"), [bench.dovecot.password, TEST_BEARER_TOKEN])).toEqual([]);
  });
});
