import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeMessage } from "../../../src/extract/analyze.js";
import { buildLeadRequest } from "../../../src/extract/request.js";
import { compareCase, loadCases } from "./expected.js";
import { corpusOptions, leadSettings, silentLog } from "./options.js";

const HOLDOUT = join(import.meta.dirname, "../../holdout");
/** Share of the scorer's checks that must pass. The set was written blind, so a few misses are allowed. */
const MIN_SCORE = 0.97;

const available = existsSync(HOLDOUT);
if (!available) console.warn(`hold-out score test skipped: ${HOLDOUT} is not present in this checkout`);

describe.skipIf(!available)("hold-out corpus", () => {
  it(`reaches ${MIN_SCORE} of its checks`, async () => {
    // `leadd parse` without a config file: no own domains, no default country.
    const options = await corpusOptions({ ownDomains: [], ownAddresses: [], ownCompany: undefined, defaultCountry: "" });
    const cases = loadCases(HOLDOUT);
    expect(cases.length).toBeGreaterThan(0);
    let checks = 0;
    const misses: string[] = [];
    for (const testCase of cases) {
      const analysis = await analyzeMessage(testCase.eml, options, silentLog);
      const request = analysis.isLead ? buildLeadRequest(analysis, leadSettings) : null;
      checks += countChecks(testCase.expected);
      for (const miss of compareCase(testCase.expected, analysis.isLead, request)) misses.push(`${testCase.name}: ${miss}`);
    }
    const score = (checks - misses.length) / checks;
    expect(score, misses.join("\n")).toBeGreaterThanOrEqual(MIN_SCORE);
  });
});

/** Checks one case holds, counted the way the corpus scorer counts them. */
function countChecks(expected: ReturnType<typeof loadCases>[number]["expected"]): number {
  if (expected.not_a_lead) return 1;
  const fields = ["LeadPersonFirstname", "LeadPersonLastname", "LeadPersonEmail", "LeadPhoneNumber", "LeadContact", "CreatorsFirstname", "CreatorsLastname"];
  return 1 + fields.filter((field) => field in expected).length + (expected.description_contains?.length ?? 0) + (expected.description_excludes?.length ?? 0);
}
