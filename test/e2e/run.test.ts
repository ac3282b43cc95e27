/**
 * `leadd run` as a service would run it: IMAP IDLE pick-up on an hourly schedule, the health
 * and metrics listener, two mailboxes of which one cannot log in, and a clean stop on SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CLI, logLines } from "../support/cli.js";
import { startDovecot, type DovecotServer } from "../support/dovecot.js";
import { getFreePort } from "../support/ports.js";
import { SuperOfficeStandIn } from "../support/superoffice-stand-in.js";
import { TEST_BEARER_TOKEN, writeTestConfig } from "../support/leadd-config.js";

const skipReason = inject("dovecotUnavailable");

/** Longest wait for the daemon to react; the schedule itself never fires during the test. */
const WAIT_MS = 20_000;

function enquiry(id: string): string {
  return [
    `From: "Ingrid Solberg" <ingrid.solberg@fjordlys-${id}.example.no>`,
    "To: leads@aurora.example.com",
    "Subject: Tilbud på møteromsbooking",
    `Message-ID: <run-${id}@fjordlys.example.no>`,
    "Date: Fri, 04 Dec 2026 10:00:00 +0100",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Hei,",
    "",
    "Vi ønsker et tilbud på booking av 12 møterom i Trondheim. Ring meg gjerne på 912 34 567.",
    "",
    "Med vennlig hilsen",
    "Ingrid Solberg",
    `Fjordlys ${id} AS`,
    "",
  ].join("\r\n");
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > WAIT_MS) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(skipReason !== null)("leadd run", () => {
  let dovecot: DovecotServer;
  let standIn: SuperOfficeStandIn;
  let daemon: ChildProcess;
  let stdout = "";
  let httpPort: number;
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  beforeAll(async () => {
    dovecot = await startDovecot();
    standIn = await SuperOfficeStandIn.start({ bearerTokens: [TEST_BEARER_TOKEN] });
    httpPort = await getFreePort();
    const dir = mkdtempSync(join(tmpdir(), "leadd-run-"));
    const configPath = writeTestConfig({
      dir,
      dovecot,
      superofficeUrl: standIn.url,
      // Once a year: every cycle after the first one in this test comes from IDLE.
      extra: { schedule: "0 0 1 1 *", http: { listen: `127.0.0.1:${httpPort}` }, health: { maxCycleAgeMinutes: 60 } },
      mailboxExtra: { idle: true },
      additionalMailboxes: [
        {
          name: "broken",
          imap: { host: dovecot.host, port: dovecot.port, secure: false, user: dovecot.user, password: "wrong-password-for-test" },
          folder: "INBOX",
        },
      ],
    });
    daemon = spawn(process.execPath, [CLI, "run", "-c", configPath], {
      env: { ...process.env, TEST_IMAP_PASSWORD: dovecot.password, LEADD_CONFIG: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    daemon.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    daemon.stderr!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    exit = new Promise((resolve) => daemon.once("exit", (code, signal) => resolve({ code, signal })));
    await waitFor(() => logLines(stdout).some((line) => line.msg === "IDLE watch started"), "the IDLE watch");
    await waitFor(() => logLines(stdout).some((line) => typeof line.msg === "string" && line.msg.startsWith("cycle finished")), "the first cycle");
  });

  afterAll(async () => {
    if (daemon.exitCode === null) daemon.kill("SIGKILL");
    await dovecot?.stop();
    await standIn?.stop();
  });

  it("picks up new mail through IDLE", async () => {
    await dovecot.appendMessage("INBOX", enquiry("idle"));
    await waitFor(() => standIn.generateLeadRequests().length === 1, "GenerateLead after IDLE");
    expect((standIn.generateLeadRequests()[0]!.json as { LeadPersonEmail: string }).LeadPersonEmail).toBe("ingrid.solberg@fjordlys-idle.example.no");
  });

  it("keeps serving one mailbox while another fails", async () => {
    const failures = logLines(stdout).filter((line) => line.msg === "mailbox cycle failed; it is tried again next cycle");
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures.every((line) => line.mailbox === "broken")).toBe(true);
    expect(stdout).not.toContain("wrong-password-for-test");
    expect(stdout).not.toContain(dovecot.password);
  });

  it("reports health and metrics over HTTP", async () => {
    await waitFor(async () => (await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text()).includes('outcome="created"'), "the created outcome metric");

    const health = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.text()).toContain("broken");

    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/leadd_messages_total\{[^}]*mailbox="leads"[^}]*outcome="created"[^}]*\} 1/);
    expect(metrics).toMatch(/leadd_last_successful_cycle_timestamp_seconds\{mailbox="leads"\} \d/);
    expect(metrics).toContain("leadd_generatelead_duration_seconds_count");
  });

  it("stops cleanly on SIGTERM", async () => {
    daemon.kill("SIGTERM");
    const result = await exit;
    expect(result.code).toBe(0);
    expect(logLines(stdout).some((line) => line.msg === "daemon stopped")).toBe(true);
  });
});
