import { ORGANISATION_WORD, segments, TITLE_WORD } from "./company.js";

/** Signature lines searched for a company below the name. Addresses and footers come further down. */
const MAX_LINES_SEARCHED = 5;
/** Longest company line without a legal form. Longer lines are slogans or prose. */
const MAX_COMPANY_CHARS = 60;
const MAX_COMPANY_WORDS = 6;
/** Shortest noun matched as the end of a compound word ("Tandklinik", "Bilverksted"). */
const MIN_COMPOUND_NOUN_CHARS = 4;
/** A guess from the line's position and wording, not from a legal form or the domain. */
export const SIGNATURE_LINE_CONFIDENCE = 0.6;

/**
 * Nouns of small businesses and organisations in the six languages, matched as a word or
 * as the end of a compound: "Lunds Tandklinik", "Berg Bygg", "Jansen Transport".
 */
const ORGANISATION_NOUNS = [
  // English
  "bakery", "bakeries", "builders", "building", "care", "clinic", "consult", "consulting", "construction", "dental",
  "design", "electrical", "engineering", "farm", "garage", "hotel", "inn", "interiors", "joinery", "landscaping",
  "media", "motors", "nursery", "pharmacy", "plumbing", "practice", "restaurant", "salon", "service", "services",
  "shop", "store", "surgery", "trading", "transport", "works", "workshop",
  // Norwegian, Danish, Swedish
  "bakeri", "bageri", "bilverksted", "bygg", "byg", "byggeri", "consult", "elektro", "entreprenør", "entreprenad",
  "firma", "frisør", "frisör", "gård", "gaard", "handel", "hotell", "huset", "klinik", "klinikk", "konsult", "kro",
  "maskin", "regnskap", "regnskab", "redovisning", "revisjon", "revision", "rør", "snekkeri", "snickeri", "smedje",
  "tandklinik", "tannklinikk", "tandvård", "transport", "utleie", "udlejning", "uthyrning", "verksted", "verkstad",
  "værksted", "vvs", "apotek", "butikk", "butik", "blomster", "blomsterhandel", "café", "kafé", "kafe",
  // German
  "apotheke", "bau", "bäckerei", "betrieb", "elektrotechnik", "fahrschule", "gastronomie", "handwerk", "haustechnik",
  "kanzlei", "malerbetrieb", "metallbau", "pflege", "pflegedienst", "praxis", "schreinerei", "spedition",
  "tischlerei", "werkstatt", "zahnarztpraxis",
  // Dutch
  "aannemersbedrijf", "advies", "bakkerij", "bedrijf", "bouw", "installatie", "installaties", "installatietechniek",
  "kliniek", "kinderopvang", "makelaardij", "onderhoud", "praktijk", "schilders", "schildersbedrijf", "techniek",
  "verhuur", "vervoer", "winkel", "zorg",
];
const NOUNS = new Set(ORGANISATION_NOUNS);
const LONG_NOUNS = ORGANISATION_NOUNS.filter((noun) => noun.length >= MIN_COMPOUND_NOUN_CHARS);

/** Endings of job titles and professions written as one compound word ("Salgssjef", "Praxisinhaberin"). */
const TITLE_ENDING =
  /(sjef|chef|leder|ledare|leiter|leiterin|führer|führerin|inhaber|inhaberin|direktør|direktör|directeur|director|manager|eigenaar|eier|ägare|ejer|owner|assistent|assistentin|assistant|medewerker|medarbeider|medarbetare|medarbejder|konsulent|berater|beraterin|adviseur|rådgiver|rådgivare|ansvarlig|ansvarig|sekretær|sekreterare|sekretärin|secretaresse|koordinator|coördinator|ingeniør|ingenjör|ingenieur|tekniker|techniker|monteur|montør|læge|lege|läkare|arzt|ärztin|arts|tandarts|advokat|anwalt|anwältin|advocaat|revisor|accountant|fysioterapeut|physiotherapeut|meister|meisterin|partner)$/iu;
/** Street, post-box and place words: a line with one is an address. */
const ADDRESS_ENDING = /(gate|gata|gatan|gade|vej|vei|veien|vägen|väg|straße|strasse|str\.|weg|straat|laan|plein|gracht|kade|road|street|lane|avenue|allé|plass|plads|torv|torget|platz|postboks|postbox|box)$/iu;
/** A phone number, address or link: the contact part of a signature, below the company. */
const CONTACT = /\d{3,}|@|www\.|https?:/i;
/** Small words that may sit between the capitalised words of a company name. */
const CONNECTORS = new Set(["&", "+", "og", "och", "und", "en", "and", "of", "for", "the", "i", "på", "für", "voor", "för", "til", "am", "an", "der", "die", "das", "de", "van", "het", "'t", "zu", "zum", "af", "-", "–"]);

function hasOrganisationNoun(words: string[]): boolean {
  return words.some((word) => {
    const lower = word.toLowerCase().replace(/[.,]$/, "");
    return NOUNS.has(lower) || LONG_NOUNS.some((noun) => lower.endsWith(noun) && lower.length > noun.length);
  });
}

/** Whether a signature line reads as an organisation name without a legal form. */
export function isOrganisationLine(line: string, firstname = ""): boolean {
  const text = line.trim();
  if (text.length < 3 || text.length > MAX_COMPANY_CHARS) return false;
  if (/[\d@:/]|www\.|[!?]$/.test(text)) return false;
  const words = text.split(/\s+/);
  if (words.length > MAX_COMPANY_WORDS) return false;
  const named = words.filter((word) => !CONNECTORS.has(word.toLowerCase()));
  if (named.length === 0 || !named.every((word) => /^[\p{Lu}][\p{L}'’.-]*$/u.test(word))) return false;
  if (TITLE_WORD.test(text) || named.some((word) => TITLE_ENDING.test(word) || ADDRESS_ENDING.test(word))) return false;
  // "Kari & Ola Nordmann" is a couple signing, not a firm.
  const couple = firstname !== "" && named.some((word) => word.toLowerCase() === firstname.toLowerCase());
  const joined = named.length >= 2 && !couple && words.some((word) => word === "&" || word === "+");
  return joined || hasOrganisationNoun(named) || ORGANISATION_WORD.test(text);
}

/**
 * The company of a lead whose signature names it without a legal form: the first line (or
 * segment of a one-line "Name | Company | Phone" signature) below the person's name and
 * above the contact lines that reads as an organisation. Titles may sit between the name
 * and the company; addresses, cities and phone lines do not count.
 */
export function companyFromSignatureLine(signature: string[], personName: string): string | null {
  const person = personName.toLowerCase().replace(/\s+/g, " ").trim();
  const firstname = person.split(" ")[0] ?? "";
  for (const raw of signature.slice(0, MAX_LINES_SEARCHED)) {
    const parts = segments(raw.trim());
    if (parts.length <= 1 && CONTACT.test(raw)) break;
    for (const part of parts) {
      if (CONTACT.test(part) || (person !== "" && part.toLowerCase() === person)) continue;
      if (isOrganisationLine(part, firstname)) return part;
    }
  }
  return null;
}
