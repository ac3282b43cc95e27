/** The .eml files the end-to-end tests append: the project's samples, plus the shared corpus when present. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./cli.js";

export const SHARED_CORPUS = join(REPO_ROOT, "..", "shared", "corpus", "enquiries");

export interface MailFile {
  path: string;
  raw: Buffer;
  /** From the `.expected.json` beside the file, when there is one. */
  expected: { not_a_lead?: boolean; LeadPersonEmail?: string } | null;
}

export function readMailFolder(folder: string): MailFile[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith(".eml"))
    .sort()
    .map((name) => {
      const path = join(folder, name);
      const expectedPath = path.replace(/\.eml$/, ".expected.json");
      const expected = existsSync(expectedPath) ? (JSON.parse(readFileSync(expectedPath, "utf8")) as MailFile["expected"]) : null;
      return { path, raw: readFileSync(path), expected };
    });
}

/**
 * Read the project's samples and hold-out set, which give the server tests enough leads on
 * their own. Add the shared corpus where it exists, which is not the case in a user's clone.
 */
export function endToEndMail(): { files: MailFile[]; corpusPresent: boolean } {
  const samples = readMailFolder(join(REPO_ROOT, "samples"));
  const holdout = readMailFolder(join(REPO_ROOT, "test", "holdout"));
  const corpus = readMailFolder(SHARED_CORPUS);
  if (corpus.length === 0) console.warn(`shared corpus not found at ${SHARED_CORPUS}: the end-to-end tests use the project's samples and hold-out set only`);
  return { files: [...samples, ...holdout, ...corpus], corpusPresent: corpus.length > 0 };
}
