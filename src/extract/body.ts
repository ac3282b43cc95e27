import { findHeaderBlock } from "./forward.js";
import { DEVICE_FOOTER, DISCLAIMER_START, FORWARD_SEPARATORS, QUOTE_INTRO, SIGN_OFF_LINE, SIGN_OFF_WITH_NAME } from "./vocabulary.js";

/** Lines after a sign-off read as signature; longer tails are disclaimers or history. */
const MAX_SIGNATURE_LINES = 14;
/** Signature lines are short; a longer line is prose or a legal footer. */
const MAX_SIGNATURE_LINE_CHARS = 140;
/** Longest line tested against the quote-intro pattern, which is quadratic in line length. */
const MAX_QUOTE_INTRO_CHARS = 400;

/** One message body split into the enquiry text and what follows it. */
export interface BodyParts {
  /** The author's own text, without sign-off, signature, quoted history or footers. */
  text: string;
  /** The sign-off line, such as "Kind regards,", when one was found. */
  signOff: string | null;
  /** A name written on the sign-off line itself ("Thanks, Helen"). */
  signOffName: string | null;
  /** Lines after the sign-off: the name, title, company and phone block. */
  signature: string[];
  /** Whether quoted history was cut off. */
  quoted: boolean;
}

/** Normalises line endings, no-break spaces and whitespace-only lines (as classic Outlook writes them). */
export function toLines(text: string): string[] {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/[\u00a0\u2007\u202f]/g, " ")
    .replace(/[\u200b-\u200d\ufeff]/g, "")
    .split("\n")
    .map((line) => line.replace(/[ \t]+$/, "").replace(/^\s+$/, ""));
}

/** Index where quoted history starts ("On … wrote:", a header block, "> " quoting), or -1. */
export function findQuoteStart(lines: string[]): number {
  const block = findHeaderBlock(lines);
  let cut = block ? block.start : -1;
  const limit = cut < 0 ? lines.length : cut;

  for (let i = 0; i < limit; i++) {
    const line = lines[i]!;
    if (line.length === 0 || line.length > MAX_QUOTE_INTRO_CHARS) continue;
    const next = lines[i + 1] ?? "";
    if (QUOTE_INTRO.test(line) || (/^(on|den|am|op)\b/i.test(line) && next.length < MAX_QUOTE_INTRO_CHARS && QUOTE_INTRO.test(`${line} ${next}`))) {
      return i;
    }
    if (FORWARD_SEPARATORS[0]!.test(line)) return i;
    if (/^\s*>/.test(line) && lines.slice(i).every((rest) => rest === "" || /^\s*>/.test(rest))) {
      return i;
    }
  }
  return cut;
}

function isNameLike(line: string): boolean {
  return /^[\p{Lu}][\p{L}'’.-]*(?:\s+[\p{L}][\p{L}'’.-]*){0,4}$/u.test(line.trim()) && line.trim().length <= 60;
}

function paragraphs(lines: string[]): [number, number][] {
  const result: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= lines.length; i++) {
    const blank = i === lines.length || lines[i] === "";
    if (!blank && start < 0) start = i;
    if (blank && start >= 0) {
      result.push([start, i]);
      start = -1;
    }
  }
  return result;
}

const CONTACT_LINE = /(\+?\d[\d\s().\/-]{6,}\d)|(www\.|https?:\/\/)|@|^(tel|tlf|phone|mobile?|mob|cell|fax|direct|t|m|p|e)\b\.?\s*:?/i;

/** Whether a trailing paragraph reads like a signature: short lines with a name or contact details. */
function looksLikeSignature(lines: string[], names: string[]): boolean {
  if (lines.length === 0 || lines.length > 8) return false;
  if (lines.some((line) => line.length > 90 || /[?]$/.test(line))) return false;
  const hasName = lines.some((line) => names.some((name) => name && line.toLowerCase().includes(name.toLowerCase())));
  const hasContact = lines.some((line) => CONTACT_LINE.test(line));
  return hasName || (hasContact && lines.every((line) => !/[.!]\s*$/.test(line) || line.length < 40));
}

/** Splits one author's body into enquiry text, sign-off and signature. */
export function splitBody(input: string[], names: string[]): BodyParts {
  let lines = input.filter((line) => !(line.length < 120 && DEVICE_FOOTER.test(line)));
  const quoteStart = findQuoteStart(lines);
  const quoted = quoteStart >= 0;
  if (quoted) lines = lines.slice(0, quoteStart);

  let signOffIndex = -1;
  let signOffName: string | null = null;
  let seenContent = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    if (seenContent && line.length < 80) {
      if (line === "--" || line === "—" || line === "-- ") {
        signOffIndex = i;
        break;
      }
      if (SIGN_OFF_LINE.test(line)) {
        signOffIndex = i;
        break;
      }
      const withName = SIGN_OFF_WITH_NAME.exec(line);
      if (withName && !/\s(for|you|to|in)\s/i.test(line)) {
        signOffIndex = i;
        signOffName = withName[2]!;
        break;
      }
    }
    seenContent = true;
  }

  let bodyLines: string[];
  let tail: string[];
  if (signOffIndex >= 0) {
    bodyLines = lines.slice(0, signOffIndex);
    tail = lines.slice(signOffIndex + 1);
  } else {
    bodyLines = lines;
    tail = [];
    // No sign-off phrase: peel trailing paragraphs that read as a signature.
    const blocks = paragraphs(bodyLines);
    for (let b = blocks.length - 1; b >= 1; b--) {
      const [start, end] = blocks[b]!;
      const block = bodyLines.slice(start, end);
      if (!looksLikeSignature(block, names) && !(block.length <= 2 && block.every(isNameLike))) break;
      tail = [...bodyLines.slice(start), ...tail];
      bodyLines = bodyLines.slice(0, start);
    }
  }

  const text = stripDisclaimer(bodyLines).join("\n").replace(/\n{3,}/g, "\n\n").trim();
  return {
    text,
    signOff: signOffIndex >= 0 ? lines[signOffIndex]!.trim() : null,
    signOffName,
    signature: signatureLines(tail),
    quoted,
  };
}

function stripDisclaimer(lines: string[]): string[] {
  const index = lines.findIndex((line) => line.length < 2000 && (DISCLAIMER_START.test(line.trim()) || /^_{10,}$/.test(line.trim())));
  return index > 0 ? lines.slice(0, index) : lines;
}

/** The signature part of the lines after a sign-off: up to a disclaimer, separator or prose. */
function signatureLines(tail: string[]): string[] {
  const result: string[] = [];
  for (const raw of tail) {
    const line = raw.trim();
    if (line === "") continue;
    if (line === "--" || line === "-- ") continue;
    if (/^[_=*-]{5,}$/.test(line) || DISCLAIMER_START.test(line) || line.length > MAX_SIGNATURE_LINE_CHARS) break;
    result.push(line);
    if (result.length >= MAX_SIGNATURE_LINES) break;
  }
  return result;
}
