/**
 * Makes values from incoming mail and from the CRM safe to put into reply headers:
 * no CR/LF or other control characters (header injection), bounded lengths, and
 * addresses checked before anything is sent to them.
 */
import addressparser from "nodemailer/lib/addressparser";

/** Longer subjects are cut by every client anyway, and the cap keeps the encoded header short. */
export const MAX_SUBJECT_CHARS = 200;

/** Enough for any real person or company name. A longer one is almost certainly junk. */
export const MAX_DISPLAY_NAME_CHARS = 100;

/** RFC 5321 4.5.3.1.3: a path is at most 256 octets including the angle brackets. */
export const MAX_ADDRESS_CHARS = 254;

/** RFC 5321 4.5.3.1.1: the local part is at most 64 octets. */
export const MAX_LOCAL_PART_CHARS = 64;

/** RFC 5322 sets no limit for a Message-ID. Real ones are far shorter, so longer ones are dropped. */
export const MAX_MESSAGE_ID_CHARS = 250;

/** RFC 5322 2.1.1 line limit: the References value then fits one line unfolded. */
export const MAX_REFERENCES_CHARS = 998;

// C0 controls (CR and LF included), DEL, C1 controls, and the Unicode line and paragraph separators.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

// Dot-atom local part and an LDH domain with at least one dot. Quoted local parts and
// address literals are valid RFC 5321 but never needed for a reply, so they are rejected.
const ADDRESS_PATTERN =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

// Printable ASCII without spaces or angle brackets between the brackets.
const MESSAGE_ID_PATTERN = /^<[\x21-\x3b\x3d\x3f-\x7e]+>$/;

/**
 * Replaces runs of control characters with one space, collapses whitespace and cuts
 * the result to `maxChars` code points.
 */
export function toHeaderText(value: string, maxChars: number): string {
  const flat = value.replace(CONTROL_CHARACTERS, " ").replace(/\s+/g, " ").trim();
  const codePoints = Array.from(flat);
  if (codePoints.length <= maxChars) {
    return flat;
  }
  return codePoints.slice(0, maxChars).join("").trimEnd();
}

/** Removes control characters except newlines and tabs, for values placed in a body. */
export function toBodyText(value: string): string {
  return value.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "");
}

/** Returns the address lower-cased when it is a plain, sendable address, else null. */
export function normalizeAddress(value: string | null | undefined): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  const address = value.trim().replace(/^<(.*)>$/, "$1").toLowerCase();
  if (address.length === 0 || address.length > MAX_ADDRESS_CHARS) {
    return null;
  }
  const at = address.lastIndexOf("@");
  if (at < 1 || at > MAX_LOCAL_PART_CHARS) {
    return null;
  }
  return ADDRESS_PATTERN.test(address) ? address : null;
}

/** Splits a mailbox such as `Aurora leads <leads@aurora.example.com>` into a safe name and a valid address. */
export function parseMailbox(value: string): { name: string; address: string } | null {
  const parsed = addressparser(value, { flatten: true });
  if (parsed.length !== 1) {
    return null;
  }
  const [mailbox] = parsed;
  const address = normalizeAddress(mailbox?.address);
  if (mailbox === undefined || address === null) {
    return null;
  }
  return { name: toHeaderText(mailbox.name, MAX_DISPLAY_NAME_CHARS), address };
}

/** Returns the Message-ID when it is one bracketed token of sane length, else null. */
export function toMessageId(value: string | null | undefined): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  const trimmed = value.trim();
  const id = trimmed.startsWith("<") ? trimmed : `<${trimmed}>`;
  if (id.length > MAX_MESSAGE_ID_CHARS || !MESSAGE_ID_PATTERN.test(id)) {
    return null;
  }
  return id;
}

/** Extracts the valid Message-IDs from a References or In-Reply-To value, in order. */
export function parseMessageIds(value: string | null | undefined): string[] {
  if (value === null || value === undefined) {
    return [];
  }
  const ids: string[] = [];
  for (const match of value.matchAll(/<[^<>]*>/g)) {
    const id = toMessageId(match[0]);
    if (id !== null) {
      ids.push(id);
    }
  }
  return ids;
}
