import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeMessage } from "../../../src/extract/analyze.js";
import { buildLeadRequest } from "../../../src/extract/request.js";
import { compareCase, loadCases } from "./expected.js";
import { corpusOptions, leadSettings, silentLog } from "./options.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures");

describe("analyzeMessage fixtures", async () => {
  const options = await corpusOptions();
  for (const testCase of loadCases(FIXTURES)) {
    it(testCase.name, async () => {
      const analysis = await analyzeMessage(testCase.eml, options, silentLog);
      const request = analysis.isLead ? buildLeadRequest(analysis, leadSettings) : null;
      expect(compareCase(testCase.expected, analysis.isLead, request, analysis.reason)).toEqual([]);
    });
  }
});

describe("analyzeMessage fixtures without own domains", async () => {
  // `leadd parse` without a config file knows no own domains and no default country.
  const options = await corpusOptions({ ownDomains: [], ownAddresses: [], ownCompany: undefined, defaultCountry: "" });
  for (const testCase of loadCases(FIXTURES)) {
    it(testCase.name, async () => {
      const analysis = await analyzeMessage(testCase.eml, options, silentLog);
      const request = analysis.isLead ? buildLeadRequest(analysis, leadSettings) : null;
      expect(compareCase(testCase.expected, analysis.isLead, request, analysis.reason)).toEqual([]);
    });
  }
});
