/** Readable names, per reply language, of the lead fields that `Analysis.missing` lists. */

type Labels = Record<string, string>;

const LABELS: Record<string, Labels> = {
  en: {
    LeadPersonFirstname: "the customer's first name",
    LeadPersonLastname: "the customer's last name",
    LeadPersonEmail: "the customer's e-mail address",
    LeadPhoneNumber: "the customer's phone number",
    LeadContact: "the customer's company",
    LeadDescription: "the enquiry text",
    CreatorsFirstname: "your first name",
    CreatorsLastname: "your last name",
    CreatorsContact: "your company",
  },
  nb: {
    LeadPersonFirstname: "kundens fornavn",
    LeadPersonLastname: "kundens etternavn",
    LeadPersonEmail: "kundens e-postadresse",
    LeadPhoneNumber: "kundens telefonnummer",
    LeadContact: "kundens firma",
    LeadDescription: "teksten i henvendelsen",
    CreatorsFirstname: "fornavnet ditt",
    CreatorsLastname: "etternavnet ditt",
    CreatorsContact: "firmaet ditt",
  },
  sv: {
    LeadPersonFirstname: "kundens förnamn",
    LeadPersonLastname: "kundens efternamn",
    LeadPersonEmail: "kundens e-postadress",
    LeadPhoneNumber: "kundens telefonnummer",
    LeadContact: "kundens företag",
    LeadDescription: "texten i förfrågan",
    CreatorsFirstname: "ditt förnamn",
    CreatorsLastname: "ditt efternamn",
    CreatorsContact: "ditt företag",
  },
  da: {
    LeadPersonFirstname: "kundens fornavn",
    LeadPersonLastname: "kundens efternavn",
    LeadPersonEmail: "kundens e-mailadresse",
    LeadPhoneNumber: "kundens telefonnummer",
    LeadContact: "kundens firma",
    LeadDescription: "teksten i forespørgslen",
    CreatorsFirstname: "dit fornavn",
    CreatorsLastname: "dit efternavn",
    CreatorsContact: "dit firma",
  },
  de: {
    LeadPersonFirstname: "Vorname des Interessenten",
    LeadPersonLastname: "Nachname des Interessenten",
    LeadPersonEmail: "E-Mail-Adresse des Interessenten",
    LeadPhoneNumber: "Telefonnummer des Interessenten",
    LeadContact: "Firma des Interessenten",
    LeadDescription: "Text der Anfrage",
    CreatorsFirstname: "Ihr Vorname",
    CreatorsLastname: "Ihr Nachname",
    CreatorsContact: "Ihre Firma",
  },
  nl: {
    LeadPersonFirstname: "voornaam van de klant",
    LeadPersonLastname: "achternaam van de klant",
    LeadPersonEmail: "e-mailadres van de klant",
    LeadPhoneNumber: "telefoonnummer van de klant",
    LeadContact: "bedrijf van de klant",
    LeadDescription: "tekst van de aanvraag",
    CreatorsFirstname: "je voornaam",
    CreatorsLastname: "je achternaam",
    CreatorsContact: "je bedrijf",
  },
};

/** Short names extraction may use in `missing` instead of the request field names. */
const ALIASES: Record<string, string> = {
  firstname: "LeadPersonFirstname",
  lastname: "LeadPersonLastname",
  email: "LeadPersonEmail",
  phone: "LeadPhoneNumber",
  company: "LeadContact",
  description: "LeadDescription",
};

/** Returns the readable name of a missing field in `language`, English for other languages, or the value itself when unknown. */
export function fieldLabel(field: string, language: string): string {
  const key = ALIASES[field.toLowerCase()] ?? field;
  return LABELS[language]?.[key] ?? LABELS["en"]?.[key] ?? field;
}
