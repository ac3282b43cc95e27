import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";

/** A phone number found in the text, in E.164 when its country is known. */
export interface PhoneCandidate {
  value: string;
  score: number;
  confidence: number;
  from: string;
}

/** Phone-like runs: an optional +/00 prefix, 7 to 20 digits with common separators. */
const PHONE_RUN = /(?:\+|\b00)?\(?\d[\d \t().\/–-]{5,22}\d\b/g;
const DATE_LIKE = /^(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./-]\d{1,2}[./-]\d{1,2})$/;
const IP_LIKE = /^\d{1,3}(\.\d{1,3}){3}$/;

const FAX_LABEL = /\b(fax|telefax|faks)\b/i;
const NOT_PHONE_LABEL = /\b(org\.?\s*n(r|o)|orgnr|org\.?|vat|mva|moms|ust|kvk|btw|hrb|hra|cvr|registered|reg\.?\s*n(o|r)|company (number|no)|firm reference|iban|swift|bic|konto|account|invoice|faktura|order|ordre|bestilling|ticket|case|sak|postboks|po box|zip|postcode|plz)\b/i;
const MOBILE_LABEL = /(^|\b)(mobile?|mob|mobil|mobiel|cell|cellphone|handy|gsm|m)\b\.?\s*[:.]?/i;
const DIRECT_LABEL = /(^|\b)(direct|direkt|direkte|dir|d|dd|direct dial)\b\.?\s*[:.]?/i;
const PHONE_LABEL = /(^|\b)(tel|tlf|phone|telephone|telefon|telefoon|tel\.?nr|t|p|ph|nummer|number)\b\.?\s*[:.]?/i;
const SWITCHBOARD_LABEL = /\b(switchboard|sentralbord|växel|vaxel|omstilling|zentrale|vermittlung|receptie|reception|hovednummer|main|head office|office|kontor|hauptnummer|centrale)\b/i;
/** Words before a number in prose that ask to be called on it. */
const CALL_ME = /\b(call|ring|phone|reach|contact|number|nummer|tlf|tel|telefon|mobil|mobile|anrufen|rückruf|erreichen|bellen|bel|nå|nås|ringe|ringa|ringes|kontakt|unter|på|on|at)\b[^.\n]{0,40}$/i;

const TLD_REGION: Record<string, CountryCode> = {
  no: "NO", se: "SE", dk: "DK", de: "DE", nl: "NL", uk: "GB", gb: "GB", at: "AT", ch: "CH", fi: "FI",
  be: "BE", fr: "FR", ie: "IE", is: "IS", pl: "PL", es: "ES", it: "IT", us: "US", ca: "CA", au: "AU",
  lu: "LU", ee: "EE", lv: "LV", lt: "LT", pt: "PT",
};
const LANGUAGE_REGION: Record<string, CountryCode> = { nb: "NO", nn: "NO", no: "NO", sv: "SE", da: "DK", de: "DE", nl: "NL", en: "GB" };
const COUNTRY_NAMES: Record<string, CountryCode> = {
  norway: "NO", norge: "NO", noreg: "NO", norwegen: "NO", noorwegen: "NO", sweden: "SE", sverige: "SE", schweden: "SE",
  zweden: "SE", denmark: "DK", danmark: "DK", dänemark: "DK", denemarken: "DK", germany: "DE", deutschland: "DE",
  tyskland: "DE", duitsland: "DE", netherlands: "NL", "the netherlands": "NL", nederland: "NL", holland: "NL",
  niederlande: "NL", nederländerna: "NL", nederlandene: "NL", "united kingdom": "GB", uk: "GB", "great britain": "GB",
  england: "GB", scotland: "GB", wales: "GB", storbritannia: "GB", storbritannien: "GB", "vereinigtes königreich": "GB",
  "verenigd koninkrijk": "GB", ireland: "IE", finland: "FI", austria: "AT", österreich: "AT", switzerland: "CH",
  schweiz: "CH", belgium: "BE", belgië: "BE", belgien: "BE", france: "FR", "united states": "US", usa: "US",
};

/** The region for an address's country-code top-level domain, if it has one. */
export function regionOfEmail(email: string): CountryCode | null {
  const tld = email.slice(email.lastIndexOf(".") + 1).toLowerCase();
  return TLD_REGION[tld] ?? null;
}

export function regionOfLanguage(language: string | null): CountryCode | null {
  return language ? (LANGUAGE_REGION[language] ?? null) : null;
}

export function regionOfCountryName(name: string): CountryCode | null {
  const key = name.trim().toLowerCase();
  if (/^[a-z]{2}$/.test(key)) return (TLD_REGION[key] ?? key.toUpperCase()) as CountryCode;
  return COUNTRY_NAMES[key] ?? null;
}

/** Normalises one phone-like string to E.164, trying the candidate regions in order. */
export function toE164(text: string, regions: CountryCode[]): { value: string; valid: boolean } | null {
  const cleaned = text.replace(/\(0\)/g, " ").replace(/[–]/g, "-").trim();
  const digits = cleaned.replace(/\D/g, "");
  if (digits.length < 6 || digits.length > 15) return null;
  if (DATE_LIKE.test(cleaned) || IP_LIKE.test(cleaned)) return null;
  const international = /^(\+|00)/.test(cleaned);
  const input = international ? cleaned.replace(/^00/, "+") : cleaned;

  let possible: string | null = null;
  for (const region of international ? [undefined] : regions) {
    const parsed = parsePhoneNumberFromString(input, region);
    if (!parsed) continue;
    if (parsed.isValid()) return { value: parsed.number, valid: true };
    if (possible === null && parsed.isPossible()) possible = parsed.number;
  }
  if (possible) return { value: possible, valid: false };
  return null;
}

interface ScanContext {
  regions: CountryCode[];
  from: string;
  /** Base score of the place the line came from. */
  base: number;
  /** Prose lines only yield numbers with a call cue ("call me on") or a phone label. */
  prose: boolean;
}

/** Finds phone numbers in lines, skipping fax, registration and order numbers, dates and IPs. */
export function scanPhones(lines: string[], context: ScanContext): PhoneCandidate[] {
  const found: PhoneCandidate[] = [];
  for (const line of lines) {
    if (line.length > 1000) continue;
    for (const match of line.matchAll(PHONE_RUN)) {
      const raw = match[0].trim();
      const before = line.slice(Math.max(0, match.index - 48), match.index);
      const after = line.slice(match.index + match[0].length, match.index + match[0].length + 3);
      if (/^([.,]?\d)/.test(after) || /\d[.,]?$/.test(before) || /[-/]$/.test(before.trim()) && /\d$/.test(before.trim().slice(0, -1))) continue;
      if (FAX_LABEL.test(before) || NOT_PHONE_LABEL.test(before)) continue;
      if (/(€|\$|£|kr|nok|sek|dkk|eur)\s*$/i.test(before) || /^\s*(%|€|kr|mm|cm|m²|m2|users|brukere)/i.test(after)) continue;

      let score = context.base;
      const label = before.slice(-24);
      if (MOBILE_LABEL.test(label)) score += 3;
      else if (DIRECT_LABEL.test(label)) score += 2;
      else if (PHONE_LABEL.test(label)) score += 1;
      if (SWITCHBOARD_LABEL.test(before)) score -= 2;
      const cue = CALL_ME.test(before);
      if (context.prose) {
        if (!cue && !PHONE_LABEL.test(label) && !MOBILE_LABEL.test(label)) continue;
        score += 4;
      }

      const phone = toE164(raw, context.regions);
      if (!phone) continue;
      if (!phone.valid && !/^(\+|00|0)/.test(raw) && !cue && !PHONE_LABEL.test(label) && !MOBILE_LABEL.test(label)) continue;
      found.push({
        value: phone.value,
        score: score + (phone.valid ? 0.5 : 0),
        confidence: phone.valid ? 0.9 : 0.7,
        from: context.from,
      });
    }
  }
  return found;
}
