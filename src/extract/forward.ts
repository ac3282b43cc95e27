import { parseAddressText } from "./address.js";
import type { Address } from "./mime.js";
import { FORWARD_SEPARATORS, HEADER_LABELS, HEADER_LINE } from "./vocabulary.js";

/** Lines scanned after a "From:" line for the rest of a header block. */
const MAX_HEADER_BLOCK_LINES = 12;

export type HeaderField = keyof typeof HEADER_LABELS;

/** An inline header block ("From: … Sent: … To: … Subject: …") found in a body. */
export interface HeaderBlock {
  /** Index of the first line that belongs to the block or to its separator. */
  start: number;
  /** Index of the first line after the block. */
  end: number;
  fields: Partial<Record<HeaderField, string>>;
  from: Address;
  /** Whether a forward separator line ("---------- Forwarded message ---------") preceded the block. */
  separator: string | null;
  /** Quote depth of the block lines ("> " prefixes), 0 when unquoted. */
  quoteDepth: number;
}

const LABEL_FIELD = new Map<string, HeaderField>();
for (const [field, labels] of Object.entries(HEADER_LABELS) as [HeaderField, readonly string[]][]) {
  for (const label of labels) if (!LABEL_FIELD.has(label)) LABEL_FIELD.set(label, field);
}

interface HeaderLine {
  field: HeaderField;
  value: string;
}

function readHeaderLine(line: string): HeaderLine | null {
  if (line.length > 400) return null;
  const match = HEADER_LINE.exec(line);
  if (!match) return null;
  const field = LABEL_FIELD.get(match[1]!.toLowerCase());
  return field ? { field, value: match[2]!.replace(/\*+$/, "").trim() } : null;
}

function quoteDepthOf(line: string): number {
  const match = /^(\s*>)+/.exec(line);
  return match ? (match[0].match(/>/g) ?? []).length : 0;
}

/**
 * Finds the first header block of a forwarded or quoted message. A block is a run of
 * header lines with a sender line and at least one of date, recipient or subject, in any
 * order, as Gmail, Outlook, Apple Mail and Thunderbird write them.
 */
export function findHeaderBlock(lines: string[], from = 0): HeaderBlock | null {
  for (let i = from; i < lines.length; i++) {
    const first = readHeaderLine(lines[i]!);
    if (!first) continue;

    const fields: Partial<Record<HeaderField, string>> = {};
    let end = i;
    let lastField: HeaderField | null = null;
    for (let j = i; j < Math.min(lines.length, i + MAX_HEADER_BLOCK_LINES); j++) {
      const line = lines[j]!;
      const header = readHeaderLine(line);
      if (header) {
        if (fields[header.field] !== undefined) break;
        fields[header.field] = header.value;
        lastField = header.field;
        end = j + 1;
        continue;
      }
      const bare = line.replace(/^[>\s]+/, "");
      // Recipient lists and long subjects wrap onto continuation lines.
      if (bare !== "" && lastField !== null && (lastField === "to" || lastField === "cc") && /@|;|,$/.test(bare) && j === end) {
        fields[lastField] += ` ${bare}`;
        end = j + 1;
        continue;
      }
      if (bare === "" && Object.keys(fields).length === 1 && j === end && lastField === "from") {
        // Outlook 2019 can leave an empty line between its header lines; tolerate one.
        continue;
      }
      break;
    }

    const count = Object.keys(fields).length;
    if (fields.from === undefined || count < 2 || (fields.from === "" && count < 3)) continue;

    let start = i;
    let separator: string | null = null;
    for (let k = i - 1; k >= Math.max(0, i - 3); k--) {
      const line = lines[k]!;
      if (line.replace(/^[>\s]+/, "") === "") continue;
      if (FORWARD_SEPARATORS.some((pattern) => pattern.test(line))) {
        separator = line.replace(/^[>\s]+/, "").trim();
        start = k;
      }
      break;
    }

    return { start, end, fields, from: parseAddressText(fields.from), separator, quoteDepth: quoteDepthOf(lines[i]!) };
  }
  return null;
}

/** Removes one level of "> " quoting from lines that carry it. */
export function unquoteLines(lines: string[], depth: number): string[] {
  if (depth <= 0) return lines;
  return lines.map((line) => line.replace(/^\s*>\s?/, ""));
}

/** Whether a forward separator without a header block ("Begin forwarded message:") sits in the lines. */
export function findSeparator(lines: string[]): number {
  return lines.findIndex((line) => line.length < 200 && FORWARD_SEPARATORS.slice(0, 2).some((pattern) => pattern.test(line)));
}
