import type { Evidence } from "../types.js";
import { segments } from "./company.js";
import { isPersonNameLine, nameFromLocalPart, splitName, type PersonName } from "./names.js";

export interface NameResult extends PersonName {
  from: string;
  confidence: number;
}

/** A name line in a signature: a full name, alone or as the first segment of a one-line signature. */
function signatureName(signature: string[], firstHint: string | null): { name: PersonName; line: string } | null {
  let fallback: { name: PersonName; line: string } | null = null;
  for (const line of signature.slice(0, 6)) {
    const first = segments(line)[0] ?? line;
    if (!isPersonNameLine(first)) continue;
    const name = splitName(first);
    if (!name) continue;
    if (firstHint && name.firstname.toLowerCase() === firstHint.toLowerCase()) return { name, line };
    fallback ??= { name, line };
  }
  return fallback;
}

/**
 * Chooses the lead's name: the display name (from the header or forward block) when it is
 * a full name, else the signature's name line (checked against the sign-off's first name),
 * else the address's local part at low confidence.
 */
export function chooseName(displayName: string, displayFrom: string, signature: string[], signOffName: string | null, email: string): NameResult | null {
  const display = displayName ? splitName(displayName) : null;
  if (display && display.lastname) return { ...display, from: displayFrom, confidence: 0.9 };

  const firstHint = display?.firstname ?? signOffName?.split(/\s+/)[0] ?? signature.map((line) => line.trim()).find((line) => /^[\p{Lu}][\p{L}'’-]+$/u.test(line)) ?? null;
  const fromSignature = signatureName(signature, firstHint);
  if (fromSignature && (!firstHint || fromSignature.name.firstname.toLowerCase() === firstHint.toLowerCase() || !display)) {
    return { ...fromSignature.name, from: "signature", confidence: firstHint ? 0.85 : 0.7 };
  }
  if (signOffName) {
    const name = splitName(signOffName);
    if (name && name.lastname) return { ...name, from: "sign-off", confidence: 0.75 };
  }
  if (display) {
    const local = nameFromLocalPart(email);
    if (local && local.firstname.toLowerCase() === display.firstname.toLowerCase()) return { ...local, from: `${displayFrom} and address`, confidence: 0.7 };
    return { ...display, from: displayFrom, confidence: 0.6 };
  }
  const local = nameFromLocalPart(email);
  if (local) return { ...local, from: "address local part", confidence: 0.4 };
  return null;
}

export function nameEvidence(result: NameResult | null): { first?: Evidence; last?: Evidence } {
  if (!result) return {};
  return {
    first: result.firstname ? { value: result.firstname, from: result.from, confidence: result.confidence } : undefined,
    last: result.lastname ? { value: result.lastname, from: result.from, confidence: result.confidence } : undefined,
  };
}
