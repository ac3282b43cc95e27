/** Builds the reply subject from the enquiry's subject. */
import { MAX_SUBJECT_CHARS, toHeaderText } from "./header-safety.js";

/**
 * Reply and forward prefixes of the mail clients leadd meets: English (Re, Fw, Fwd),
 * Norwegian and Danish (SV, VS), Swedish (SV, VB), German (AW, WG), Dutch (Antw, Doorst),
 * French (TR). A counter such as `Re[2]:` or `Re(2):` is part of the prefix.
 */
const PREFIX = /^(?:re|fwd?|sv|vs|vb|aw|wg|antw|doorst|tr)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*/i;

/** Used when the enquiry had no subject, or nothing but prefixes. */
export const EMPTY_SUBJECT = "(no subject)";

/** Removes every leading reply and forward prefix, so `SV: Fwd: Offer` becomes `Offer`. */
export function stripReplyPrefixes(subject: string): string {
  let rest = subject.trim();
  for (;;) {
    const match = PREFIX.exec(rest);
    if (match === null) {
      return rest;
    }
    rest = rest.slice(match[0].length);
  }
}

/**
 * Returns `Re: ` and the enquiry's subject without its own reply and forward prefixes,
 * header-safe and at most MAX_SUBJECT_CHARS long after the prefix.
 */
export function replySubject(original: string): string {
  const base = stripReplyPrefixes(toHeaderText(original, MAX_SUBJECT_CHARS * 2));
  const text = toHeaderText(base, MAX_SUBJECT_CHARS);
  return `Re: ${text.length > 0 ? text : EMPTY_SUBJECT}`;
}
