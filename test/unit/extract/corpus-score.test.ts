import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../../..");
// The team's shared corpus and scorer sit beside the repository on development machines and in CI.
const CORPUS = join(ROOT, "..", "shared", "corpus", "enquiries");
const SCORER = join(ROOT, "..", "shared", "tools", "score-corpus.mjs");
const CLI = join(ROOT, "dist/src/cli/main.js");
const MIN_SCORE = "0.97";

const available = existsSync(CORPUS) && existsSync(SCORER);
if (!available) console.warn(`corpus score test skipped: ${CORPUS} is not present on this machine`);

describe.skipIf(!available)("corpus score", () => {
  it(`reaches ${MIN_SCORE} with the built CLI`, () => {
    expect(existsSync(CLI), `${CLI} is missing; run npm run build first (npm test does)`).toBe(true);
    let output = "";
    let status = 0;
    try {
      output = execFileSync("node", [SCORER, "--cmd", `node ${CLI} parse --json`, "--min", MIN_SCORE, CORPUS], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    } catch (error) {
      const failure = error as { status?: number; stdout?: string };
      status = failure.status ?? 1;
      output = failure.stdout ?? "";
    }
    expect(output, output).toMatch(/^score \d/m);
    expect(status, output).toBe(0);
  });
});
