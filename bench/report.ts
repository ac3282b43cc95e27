import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const BENCHMARKS_FILE = join(import.meta.dirname, "..", "docs", "benchmarks.md");
const HEADER = "# Benchmarks\n\nWritten by `npm run bench`; each section is replaced when its benchmark runs again.\n";

/** Replace the section between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in docs/benchmarks.md. */
export function writeBenchSection(name: string, markdown: string): void {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  let text = existsSync(BENCHMARKS_FILE) ? readFileSync(BENCHMARKS_FILE, "utf8") : HEADER;
  const section = `${open}\n${markdown.trim()}\n${close}`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start !== -1 && end > start) text = text.slice(0, start) + section + text.slice(end + close.length);
  else text = `${text.trimEnd()}\n\n${section}\n`;
  mkdirSync(dirname(BENCHMARKS_FILE), { recursive: true });
  writeFileSync(BENCHMARKS_FILE, text);
}
