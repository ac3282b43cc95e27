/**
 * Builds the values the reply templates see. Every key is always present (null when
 * unknown), because templates are compiled in strict mode and a typo must fail loudly.
 * docs/replies.md lists the keys for template authors.
 */
import type { Analysis, Outcome } from "../types.js";
import { fieldLabel } from "./field-labels.js";
import { MAX_DISPLAY_NAME_CHARS, normalizeAddress, parseMailbox, toBodyText, toHeaderText } from "./header-safety.js";
import { stripReplyPrefixes } from "./subject.js";
import type { CrmContact, CrmPerson, DuplicateOf, SalesActivityLike } from "./types.js";

/** Caps a value from mail or the CRM shown on one line of a reply. Longer values are junk or an attack. */
const MAX_INLINE_CHARS = 300;

/** Caps the failure reason quoted in a reply. The full text is in the log. */
const MAX_REASON_CHARS = 1000;

export interface PersonView {
  id: number | null;
  name: string | null;
  firstname: string | null;
  email: string | null;
}

export interface ContactView {
  id: number | null;
  name: string | null;
  department: string | null;
  owner: string | null;
}

export interface ReplyContext {
  outcome: Outcome;
  language: string;
  /** The enquiry's subject without reply and forward prefixes. */
  subject: string;
  sender: { name: string | null; email: string | null };
  creator: { name: string | null; firstname: string | null; email: string | null } | null;
  lead: {
    name: string | null;
    firstname: string | null;
    email: string | null;
    phone: string | null;
    company: string | null;
    /** True when any of the fields above was found. */
    hasDetails: boolean;
  };
  contact: ContactView | null;
  person: PersonView | null;
  salesRep: PersonView | null;
  /** True when SuperOffice returned the contact, the person or the sales rep. */
  hasCrmDetails: boolean;
  candidates: ContactView[];
  missing: string[];
  reason: string | null;
  willRetry: boolean;
  folder: string | null;
  duplicateOf: { messageId: string | null; contactId: number | null; personId: number | null } | null;
}

export interface ContextInput {
  analysis: Analysis;
  outcome: Outcome;
  language: string;
  from: string;
  reason?: string | undefined;
  crm?: SalesActivityLike | null | undefined;
  duplicateOf?: DuplicateOf | undefined;
  folder?: string | null | undefined;
  willRetry?: boolean | undefined;
}

function inline(value: string | null | undefined, maxChars = MAX_INLINE_CHARS): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  const text = toHeaderText(value, maxChars);
  return text.length > 0 ? text : null;
}

function id(value: number | null | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null;
}

function joinName(first: string | null | undefined, last: string | null | undefined): string | null {
  return inline([first, last].filter((part) => part !== null && part !== undefined).join(" "), MAX_DISPLAY_NAME_CHARS);
}

function personView(person: CrmPerson | null | undefined): PersonView | null {
  if (person === null || person === undefined) {
    return null;
  }
  return {
    id: id(person.PersonId),
    name: inline(person.FullName, MAX_DISPLAY_NAME_CHARS) ?? joinName(person.Firstname, person.Lastname),
    firstname: inline(person.Firstname, MAX_DISPLAY_NAME_CHARS),
    email: normalizeAddress(person.Email),
  };
}

function contactView(contact: CrmContact): ContactView {
  return {
    id: id(contact.ContactId),
    name: inline(contact.Name),
    department: inline(contact.Department),
    owner: inline(contact.AssociateFullName, MAX_DISPLAY_NAME_CHARS),
  };
}

/** Returns the contact the lead was added to: the requested person's contact, else the only one returned. */
function leadContact(crm: SalesActivityLike, person: CrmPerson | null | undefined): ContactView | null {
  const contacts = crm.RequestedContacts ?? [];
  const personContactId = id(person?.ContactId);
  const match = contacts.find((contact) => personContactId !== null && contact.ContactId === personContactId);
  if (match !== undefined) {
    return contactView(match);
  }
  if (personContactId !== null) {
    return { id: personContactId, name: inline(person?.ContactName), department: null, owner: null };
  }
  const [only] = contacts;
  return contacts.length === 1 && only !== undefined ? contactView(only) : null;
}

function leadView(analysis: Analysis): ReplyContext["lead"] {
  const name = joinName(analysis.lead.firstname, analysis.lead.lastname);
  const email = normalizeAddress(analysis.lead.email);
  const phone = inline(analysis.lead.phone);
  const company = inline(analysis.lead.company);
  return {
    name,
    firstname: inline(analysis.lead.firstname, MAX_DISPLAY_NAME_CHARS),
    email,
    phone,
    company,
    hasDetails: [name, email, phone, company].some((value) => value !== null),
  };
}

/** Builds the template context for one reply. */
export function buildReplyContext(input: ContextInput): ReplyContext {
  const { analysis, crm } = input;
  const sender = parseMailbox(input.from);
  const creator = analysis.creator;
  const creatorEmail = normalizeAddress(creator?.email);
  const hasPerson = crm?.RequestedPerson !== null && crm?.RequestedPerson !== undefined;
  const contact = crm === null || crm === undefined ? null : leadContact(crm, crm.RequestedPerson);
  const person = personView(crm?.RequestedPerson);
  const salesRep = personView(crm?.SalesRep);

  return {
    outcome: input.outcome,
    language: input.language,
    subject: stripReplyPrefixes(toHeaderText(analysis.subject, MAX_INLINE_CHARS)),
    sender: { name: inline(sender?.name), email: sender?.address ?? null },
    creator:
      creator === null || creatorEmail === null
        ? null
        : {
            name: joinName(creator.firstname, creator.lastname),
            firstname: inline(creator.firstname, MAX_DISPLAY_NAME_CHARS),
            email: creatorEmail,
          },
    lead: leadView(analysis),
    contact,
    person,
    salesRep,
    hasCrmDetails: contact !== null || person !== null || salesRep !== null,
    // Several contacts without a person is SuperOffice's way of saying "which one?".
    candidates: hasPerson ? [] : (crm?.RequestedContacts ?? []).map(contactView),
    missing: analysis.missing.map((field) => fieldLabel(field, input.language)),
    reason: input.reason === undefined ? null : inline(toBodyText(input.reason), MAX_REASON_CHARS),
    willRetry: input.willRetry ?? false,
    folder: inline(input.folder),
    duplicateOf:
      input.duplicateOf === undefined
        ? null
        : {
            messageId: inline(input.duplicateOf.messageId),
            contactId: id(input.duplicateOf.crmIds.contactId),
            personId: id(input.duplicateOf.crmIds.personId),
          },
  };
}
