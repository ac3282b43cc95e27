/**
 * Pick-up latency: with IMAP IDLE on and an hourly schedule, how long from appending a
 * message to Dovecot until its GenerateLead call reaches the SuperOffice stand-in.
 * Needs Dovecot (run as root on Debian, as the test suite does).
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI } from "../test/support/cli.js";
import { ensureDovecot, startDovecot } from "../test/support/dovecot.js";
import { TEST_BEARER_TOKEN, writeTestConfig } from "../test/support/leadd-config.js";
import { SuperOfficeStandIn } from "../test/support/superoffice-stand-in.js";
import { writeBenchSection } from "./report.js";

/** Messages appended one after another; each one's latency is measured on its own. */
const SAMPLES = 10;
/** Longest wait for one call before the run is declared failed. */
const MAX_WAIT_MS = 30_000;

function enquiry(index: number): string {
  return [
    `From: "Ingrid Solberg" <ingrid.solberg@pickup-${index}.example.no>`,
    "To: leads@aurora.example.com",
    `Subject: Enquiry ${index}`,
    `Message-ID: <pickup-${index}-${Date.now()}@example.no>`,
    "Date: Fri, 04 Dec 2026 10:00:00 +0100",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Hello, we would like a quote for 40 desks. Please call me on +47 912 34 5${String(index).padStart(2, "0")}.`,
    "",
    "Ingrid Solberg",
    `Pickup ${index} AS`,
    "",
  ].join("\r\n");
}

export async function runPickupBench(): Promise<void> {
  const unavailable = await ensureDovecot();
  if (unavailable) {
    console.log(`pick-up benchmark skipped: ${unavailable}`);
    return;
  }
  const dovecot = await startDovecot();
  const standIn = await SuperOfficeStandIn.start({ bearerTokens: [TEST_BEARER_TOKEN] });
  const dir = mkdtempSync(join(tmpdir(), "leadd-pickup-"));
  const configPath = writeTestConfig({ dir, dovecot, superofficeUrl: standIn.url, extra: { schedule: "0 * * * *" }, mailboxExtra: { idle: true } });
  const daemon = spawn(process.execPath, [CLI, "run", "-c", configPath], { env: { ...process.env, TEST_IMAP_PASSWORD: dovecot.password }, stdio: "ignore" });
  const latencies: number[] = [];

  try {
    // The start-up cycle runs at once; wait for the IDLE watch to settle before measuring.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    for (let index = 0; index < SAMPLES; index++) {
      const before = standIn.generateLeadRequests().length;
      const started = performance.now();
      await dovecot.appendMessage("INBOX", enquiry(index));
      while (standIn.generateLeadRequests().length === before) {
        if (performance.now() - started > MAX_WAIT_MS) throw new Error(`no GenerateLead call ${MAX_WAIT_MS} ms after appending message ${index}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      latencies.push(performance.now() - started);
    }
  } finally {
    daemon.kill("SIGTERM");
    await new Promise((resolve) => daemon.once("exit", resolve));
    await standIn.stop();
    await dovecot.stop();
  }

  latencies.sort((a, b) => a - b);
  const median = latencies[Math.floor(latencies.length / 2)]!;
  const max = latencies[latencies.length - 1]!;
  const table = [
    "| messages | median pick-up (ms) | max pick-up (ms) | schedule |",
    "|---|---|---|---|",
    `| ${latencies.length} | ${median.toFixed(0)} | ${max.toFixed(0)} | hourly (\`0 * * * *\`), IDLE on |`,
  ].join("\n");
  console.log(table);
  writeBenchSection(
    "pickup",
    `## Pick-up latency with IMAP IDLE\n\nTime from appending a message to Dovecot on 127.0.0.1 until its GenerateLead request reaches the SuperOffice stand-in, with \`leadd run\` on an hourly schedule and \`idle: true\`. Measured by \`npm run bench -- pickup\` on ${new Date().toISOString().slice(0, 10)}.\n\n${table}\n`,
  );
}
