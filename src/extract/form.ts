import { normaliseLabel, type FormField, type FormRule } from "./form-rules.js";
import { CHECKBOX_VALUE, CONSENT_WORD } from "./vocabulary.js";

/** Longest label read as a form label; longer text before a colon is prose. */
const MAX_LABEL_CHARS = 48;
/** Longest consent or newsletter check-box label, which is often a whole sentence. */
const MAX_CONSENT_LABEL_CHARS = 240;
/** Labels up to this many words are short field names ("Newsletter", "Nyhetsbrev ønskes"). */
const MAX_SHORT_LABEL_WORDS = 4;
/** Longest answer to a consent check box that is itself a consent phrase ("Ja, ich stimme zu"). */
const MAX_CONSENT_ANSWER_WORDS = 8;
/** Lines read after a message label; longer messages are cut here. */
const MAX_MESSAGE_LINES = 200;

/** Field values read from a form notification. */
export interface FormData {
  rule: FormRule;
  values: Partial<Record<Exclude<FormField, "ignore">, string>>;
  /** Number of distinct recognised fields, metadata included. */
  recognised: number;
}

const LABEL_LINE = new RegExp(`^\\s*([^:\\n]{1,${MAX_LABEL_CHARS}}?)\\s*[:：]\\s*(.*)$`);

function readLabel(line: string): { label: string; value: string } | null {
  if (line.length > 4000) return null;
  const match = LABEL_LINE.exec(line);
  if (!match) return null;
  const label = match[1]!.trim();
  if (/https?$/i.test(label) || label.split(/\s+/).length > 6) return null;
  return { label: normaliseLabel(label), value: match[2]!.trim() };
}

/**
 * Whether a line is a consent, privacy, newsletter or marketing field: "I agree to … : Yes",
 * "Datenschutz: akzeptiert", "[x] Ja, ich möchte den Newsletter erhalten". A long label
 * needs a check-box value, so a sentence in a message that happens to hold a colon stays.
 */
export function isConsentLine(line: string): boolean {
  const text = line.trim();
  if (text === "" || text.length > MAX_CONSENT_LABEL_CHARS + 80) return false;
  const box = /^(\[[ xX✓✔]?\]|[☑☐✓✔■□])\s*(.*)$/u.exec(text);
  if (box) return CONSENT_WORD.test(box[2]!);
  const colon = text.search(/[:：]/);
  if (colon < 0 && text.length <= MAX_CONSENT_LABEL_CHARS) return CONSENT_GIVEN_AT_END.test(text) && CONSENT_WORD.test(text.replace(CONSENT_GIVEN_AT_END, ""));
  if (colon <= 0 || colon > MAX_CONSENT_LABEL_CHARS) return false;
  const label = text.slice(0, colon).replace(/[*?]+\s*$/, "").trim();
  const value = text.slice(colon + 1).trim();
  if (!CONSENT_WORD.test(label) || /https?$/i.test(label)) return false;
  if (CHECKBOX_VALUE.test(value)) return true;
  const valueWords = value.split(/\s+/).length;
  // A check box answered with a short consent phrase: "… : I agree", "… : Ich stimme zu".
  if (valueWords <= MAX_CONSENT_ANSWER_WORDS && CONSENT_WORD.test(value)) return true;
  // A short field name ("Newsletter", "Datenschutz") with a short answer.
  return label.split(/\s+/).length <= MAX_SHORT_LABEL_WORDS && valueWords <= 3;
}

/** A consent written as one phrase without a colon: "Privacy policy accepted", "Datenschutzerklärung akzeptiert". */
const CONSENT_GIVEN_AT_END = /\s(accepted|agreed|akzeptiert|zugestimmt|godkjent|godtatt|godkänd|godkänt|accepterad|accepteret|godkendt|geaccepteerd|akkoord)\.?$/iu;

function ruleApplies(rule: FormRule, sender: string, subject: string, text: string): boolean {
  if (rule.match.from && !rule.match.from.test(sender)) return false;
  if (rule.match.subject && !rule.match.subject.test(subject)) return false;
  if (rule.match.body && !rule.match.body.test(text.slice(0, 64 * 1024))) return false;
  return true;
}

/**
 * Reads a form notification with the first rule that matches the sender, subject and body
 * and recognises enough fields. Returns null for mail that is not a form notification.
 */
export function readForm(lines: string[], rules: FormRule[], sender: string, subject: string): FormData | null {
  const text = lines.join("\n");
  for (const rule of rules) {
    if (!ruleApplies(rule, sender, subject, text)) continue;
    const data = applyRule(rule, lines);
    const contact = data.values.email || data.values.phone || data.values.mobile;
    const person = data.values.name || data.values.firstname || data.values.lastname || data.values.message;
    if (data.recognised >= rule.minFields && contact && person) return data;
  }
  return null;
}

function applyRule(rule: FormRule, lines: string[]): FormData {
  const values: FormData["values"] = {};
  const seen = new Set<FormField>();

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (rule.stopAt.some((pattern) => pattern.test(line.trim()))) continue;
    const entry = readLabel(line);
    if (!entry && isConsentLine(line)) seen.add("ignore");
    if (!entry) continue;
    const field = rule.labels.get(entry.label) ?? (isConsentLine(line) ? "ignore" : undefined);
    if (!field) continue;
    seen.add(field);
    if (field === "ignore") continue;

    if (field === "message") {
      const { value, next } = readMessage(rule, lines, i, entry.value);
      if (!values.message) values.message = value;
      i = next - 1;
      continue;
    }
    let value = entry.value;
    if (value === "" && lines[i + 1] && !readLabel(lines[i + 1]!)) value = lines[i + 1]!.trim();
    if (value !== "" && values[field] === undefined) values[field] = value;
  }
  return { rule, values, recognised: seen.size };
}

/** Reads a multi-line message field up to the next known label, a stop line or a metadata block. */
function readMessage(rule: FormRule, lines: string[], index: number, first: string): { value: string; next: number } {
  const collected: string[] = first ? [first] : [];
  let i = index + 1;
  for (; i < lines.length && i < index + MAX_MESSAGE_LINES; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (rule.stopAt.some((pattern) => pattern.test(trimmed))) break;
    const entry = readLabel(line);
    if (entry && rule.labels.has(entry.label)) break;
    if (isConsentLine(line)) break;
    // A blank line followed by another "Label: value" line ends the message.
    if (trimmed === "" && i + 1 < lines.length) {
      const following = readLabel(lines[i + 1]!);
      if (following && following.label.split(" ").length <= 4 && !/[.!?]$/.test(following.label)) break;
    }
    collected.push(line);
  }
  return { value: collected.join("\n").trim(), next: i };
}
