import pino from "pino";
import type { AnalyzeOptions } from "../../../src/extract/analyze.js";
import { loadFormRules } from "../../../src/extract/form-rules.js";

export const silentLog = pino({ level: "silent" });

/** The demo company's settings, as in the corpus: Aurora Systems, Norway by default. */
export async function corpusOptions(overrides: Partial<AnalyzeOptions> = {}): Promise<AnalyzeOptions> {
  return {
    defaultCountry: "NO",
    ownDomains: ["aurora.example.com"],
    ownAddresses: ["leads@aurora.example.com"],
    ownCompany: "Aurora Systems",
    appendForwarderNote: false,
    minConfidence: 0.5,
    formRules: await loadFormRules([], silentLog),
    ...overrides,
  };
}

export const leadSettings = { associateIdForNewContact: 12, relation: "Enquiry by e-mail", relationId: 3, ownCompany: "Aurora Systems" };
