import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder holding package.json, found from this file both in src/ (tsx, vitest) and in dist/src/ (built). */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  let folder = start;
  while (!existsSync(join(folder, "package.json"))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`package.json not found above ${start}`);
    folder = parent;
  }
  return folder;
}

/** Bundled form rules, shipped in the package beside src/. */
export const bundledParsersDir = join(packageRoot, "parsers");

/** Bundled reply templates. */
export const bundledTemplatesDir = join(packageRoot, "config", "templates");
