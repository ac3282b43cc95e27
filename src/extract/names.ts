/** A person's name split the way SuperOffice stores it. */
export interface PersonName {
  firstname: string;
  lastname: string;
}

const TITLES = /^(dr|prof|professor|mr|mrs|ms|miss|mx|herr|frau|hr|fr|dhr|mevr|mw|ing|ir|drs|mag|dipl|dipl\.-ing|sir|dame|fru|fröken)\.?$/i;
/** Name particles that belong to the last name (Dutch, German, Scandinavian, French). */
const PARTICLES = new Set(["van", "von", "de", "der", "den", "ter", "ten", "te", "het", "zu", "vom", "zum", "af", "av", "da", "di", "du", "la", "le", "'t"]);
const SUFFIXES = /^(jr|sr|ii|iii|iv|phd|msc|mba|bsc|ma|ba)\.?$/i;
/** Words that show a display name is a role or a team, not a person. */
const NOT_A_PERSON = /\b(team|support|sales|info|service|services|kundeservice|kundenservice|noreply|no-reply|website|webmaster|marketing|admin|office|kontor|reception|resepsjon|receptie|leads|contact|kontakt|forms?|notifications?|systems?|group|ltd|gmbh|inc|ab|as|bv)\b/i;

function titleCase(word: string): string {
  return word
    .toLowerCase()
    .replace(/(^|[-'’\s])(\p{L})/gu, (_match, before: string, letter: string) => before + letter.toUpperCase());
}

/** Restores natural case for ALL-CAPS or all-lower-case names and leaves mixed case alone. */
function normaliseCase(word: string): string {
  if (PARTICLES.has(word.toLowerCase())) return word;
  const letters = word.replace(/[^\p{L}]/gu, "");
  if (letters.length > 1 && (letters === letters.toUpperCase() || letters === letters.toLowerCase())) return titleCase(word);
  if (letters.length === 1) return word.toUpperCase();
  return word;
}

/**
 * Splits a display name into first and last name: drops titles and suffixes, reads
 * "Last, First", keeps hyphenated and multi-word names whole and gives name particles
 * (van den, de, von, ter …) to the last name.
 */
export function splitName(input: string): PersonName | null {
  let text = input
    .replace(/\([^)]*\)/g, " ")
    .replace(/["“”]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^'+|'+$/g, "");
  if (text === "" || text.includes("@") || /\d/.test(text) || NOT_A_PERSON.test(text)) return null;

  const comma = text.split(",").map((part) => part.trim()).filter(Boolean);
  if (comma.length === 2 && !SUFFIXES.test(comma[1]!)) {
    text = `${comma[1]} ${comma[0]}`;
  } else if (comma.length > 1) {
    text = comma[0]!;
  }

  const words = text.split(" ").filter((word) => word !== "" && !TITLES.test(word) && !SUFFIXES.test(word));
  if (words.length === 0 || words.some((word) => !/^[\p{L}][\p{L}'’.-]*$/u.test(word))) return null;
  if (words.length === 1) return { firstname: normaliseCase(words[0]!), lastname: "" };

  const particleAt = words.findIndex((word, index) => index > 0 && index < words.length - 1 && PARTICLES.has(word.toLowerCase()));
  const split = particleAt > 0 ? particleAt : words.length - 1;
  const firstname = words.slice(0, split).map(normaliseCase).join(" ");
  const lastname = words
    .slice(split)
    .map((word) => (PARTICLES.has(word.toLowerCase()) ? word.toLowerCase() : normaliseCase(word)))
    .join(" ");
  return { firstname, lastname };
}

/** Guesses a name from an address local part such as "oliver.grant" or "anna-lena_berg". */
export function nameFromLocalPart(email: string): PersonName | null {
  const local = (email.split("@")[0] ?? "").replace(/\+.*$/, "");
  const parts = local.split(/[._]/).filter((part) => part.length > 1 && /^[\p{L}-]+$/u.test(part));
  if (parts.length !== 2) return null;
  return { firstname: titleCase(parts[0]!), lastname: titleCase(parts[1]!) };
}

/** Whether a line is a plausible personal name of two to four words. */
export function isPersonNameLine(line: string): boolean {
  const text = line.trim();
  if (text.length > 50 || text.length < 3) return false;
  const name = splitName(text);
  return name !== null && name.lastname !== "" && /^[\p{Lu}]/u.test(text.replace(/^(dr|prof|mr|mrs|ms|herr|frau)\.?\s+/i, ""));
}

/** Form name fields as typed: first, middle, tussenvoegsel and last name, any of them empty. */
export interface FormNameParts {
  firstname: string;
  middlename: string;
  particle: string;
  lastname: string;
}

/**
 * Joins separate form name fields the way SuperOffice stores them: a middle name goes
 * with the first name, a Dutch tussenvoegsel ("van", "van der") in front of the last name
 * unless the last name already starts with it.
 */
export function joinFormName(parts: FormNameParts): PersonName {
  const clean = (text: string): string => text.replace(/\s+/g, " ").trim();
  const firstname = [clean(parts.firstname), clean(parts.middlename)].filter(Boolean).join(" ");
  let particle = clean(parts.particle);
  if (particle.split(" ").every((word) => PARTICLES.has(word.toLowerCase()))) particle = particle.toLowerCase();
  const last = clean(parts.lastname);
  const lastname = particle && !last.toLowerCase().startsWith(`${particle.toLowerCase()} `) ? [particle, last].filter(Boolean).join(" ") : last;
  return { firstname, lastname };
}
