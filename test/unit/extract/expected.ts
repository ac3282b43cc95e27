import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LeadRequest } from "../../../src/types.js";

/** One .eml with its NN-name.expected.json, in the corpus format. */
export interface ExpectedCase {
  name: string;
  eml: Buffer;
  expected: Record<string, unknown> & { not_a_lead?: boolean; description_contains?: string[]; description_excludes?: string[]; reason_contains?: string };
}

export function loadCases(dir: string): ExpectedCase[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".eml"))
    .sort()
    .map((name) => ({
      name,
      eml: readFileSync(join(dir, name)),
      expected: JSON.parse(readFileSync(join(dir, name.replace(/\.eml$/, ".expected.json")), "utf8")),
    }));
}

const fold = (value: unknown): string =>
  String(value ?? "").normalize("NFC").replace(/\s+/g, " ").trim().replace(/[.,;:]+$/, "").toLocaleLowerCase("en");
const digits = (value: unknown): string => String(value ?? "").replace(/\D/g, "");

const FIELDS = ["LeadPersonFirstname", "LeadPersonLastname", "LeadPersonEmail", "LeadPhoneNumber", "LeadContact", "CreatorsFirstname", "CreatorsLastname"] as const;

/**
 * Compares one result the way the corpus scorer does, plus the optional `reason_contains`
 * of this project's fixtures. Returns the list of mismatches.
 */
export function compareCase(expected: ExpectedCase["expected"], isLead: boolean, request: LeadRequest | null, reason = ""): string[] {
  const reasonMiss = expected.reason_contains && !reason.includes(expected.reason_contains) ? [`reason: expected ${JSON.stringify(expected.reason_contains)} in ${JSON.stringify(reason)}`] : [];
  if (expected.not_a_lead) return isLead ? ["expected not a lead", ...reasonMiss] : reasonMiss;
  if (!isLead || !request) return ["expected a lead"];
  const misses: string[] = [...reasonMiss];
  for (const field of FIELDS) {
    if (!(field in expected)) continue;
    const want = expected[field];
    const got = request[field];
    let ok: boolean;
    if (field === "LeadPhoneNumber") {
      const wantDigits = digits(want);
      ok = wantDigits === "" ? digits(got) === "" : String(want).startsWith("+") ? wantDigits === digits(got) : digits(got).endsWith(wantDigits.replace(/^0+/, ""));
    } else {
      ok = (Array.isArray(want) ? want : [want]).some((option) => fold(option) === fold(got));
    }
    if (!ok) misses.push(`${field}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
  const description = fold(request.LeadDescription);
  for (const phrase of expected.description_contains ?? []) if (!description.includes(fold(phrase))) misses.push(`description lacks ${JSON.stringify(phrase)}`);
  for (const phrase of expected.description_excludes ?? []) if (description.includes(fold(phrase))) misses.push(`description contains ${JSON.stringify(phrase)}`);
  return misses;
}
