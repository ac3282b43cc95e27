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
  "verhuur", "vervoer", "winkel", "zorg", "schoonmaak", "vereniging", "kinderdagverblijf",
  // Shared by several of the languages: care, therapy, cleaning, food, housing associations
  "therapie", "terapi", "beratung", "rådgivning", "reinigung", "rengøring", "rengöring", "renhold", "catering",
  "bistro", "pizzeria", "konditori", "konditorei", "gasthof", "gasthaus", "autohaus", "salong", "barnehage",
  "förskola", "børnehave", "kindergarten", "kita", "forening", "förening", "borettslag", "sameie", "stiftelse",
  "stiftung", "stichting", "eiendom", "fastigheter", "ejendomme", "immobilien", "vastgoed",
];
const NOUNS = new Set(ORGANISATION_NOUNS);
/** Nouns matched only as whole words, because they also end place and personal names ("Kongsgård", "Nikita"). */
const WHOLE_WORD_NOUNS = new Set(["gård", "gaard", "kita", "farm", "care", "café", "kafé", "kafe"]);
const LONG_NOUNS = ORGANISATION_NOUNS.filter((noun) => noun.length >= MIN_COMPOUND_NOUN_CHARS && !WHOLE_WORD_NOUNS.has(noun));

/** Endings of job titles and professions written as one compound word ("Salgssjef", "Praxisinhaberin"). */
const TITLE_ENDING =
  /(sjef|chef|leder|ledare|leiter|führer|inhaber|direktør|direktör|directeur|director|manager|eigenaar|eier|ägare|ejer|owner|assistent|assistant|medewerker|medarbeider|medarbetare|medarbejder|konsulent|berater|adviseur|rådgiver|rådgivare|ansvarlig|ansvarig|sekretær|sekreterare|sekretär|secretaresse|koordinator|coördinator|ingeniør|ingenjör|ingenieur|tekniker|techniker|monteur|montør|læge|lege|läkare|arzt|ärzt|arts|tandarts|advokat|anwalt|anwält|advocaat|revisor|accountant|fysioterapeut|physiotherapeut|meister|partner)(in)?$/iu;
/** Street, post-box and place words: a line with one is an address. */
const ADDRESS_ENDING = /(gate|gata|gatan|gade|vej|vei|veien|vägen|väg|straße|strasse|str\.|weg|straat|laan|plein|gracht|kade|road|street|lane|avenue|allé|plass|plads|torv|torget|platz|postboks|postbox|box)$/iu;
/** A phone number, address or link: the contact part of a signature, below the company. */
const CONTACT = /\d{3,}|@|www\.|https?:/i;
/** Small words that may sit between the capitalised words of a company name. */
const CONNECTORS = new Set(["&", "+", "og", "och", "und", "en", "and", "of", "for", "the", "i", "på", "für", "voor", "för", "til", "am", "an", "der", "die", "das", "de", "van", "het", "'t", "zu", "zum", "af", "-", "–"]);

/** Scandinavian definite endings: "Borettslaget", "Bostadsrättsföreningen", "Tandklinikken". */
const DEFINITE_ENDING = /(en|et|n|t|a)$/;

function hasOrganisationNoun(words: string[]): boolean {
  return words.some((word) => {
    const lower = word.toLowerCase().replace(/[.,]$/, "");
    const forms = [lower, lower.replace(DEFINITE_ENDING, "")];
    return forms.some((form) => NOUNS.has(form) || LONG_NOUNS.some((noun) => form.endsWith(noun) && form.length > noun.length));
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
