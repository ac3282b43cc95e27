/**
 * Words that mark the parts of an e-mail in the six languages leadd reads (English,
 * Norwegian, Swedish, Danish, German, Dutch), plus a few clients' other defaults.
 * Every pattern here is anchored or bounded so it runs in linear time.
 */

/** Header labels of an inline forward or quoted header block, by field. */
export const HEADER_LABELS = {
  from: ["from", "fra", "från", "von", "van", "de", "lähettäjä", "afsender", "avsändare", "absender", "sender"],
  date: ["sent", "sendt", "skickat", "gesendet", "verzonden", "datum", "date", "dato", "data", "lähetetty", "dag"],
  to: ["to", "til", "till", "an", "aan", "à", "vastaanottaja", "modtager", "mottagare", "empfänger"],
  cc: ["cc", "kopi", "kopia", "kopie"],
  subject: ["subject", "emne", "ämne", "betreff", "onderwerp", "aihe", "objet", "rubrik"],
} as const;

function alternation(words: readonly string[]): string {
  return words.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}

const ANY_LABEL = alternation(Object.values(HEADER_LABELS).flat());
/** One header line of a forward block: optional quote marks and bold stars, the label, a colon. */
export const HEADER_LINE = new RegExp(`^[>\\s]*\\*?(${ANY_LABEL})\\*?\\s?:\\*?[ \\t]*(.*)$`, "i");
export const FROM_LABEL = new RegExp(`^(${alternation(HEADER_LABELS.from)})$`, "i");

/** Separator lines that introduce a forwarded or quoted message. */
export const FORWARD_SEPARATORS: RegExp[] = [
  /^[>\s]*-{2,}\s*(forwarded message|original message|weitergeleitete nachricht|ursprüngliche nachricht|originalnachricht|original-nachricht|originalmeddelelse|originalmeddelande|originalmelding|videresendt melding|opprinnelig melding|vidarebefordrat meddelande|ursprungligt meddelande|videresendt meddelelse|videresendt besked|oprindelig meddelelse|oprindelig besked|doorgestuurd bericht|oorspronkelijk bericht|origineel bericht|message transféré|message d'origine)\s*-*\s*$/i,
  /^[>\s]*(begin forwarded message|begin doorgestuurd bericht|anfang der weitergeleiteten nachricht|start på videresendt melding|vidarebefordrat brev|början på vidarebefordrat meddelande|start på videresendt besked|start på videresendt meddelelse|videresendt besked|videresendt melding|doorgestuurd bericht|weitergeleitete nachricht)\s*:?\s*$/i,
  /^[>\s]*_{10,}\s*$/,
  /^[>\s]*-{5,}\s*$/,
];

/** "On <date>, <name> wrote:" in the six languages; the line may be wrapped once. */
export const QUOTE_INTRO =
  /^(on|den|d\.|am|op|le|el|il)\b.{4,300}\b(wrote|skrev|schrieb|schreef|a écrit|escribió|ha scritto)\b.{0,200}:\s*$/i;

/** Subject prefixes of a forward. */
export const FORWARD_SUBJECT = /^\s*((fwd?|fw|vs|vb|wg|tr|doorst|doorgestuurd|i|rv|enc|vl)\s*:\s*)+/i;
/** Subject prefixes of a reply. */
export const REPLY_SUBJECT = /^\s*((re|sv|aw|antw|antwoord|vs|r|ref)\s*:\s*)+/i;

/** Closing phrases that end the enquiry text and start the sign-off. */
const SIGN_OFFS = [
  // English
  "kind regards", "best regards", "warm regards", "regards", "best wishes", "many thanks", "thanks", "thank you",
  "thanks in advance", "thank you in advance", "cheers", "best", "all the best", "yours sincerely", "yours faithfully",
  "sincerely", "yours", "with thanks", "thanks and regards", "many thanks and best regards", "speak soon",
  // Norwegian / Danish
  "med vennlig hilsen", "vennlig hilsen", "mvh", "hilsen", "beste hilsen", "med venlig hilsen", "venlig hilsen",
  "de bedste hilsner", "bedste hilsner", "hilsner", "takk", "tak", "på forhånd takk", "på forhånd tak", "vh",
  // Swedish
  "med vänliga hälsningar", "vänliga hälsningar", "med vänlig hälsning", "vänlig hälsning", "hälsningar", "mvh",
  "bästa hälsningar", "tack", "tack på förhand", "hälsning",
  // German
  "mit freundlichen grüßen", "mit freundlichen grüssen", "freundliche grüße", "freundliche grüsse", "viele grüße",
  "viele grüsse", "beste grüße", "beste grüsse", "liebe grüße", "herzliche grüße", "gruß", "grüße", "mfg", "vielen dank",
  "danke", "besten dank",
  // Dutch
  "met vriendelijke groet", "met vriendelijke groeten", "vriendelijke groet", "vriendelijke groeten", "groet", "groeten",
  "met groet", "hartelijke groet", "bedankt", "alvast bedankt", "mvg", "beste groeten", "dank je", "dank u",
];

/** A sign-off line, alone on its line, optionally with a trailing comma or "!". */
export const SIGN_OFF_LINE = new RegExp(`^(${alternation(SIGN_OFFS)})\\s*(,|!|\\.)?\\s*$`, "i");
/** A sign-off followed by a name on the same line ("Thanks, Helen"). */
export const SIGN_OFF_WITH_NAME = new RegExp(`^(${alternation(SIGN_OFFS)})\\s*[,!]?\\s+([\\p{Lu}][\\p{L}'’-]+(?:\\s[\\p{Lu}][\\p{L}'’-]+){0,2})\\s*$`, "iu");

/** Mobile-client footers that are never part of the enquiry. */
export const DEVICE_FOOTER =
  /^(sent from my \w+|sendt fra min \w+|skickat från min \w+|von meinem \w+ gesendet|verzonden vanaf mijn \w+|sendt fra min \w+|gesendet von meinem \w+|get outlook for \w+|hent outlook for \w+|sent from outlook|sendt fra outlook|skickat från outlook|sent from mail for windows|von outlook für \w+ gesendet)\b.*$/i;

/** Opening lines of confidentiality notices and legal footers. */
export const DISCLAIMER_START =
  /^(confidentiality notice|disclaimer|this (e-?mail|message)( and any (files|attachments))?( transmitted with it)? (is|are|may be) (confidential|intended)|the information (contained )?in this (e-?mail|message)|diese e-?mail enthält|der inhalt dieser e-?mail|denne e-?post(en)? (kan inneholde|er kun|inneholder)|dette e-?mail|denna e-?post|dit e-?mailbericht|de informatie (verzonden )?in dit|registered (in|office)|company registration|amtsgericht|handelsregister|sitz der gesellschaft|geschäftsführer|styrets leder|org\.? ?nr|kvk|privacy notice)\b/i;

/** Greeting lines that open the enquiry; they stay in the description. */
export const GREETING = /^(hi|hello|hey|dear|good (morning|afternoon|evening)|hei|hej|hallo|moin|guten tag|sehr geehrte|liebe|lieber|beste|geachte|goedemorgen|goedemiddag|god morgen|goddag|dag)\b/i;

/** Out-of-office and automatic-reply subjects in the six languages. */
export const AUTO_REPLY_SUBJECT =
  /^\s*(auto(matic)?[ -]?reply|autoreply|automatic response|auto[ -]?response|out of (the )?office|ooo\b|abwesenheit|abwesenheitsnotiz|automatische antwort|automatisk svar|automatiskt svar|frånvaro|fraværende|fravær|ikke på kontoret|ikke til stede|afwezig|afwezigheid|automatisch antwoord|niet aanwezig|autosvar|ferie|out of office reply|away from (the )?office|on (holiday|vacation|leave)|i'm away|i am away)\b/i;

/** Bounce subjects. */
export const BOUNCE_SUBJECT =
  /^\s*(undeliver(ed|able)|delivery (status notification|failure|has failed)|mail delivery (failed|failure|system)|returned mail|failure notice|unzustellbar|nicht zustellbar|onbestelbaar|kan ikke leveres|kunne ikke leveres|olevererbart|ej levererat|non remis)\b/i;

/**
 * Words of consent, privacy, newsletter and marketing check boxes in web forms
 * ("I agree to the privacy policy: Yes", "Nieuwsbrief ontvangen: Nee"). Matched as
 * words or as the start of a compound ("Datenschutzerklärung", "privacyverklaring").
 */
export const CONSENT_WORD =
  /(?:^|[^\p{L}])(agree|agreed|consent|accept|accepted|sign me up|keep me (?:updated|informed)|privacy|gdpr|newsletter|marketing|opt[- ]?in|subscribe|terms and conditions|terms of (use|service)|data protection|samtykke|samtykker|godtar|godkjenner|aksepterer|personvern|nyhetsbrev|markedsføring|vilkår|samtycke|samtycker|godkänner|accepterar|integritet|personuppgift|marknadsföring|villkor|accepterer|privatliv|persondata|nyhedsbrev|betingelser|einwilligung|einverstanden|zustimm|stimme(?:\s+\p{L}+){0,4}\s+zu|akzeptier|datenschutz|werbung|agb|akkoord|toestemming|nieuwsbrief|voorwaarden|avg|aanmelden|inschrijven)/iu;

/** Values of a ticked or unticked check box. */
export const CHECKBOX_VALUE =
  /^(yes|no|ja|nei|nej|nee|true|false|on|off|[01]|x|✓|✔|☑|☐|checked|unchecked|selected|accepted|agreed|akzeptiert|zugestimmt|godkjent|godkänt|godkendt|accepteret|geaccepteerd|akkoord|akseptert|accepterat)\b.{0,60}$/iu;
