/** Domain types shared by the pipeline stages: fetch, classify, extract, CRM, outcome. */

/** The body of `POST /api/v1/Agents/Appointment/GenerateLead`, field names as SuperOffice spells them. */
export interface LeadRequest {
  AssociateIdForNewContact: number;
  LeadDescription: string;
  Relation: string;
  RelationId: number;
  LeadContact: string;
  LeadPersonFirstname: string;
  LeadPersonLastname: string;
  LeadPersonEmail: string;
  LeadPhoneNumber: string;
  CreatorsContact: string;
  CreatorsFirstname: string;
  CreatorsLastname: string;
}

export const OUTCOMES = [
  "created",
  "matched",
  "ambiguous",
  "incomplete",
  "not-lead",
  "duplicate",
  "failed",
  "quarantined",
] as const;

/** Result of processing one message; each outcome maps to a keyword, a folder and optional replies. */
export type Outcome = (typeof OUTCOMES)[number];

/** Source of one extracted value and the confidence in it, from 0 to 1. */
export interface Evidence {
  value: string;
  from: string;
  confidence: number;
}

/** The fields extraction looks for, named as in the evidence map and in reply templates. */
export type LeadField =
  | "LeadPersonFirstname"
  | "LeadPersonLastname"
  | "LeadPersonEmail"
  | "LeadPhoneNumber"
  | "LeadContact"
  | "LeadDescription"
  | "CreatorsFirstname"
  | "CreatorsLastname"
  | "CreatorsContact";

/** A person who wrote or forwarded a message. */
export interface Party {
  firstname: string;
  lastname: string;
  email: string;
  company: string;
}

/** The result of classifying and extracting one message, before any CRM call. */
export interface Analysis {
  messageId: string | null;
  subject: string;
  /** Address the message came from after unwrapping relays, used for reply and loop checks. */
  from: string;
  replyTo: string | null;
  isLead: boolean;
  /** Short human-readable reason, such as "forwarded enquiry (Outlook, Norwegian)" or "auto-reply (Auto-Submitted: auto-replied)". */
  reason: string;
  /** ISO 639-1 code of the enquiry text, when detected. */
  language: string | null;
  lead: Party & { phone: string; description: string };
  /** The outermost forwarder; empty strings when the lead wrote directly or a form sent the mail. */
  creator: Party | null;
  /** The forwarder's own note above the forward, kept apart from the lead's text. */
  forwarderNote: string;
  evidence: Partial<Record<LeadField, Evidence>>;
  /** Fields a lead cannot do without that were not found; a lead with any is `incomplete`. */
  missing: string[];
  /** Message-ID of the innermost original enquiry, when a forward carries it. */
  originalMessageId: string | null;
  /** Hash of the normalised original enquiry, equal for copies of the same enquiry. */
  fingerprint: string;
  /**
   * True when a mailing-list or group relay (List-Id, Precedence: list) delivered an enquiry
   * addressed to the group; the reply stage then allows replies despite the list headers.
   */
  groupRelay?: boolean;
  /** Headers the reply stage needs for loop safety, lower-cased names. */
  headers: Record<string, string>;
}
