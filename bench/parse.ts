/**
 * Parse benchmark: messages per second for leadd's classify-and-extract step, against
 * mailparser's simpleParser alone on the same messages in the same run. The target is
 * leadd's time per message at most 3x simpleParser's.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { simpleParser } from "mailparser";
import pino from "pino";
import { analyzeMessage } from "../src/extract/analyze.js";
import { loadFormRules } from "../src/extract/form-rules.js";
import { writeBenchSection } from "./report.js";

const CORPUS = join(import.meta.dirname, "..", "..", "shared", "corpus", "enquiries");
/** Passes over all messages before timing, so JIT and lazy loads are done. */
const WARMUP_ROUNDS = 20;
/** Timed passes over all messages; enough for a stable mean on a laptop. */
const TIMED_ROUNDS = 200;
/** Target ratio of leadd's time to simpleParser's. */
const TARGET_RATIO = 3;

function findRoot(): string {
  let dir = fileURLToPath(new URL(".", import.meta.url));
  while (!existsSync(join(dir, "package.json"))) dir = join(dir, "..");
  return dir;
}

function loadMessages(): { source: string; messages: Buffer[] } {
  const root = findRoot();
  const dirs = existsSync(CORPUS) ? [CORPUS] : [join(root, "samples"), join(root, "test/fixtures")];
  const messages = dirs.flatMap((dir) =>
    existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(".eml")).sort().map((name) => readFileSync(join(dir, name))) : [],
  );
  return { source: existsSync(CORPUS) ? "enquiry corpus (24 messages)" : `samples and fixtures (${messages.length} messages)`, messages };
}

async function time(rounds: number, messages: Buffer[], work: (raw: Buffer) => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) for (const raw of messages) await work(raw);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs the benchmark, prints a Markdown table and writes the parse section of docs/benchmarks.md. */
export async function runParseBench(): Promise<void> {
  const log = pino({ level: "silent" });
  const { source, messages } = loadMessages();
  if (messages.length === 0) throw new Error("No .eml messages found for the parse benchmark: expected samples/ or test/fixtures/.");
  const options = {
    defaultCountry: "NO",
    ownDomains: ["aurora.example.com"],
    ownAddresses: ["leads@aurora.example.com"],
    ownCompany: "Aurora Systems",
    appendForwarderNote: false,
    minConfidence: 0.5,
    formRules: await loadFormRules([], log),
  };
  const leadd = (raw: Buffer) => analyzeMessage(raw, options, log);
  const baseline = (raw: Buffer) => simpleParser(raw);

  await time(WARMUP_ROUNDS, messages, leadd);
  await time(WARMUP_ROUNDS, messages, baseline);
  const baselineMs = await time(TIMED_ROUNDS, messages, baseline);
  const leaddMs = await time(TIMED_ROUNDS, messages, leadd);

  const count = TIMED_ROUNDS * messages.length;
  const ratio = leaddMs / baselineMs;
  const rate = (ms: number) => Math.round(count / (ms / 1000)).toLocaleString("en-US");
  const perMessage = (ms: number) => ((ms / count) * 1000).toFixed(0);
  const markdown = [
    "### Parse and extract",
    "",
    `Messages: ${source}, ${WARMUP_ROUNDS} warm-up and ${TIMED_ROUNDS} timed rounds, one message at a time.`,
    `Machine: ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}. Command: \`npm run bench -- parse\`.`,
    "",
    "| step | messages/s | µs per message |",
    "|---|---:|---:|",
    `| mailparser simpleParser alone | ${rate(baselineMs)} | ${perMessage(baselineMs)} |`,
    `| leadd analyzeMessage (parse, classify, extract) | ${rate(leaddMs)} | ${perMessage(leaddMs)} |`,
    "",
    `Ratio leadd / simpleParser: ${ratio.toFixed(2)}x (target at most ${TARGET_RATIO}x: ${ratio <= TARGET_RATIO ? "met" : "missed"}).`,
  ].join("\n");
  console.log(markdown);
  writeBenchSection("parse", markdown);
}
