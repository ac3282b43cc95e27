import { readdir, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { LeaddError } from "../errors.js";

/** Form fields a rule can map labels to. `ignore` marks metadata such as consent boxes or IPs. */
export const FORM_FIELDS = ["name", "firstname", "middlename", "particle", "lastname", "email", "phone", "mobile", "company", "message", "country", "subject", "title", "salutation", "ignore"] as const;
export type FormField = (typeof FORM_FIELDS)[number];

const regexString = z.string().min(1).refine((value) => {
  try {
    new RegExp(value, "iu");
    return true;
  } catch {
    return false;
  }
}, "must be a valid regular expression");

const ruleSchema = z.strictObject({
  name: z.string().min(1),
  /** Shown in the reason: "web form (WordPress)". */
  label: z.string().min(1).optional(),
  priority: z.number().int().default(0),
  match: z
    .strictObject({
      from: regexString.optional(),
      subject: regexString.optional(),
      body: regexString.optional(),
    })
    .default({}),
  /** Minimum number of distinct recognised fields before the rule applies. */
  minFields: z.number().int().min(1).default(2),
  fields: z.partialRecord(z.enum(FORM_FIELDS), z.array(z.string().min(1)).min(1)),
  /** Lines that end the message field and everything after it: footers, separators. */
  stopAt: z.array(regexString).default([]),
});

const fileSchema = z.strictObject({ rules: z.array(ruleSchema).min(1) });

/** One form layout: when it applies and which labels hold which field. */
export interface FormRule {
  name: string;
  label: string;
  priority: number;
  source: string;
  match: { from?: RegExp; subject?: RegExp; body?: RegExp };
  minFields: number;
  /** Normalised label (lower case, no trailing colon or asterisk) → field. */
  labels: Map<string, FormField>;
  stopAt: RegExp[];
}

/** Normalises a form label for lookup: lower case, single spaces, no trailing ":" or "*". */
export function normaliseLabel(label: string): string {
  return label.toLowerCase().replace(/[*:?]+\s*$/, "").replace(/\s+/g, " ").trim();
}

/** The bundled parsers/ folder, found from this file both in src/ and in dist/src/. */
export function bundledRulesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [resolve(here, "../../parsers"), resolve(here, "../../../parsers")]) {
    if (existsSync(join(candidate, "generic.yaml"))) return candidate;
  }
  return resolve(here, "../../parsers");
}

/**
 * Loads form rules from the bundled parsers/ folder and the given admin folders.
 * A broken file is a CONFIG_INVALID error naming the file and the key; a missing admin
 * folder is logged and skipped.
 */
export async function loadFormRules(dirs: string[], log: Logger): Promise<FormRule[]> {
  const rules: FormRule[] = [];
  const folders = [bundledRulesDir(), ...dirs.filter((dir) => resolve(dir) !== bundledRulesDir())];
  for (const dir of folders) {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((name) => /\.ya?ml$/i.test(name)).sort();
    } catch (error) {
      log.warn({ dir, err: error }, "form rules folder not readable; skipped");
      continue;
    }
    for (const name of names) rules.push(...(await loadRuleFile(join(dir, name))));
  }
  rules.sort((a, b) => b.priority - a.priority);
  log.debug({ count: rules.length, folders }, "form rules loaded");
  return rules;
}

async function loadRuleFile(path: string): Promise<FormRule[]> {
  let document: unknown;
  try {
    document = parseYaml(await readFile(path, "utf8"));
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : "";
    throw new LeaddError("CONFIG_INVALID", `Form rule file ${path} is not valid YAML${where}: ${(error as Error).message.split("\n")[0]}. Fix the file or remove it from the rules folder.`, { cause: error });
  }

  const result = fileSchema.safeParse(document);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.join(".") || "(top level)";
    throw new LeaddError("CONFIG_INVALID", `Form rule file ${path} is invalid at key ${key}: ${issue.message}. See parsers/README.md for the rule format.`, { details: { path, key } });
  }

  return result.data.rules.map((rule) => {
    const labels = new Map<string, FormField>();
    for (const [field, list] of Object.entries(rule.fields) as [FormField, string[]][]) {
      for (const label of list) labels.set(normaliseLabel(label), field);
    }
    return {
      name: rule.name,
      label: rule.label ?? rule.name,
      priority: rule.priority,
      source: path,
      match: {
        from: rule.match.from ? new RegExp(rule.match.from, "iu") : undefined,
        subject: rule.match.subject ? new RegExp(rule.match.subject, "iu") : undefined,
        body: rule.match.body ? new RegExp(rule.match.body, "iu") : undefined,
      },
      minFields: rule.minFields,
      labels,
      stopAt: rule.stopAt.map((pattern) => new RegExp(pattern, "iu")),
    };
  });
}
