import { domainOf } from "./address.js";

/** Legal-form suffixes in the six countries and the UK/US, matched at the end of a name. */
const LEGAL_SUFFIX_SOURCE =
  "(?:AS|ASA|AB|ApS|A\\/S|I\\/S|P\\/S|IVS|K\\/S|Oy|Oyj|GmbH|gGmbH|GmbH & Co\\.? KG|AG|KG|OHG|UG|e\\.V\\.|B\\.V\\.|BV|N\\.V\\.|NV|V\\.O\\.F\\.|VOF|Ltd\\.?|Limited|LLP|LLC|Inc\\.?|plc|PLC|Corp\\.?|Co\\.|& Co\\.?|SE|SA|S\\.A\\.|SARL|S\\.r\\.l\\.|HB|KB|ANS|DA|SA|Group|Gruppe|Groep|Gruppen|Koncern|Konzern|Holding)";
export const LEGAL_SUFFIX_AT_END = new RegExp(`(?:^|\\s)${LEGAL_SUFFIX_SOURCE}$`);
const STRICT_SUFFIX_AT_END = new RegExp(`(?:^|\\s)${LEGAL_SUFFIX_SOURCE.replace("|Group|Gruppe|Groep|Gruppen|Koncern|Konzern|Holding", "")}$`);

/** Words that mark an organisation without a legal suffix. */
export const ORGANISATION_WORD =
  /\b(trust|group|hotels?|council|university|college|school|academy|hospital|clinic|klinik|foundation|association|society|partners|bank|church|centre|center|institute|institut|kommune|fylkeskommune|kommun|region|landsting|universitet|høgskole|högskola|skole|skola|sykehus|sjukhus|stiftelse|stiftung|stichting|forening|förening|verein|verband|gemeente|provincie|ziekenhuis|hogeschool|universiteit|zorggroep|kirke|kyrka|kerk|museum|bibliotek|library|agency|studio|labs?|solutions|services|consulting|logistics|systems|technologies|holding|industries|gruppen|huset|bygg|eiendom|fastigheter|ejendomme|immobilien|vastgoed)\b/i;

/** Job-title words; a signature segment with one of them is a title, not a company. */
export const TITLE_WORD =
  /\b(manager|director|head of|head|officer|lead|chief|ceo|cfo|cto|coo|cio|founder|co-founder|owner|partner|consultant|engineer|assistant|coordinator|co[oö]rdinator|specialist|analyst|advis[oe]r|executive|president|vice|vp|secretary|administrator|receptionist|buyer|purchaser|accountant|controller|architect|developer|designer|leiter(in)?|geschäftsführer(in)?|inhaber(in)?|referent(in)?|sachbearbeiter(in)?|einkäufer(in)?|vorstand|prokurist(in)?|sjef|leder|daglig leder|ansvarlig|rådgiver|konsulent|chef|ansvarig|handläggare|samordnare|vd|direktør|direktör|direkt[oø]r|ejer|indehaver|medarbejder|medewerker|directeur|beheerder|adviseur|eigenaar|teamleider|hoofd|afdelingshoofd|projectleider|office manager|facilit\w*|innkjøp\w*|inköp\w*|einkauf|inkoop\w*|procurement|purchasing|sales|marketing|operations|it\b|hr\b|kontorschef|driftssjef|avdelingsleder|enhetsleder|verkstadschef|intern)\b/i;

export interface CompanyCandidate {
  value: string;
  confidence: number;
  from: string;
}

export function hasLegalSuffix(text: string): boolean {
  return LEGAL_SUFFIX_AT_END.test(text.trim());
}

/** Whether a name is our own company (configured name or one of our domains' names). */
export function isOwnCompany(name: string, ownCompany: string | undefined, ownDomains: string[]): boolean {
  const folded = fold(name);
  if (folded === "") return false;
  if (ownCompany && (folded.includes(fold(ownCompany)) || fold(ownCompany).includes(folded))) return true;
  return ownDomains.some((domain) => {
    const label = companyLabelOfDomain(domain);
    return label !== "" && fold(label) === folded;
  });
}

function fold(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
}

/** Splits a signature line into segments: "Name | Title | Company | Phone", "Title, Company". */
export function segments(line: string): string[] {
  return line
    .split(/\s+[|·•–—]\s+|\s*\|\s*|\s+-\s+/)
    .flatMap((part) => (/,/.test(part) && !/\d/.test(part) ? part.split(/,\s+/) : [part]))
    .map((part) => part.trim())
    .filter(Boolean);
}

/** Scores one signature segment as the company name, or returns null. */
export function scoreCompanySegment(segment: string, leadDomain: string): number | null {
  const text = segment.trim();
  if (text.length < 2 || text.length > 80) return null;
  if (/@|https?:|www\.|\d{3,}|:\s/.test(text)) return null;
  if (/^[\p{Ll}]/u.test(text)) return null;
  if (STRICT_SUFFIX_AT_END.test(text)) return 0.9;
  if (TITLE_WORD.test(text)) return null;
  const domainLabel = fold(companyLabelOfDomain(leadDomain));
  const folded = fold(text);
  if (domainLabel.length >= 3 && folded.length >= 3 && (folded.startsWith(domainLabel) || domainLabel.startsWith(folded.slice(0, Math.max(4, Math.floor(folded.length * 0.6)))))) return 0.8;
  if (LEGAL_SUFFIX_AT_END.test(text)) return 0.8;
  if (ORGANISATION_WORD.test(text)) return 0.7;
  return null;
}

const SECOND_LEVEL = new Set(["co", "com", "org", "net", "ac", "gov", "ltd", "plc", "me", "priv"]);
const GENERIC_LABELS = new Set(["www", "mail", "email", "e-mail", "smtp", "mx", "post", "webmail", "example", "m"]);

/**
 * The organisation label of a domain: "havbris-eiendom" for havbris-eiendom.example.no,
 * "acme" for mail.acme.co.uk. The reserved "example" label counts as part of the suffix.
 */
export function companyLabelOfDomain(domain: string): string {
  const labels = domain.toLowerCase().split(".").filter(Boolean);
  if (labels.length < 2) return "";
  labels.pop();
  if (labels.length > 1 && SECOND_LEVEL.has(labels[labels.length - 1]!)) labels.pop();
  while (labels.length > 0 && GENERIC_LABELS.has(labels[labels.length - 1]!)) labels.pop();
  const label = labels[labels.length - 1] ?? "";
  return GENERIC_LABELS.has(label) ? "" : label;
}

/** A readable company name from a domain: "havbris-eiendom" → "Havbris Eiendom". */
export function companyFromDomain(email: string): string {
  const label = companyLabelOfDomain(domainOf(email));
  if (label.length < 2) return "";
  return label
    .split(/[-_]/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}

const CAPITALISED_RUN =
  /(?:the\s+|die\s+|der\s+|de\s+|het\s+)?((?:[\p{Lu}][\p{L}'’.&-]*)(?:\s+(?:[\p{Lu}][\p{L}'’.&-]*|&|and|og|och|und|en|A\/S)){0,5})/uy;
/** "We run a small bakery called X", "Vi i X AS", "I work at X", "wir sind die X GmbH" … */
const SELF_INTRODUCTION =
  /\b(called|named|namens|kalt|som heter|som hedder|genaamd|heißt|heten|vi i|vi på|vi hos|vi fra|vi från|vi er|vi är|wir von|wir sind|wij zijn|wij van|we at|we are|we're|here at|i work at|i work for|i'm with|i am with|jeg jobber i|jeg jobber hos|jeg arbejder i|jeg arbejder hos|jag jobbar på|jag arbetar på|ich arbeite bei|ik werk bij|for|från|fra)\s+/giu;

/**
 * A company the lead names as their own in prose. Companies after "from", "with" or a
 * competitor's name are never taken: only phrases in which the writer introduces
 * themselves.
 */
export function companyFromProse(text: string, ownCompany: string | undefined, ownDomains: string[]): CompanyCandidate | null {
  const sample = text.slice(0, 4000);
  for (const intro of sample.matchAll(SELF_INTRODUCTION)) {
    CAPITALISED_RUN.lastIndex = intro.index + intro[0].length;
    const run = CAPITALISED_RUN.exec(sample);
    if (!run) continue;
    const word = intro[1]!.toLowerCase();
    const name = run[1]!.replace(/\s+(and|og|och|und|en|&)$/i, "").replace(/[.,]$/, "").trim();
    if (name.length < 3 || /^(I|We|Our|Vi|Wir|Wij|Jeg|Jag|Ich|Ik|Mr|Mrs|Ms)$/.test(name)) continue;
    if (isOwnCompany(name, ownCompany, ownDomains)) continue;
    const suffixed = hasLegalSuffix(name);
    if (/^(for|från|fra|we are|we're|vi er|vi är|wij zijn|wir sind)$/.test(word) && !suffixed) continue;
    if (!suffixed && name.split(/\s+/).length > 4) continue;
    return { value: name, confidence: suffixed ? 0.7 : 0.55, from: "enquiry text" };
  }
  return null;
}
