/**
 * Hostile input at volume: thousands of seeded byte-level mutations of real messages (bit
 * flips, truncation, repeated header lines, broken MIME boundaries, wrong charsets, spliced
 * chunks) through the analyzer as the daemon runs it, from the built package so that the
 * worker thread and its time limit are in play. Every message must come back as an Analysis
 * or as a LeaddError MESSAGE_UNREADABLE or PARSE_TIMEOUT, with no crash and no unhandled
 * rejection.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, assertBuilt } from "../support/cli.js";
import { endToEndMail, readMailFolder } from "../support/mail-corpus.js";
import { seededRandom } from "./harness.js";

const SEED = Number(process.env.LEADD_FUZZ_SEED ?? 7_302_611);
const MESSAGES = Number(process.env.LEADD_FUZZ_MESSAGES ?? 5_000);
/** A few seconds: far above a normal message, so only a real stall hits it. */
const PARSE_TIMEOUT_MS = 3_000;
const ANALYZER_MODULE = join(REPO_ROOT, "dist", "src", "daemon", "analyzer.js");
const PATHS_MODULE = join(REPO_ROOT, "dist", "src", "paths.js");

const CHARSETS = ["utf-8", "iso-8859-1", "windows-1252", "koi8-r", "shift_jis", "utf-16", "utf-7", "x-unknown-charset", "", "utf-8\u0000", "gb2312", "big5"];

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function position(random: Random, length: number): number {
  return Math.floor(random() * Math.max(1, length));
}

/** One mutation of the raw bytes; several are applied in a row. */
const MUTATIONS: Record<string, (raw: Buffer, random: Random) => Buffer> = {
  flipBits(raw, random) {
    const copy = Buffer.from(raw);
    const flips = 1 + Math.floor(random() * 20);
    for (let i = 0; i < flips && copy.length > 0; i++) copy[position(random, copy.length)]! ^= 1 << Math.floor(random() * 8);
    return copy;
  },
  randomBytes(raw, random) {
    const at = position(random, raw.length);
    const noise = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256)));
    return Buffer.concat([raw.subarray(0, at), noise, raw.subarray(at)]);
  },
  truncate(raw, random) {
    return raw.subarray(0, position(random, raw.length));
  },
  repeatHeaderLine(raw, random) {
    const text = raw.toString("latin1");
    const headerEnd = text.search(/\r?\n\r?\n/);
    const lines = text.slice(0, headerEnd < 0 ? text.length : headerEnd).split(/\r?\n/);
    const line = pick(random, lines);
    const repeated = Array.from({ length: 1 + Math.floor(random() * 200) }, () => line).join("\r\n");
    return Buffer.from(text.replace(line, repeated), "latin1");
  },
  breakBoundary(raw, random) {
    const text = raw.toString("latin1");
    const match = /boundary="?([^";\r\n]+)"?/i.exec(text);
    if (!match) return Buffer.from(`Content-Type: multipart/mixed; boundary="x"\r\n${text}`, "latin1");
    const boundary = match[1]!;
    const choice = random();
    if (choice < 0.33) return Buffer.from(text.split(`--${boundary}`).join(`--${boundary.slice(1)}`), "latin1");
    if (choice < 0.66) return Buffer.from(text.replace(`--${boundary}--`, ""), "latin1");
    return Buffer.from(text.replace(boundary, ""), "latin1");
  },
  wrongCharset(raw, random) {
    const text = raw.toString("latin1");
    const replaced = text.replace(/charset="?[^";\s]+"?/gi, () => `charset=${pick(random, CHARSETS)}`);
    return Buffer.from(replaced === text ? text.replace(/\r?\n/, `\r\nContent-Type: text/plain; charset=${pick(random, CHARSETS)}\r\n`) : replaced, "latin1");
  },
  spliceChunks(raw, random) {
    const a = position(random, raw.length);
    const b = position(random, raw.length);
    const [start, end] = a < b ? [a, b] : [b, a];
    return Buffer.concat([raw.subarray(0, start), raw.subarray(end), raw.subarray(start, end)]);
  },
  breakEncoding(raw, random) {
    const text = raw.toString("latin1");
    const encodings = ["base64", "quoted-printable", "8bit", "x-uuencode", "bogus"];
    return Buffer.from(text.replace(/Content-Transfer-Encoding:[^\r\n]*/gi, () => `Content-Transfer-Encoding: ${pick(random, encodings)}`), "latin1");
  },
};

function mutate(raw: Buffer, random: Random): { bytes: Buffer; applied: string[] } {
  const names = Object.keys(MUTATIONS);
  const count = 1 + Math.floor(random() * 3);
  let bytes = raw;
  const applied: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = pick(random, names);
    bytes = MUTATIONS[name]!(bytes, random);
    applied.push(name);
  }
  return { bytes, applied };
}

interface AnalyzerLike {
  analyze(raw: Buffer): Promise<{ isLead: unknown }>;
  close(): Promise<void>;
}

describe("analyzer under fuzzed mail", () => {
  let analyzer: AnalyzerLike;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const sources = [...endToEndMail().files, ...readMailFolder(join(REPO_ROOT, "test", "fixtures"))];

  beforeAll(async () => {
    assertBuilt();
    expect(existsSync(ANALYZER_MODULE), `${ANALYZER_MODULE} is missing: run npm run build`).toBe(true);
    process.on("unhandledRejection", onUnhandled);
    process.on("uncaughtException", onUnhandled);
    const { createAnalyzer } = (await import(ANALYZER_MODULE)) as { createAnalyzer: (settings: unknown, log: unknown) => Promise<AnalyzerLike> };
    const { bundledParsersDir } = (await import(PATHS_MODULE)) as { bundledParsersDir: string };
    analyzer = await createAnalyzer(
      {
        options: {
          defaultCountry: "NO",
          ownDomains: ["aurora.example.com"],
          ownAddresses: ["leads@aurora.example.com"],
          ownCompany: "Aurora Systems",
          appendForwarderNote: false,
          minConfidence: 0.5,
        },
        ruleDirs: [bundledParsersDir],
        timeoutMs: PARSE_TIMEOUT_MS,
        logLevel: "silent",
      },
      pino({ level: "silent" }),
    );
  });

  afterAll(async () => {
    await analyzer?.close();
    process.off("unhandledRejection", onUnhandled);
    process.off("uncaughtException", onUnhandled);
  });

  it("returns an Analysis or a typed error", { timeout: 1_200_000 }, async () => {
    expect(sources.length).toBeGreaterThan(10);
    const random = seededRandom(SEED);
    const results = { analysis: 0, unreadable: 0, timeout: 0 };
    let maxMs = 0;
    let slowest = "";
    // One clean message first, so that the worker's start-up is not counted as a message's time.
    await analyzer.analyze(sources[0]!.raw);

    for (let i = 0; i < MESSAGES; i++) {
      const source = sources[i % sources.length]!;
      const { bytes, applied } = mutate(source.raw, random);
      const label = `#${i} ${source.path} [${applied.join(", ")}]`;
      const started = performance.now();
      try {
        const analysis = await analyzer.analyze(bytes);
        expect(typeof analysis.isLead, label).toBe("boolean");
        results.analysis++;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        expect(error, label).toBeInstanceOf(Error);
        expect((error as Error).name, label).toBe("LeaddError");
        expect(["MESSAGE_UNREADABLE", "PARSE_TIMEOUT"], `${label}: ${String(error)}`).toContain(code);
        if (code === "PARSE_TIMEOUT") results.timeout++;
        else results.unreadable++;
      }
      const elapsed = performance.now() - started;
      if (elapsed > maxMs) {
        maxMs = elapsed;
        slowest = label;
      }
    }

    console.log(`fuzz seed ${SEED}: ${MESSAGES} messages from ${sources.length} sources: ${JSON.stringify(results)}; max ${Math.round(maxMs)} ms per message (${slowest})`);
    expect(unhandled.map(String)).toEqual([]);
    expect(results.analysis + results.unreadable + results.timeout).toBe(MESSAGES);
  });
});
