/** Types of the reply stage: what planReplies reads, what it returns, and what the sender needs. */
import type { Analysis, Outcome } from "../types.js";

/** The recipient of a reply: the colleague who forwarded the enquiry, or the enquirer. */
export type ReplyRole = "forwarder" | "lead";

export const REPLY_ROLES: readonly ReplyRole[] = ["forwarder", "lead"];

/** Languages with a full template set in the bundled config/templates. A custom templatesDir may add more. */
export const REPLY_LANGUAGES = ["en", "nb", "sv", "da", "de", "nl"] as const;

/**
 * A SuperOffice Contact carrier, reduced to the fields the templates read.
 * Structural, so the CRM module's fuller type is assignable to it.
 */
export interface CrmContact {
  ContactId: number;
  Name?: string | null;
  Department?: string | null;
  AssociateId?: number | null;
  AssociateFullName?: string | null;
}

/** A SuperOffice Person carrier, reduced to the fields the templates read. */
export interface CrmPerson {
  PersonId: number;
  Firstname?: string | null;
  Lastname?: string | null;
  FullName?: string | null;
  Email?: string | null;
  ContactId?: number | null;
  ContactName?: string | null;
}

/** The GenerateLead response (`SalesActivity`), reduced to the fields the templates read. */
export interface SalesActivityLike {
  RequestedContacts?: CrmContact[] | null;
  RequestedPerson?: CrmPerson | null;
  SalesRep?: CrmPerson | null;
}

/** The earlier message that already made a lead from the same enquiry. */
export interface DuplicateOf {
  messageId: string | null;
  crmIds: { contactId?: number | null; personId?: number | null; salesRepId?: number | null };
}

/** The resolved `replies` config block, without the SMTP part. */
export interface ReplySettings {
  /** RFC 5322 mailbox, e.g. `Aurora leads <leads@aurora.example.com>`. */
  from: string;
  defaultLanguage: string;
  toForwarder: boolean;
  toLead: boolean;
  maxPerRecipientPerDay: number;
  /** Folder with `{lang}/{outcome}.{role}.{txt,html}.hbs`, or null for the bundled config/templates. */
  templatesDir: string | null;
}

/** Everything planReplies needs to know about one processed message. */
export interface ReplyInput {
  analysis: Analysis;
  outcome: Outcome;
  /** The reason the message failed or is incomplete (missing fields, CRM error message), free of secrets. */
  reason?: string;
  crm?: SalesActivityLike | null;
  duplicateOf?: DuplicateOf;
  /** The roles configured for this outcome (`outcomes.<outcome>.replies`). */
  roles: readonly ReplyRole[];
  settings: ReplySettings;
  /** leadd's own addresses (mailbox users, `replies.from`), which never get a reply. */
  ownAddresses: readonly string[];
  /** Folder the message is moved to, named in the reply. Null or absent when it stays where it is. */
  folder?: string | null;
  /** For `failed`: true while leadd will try the CRM again, false once it gave up. */
  willRetry?: boolean;
}

/** One reply ready to compose and send. */
export interface ReplyPlan {
  role: ReplyRole;
  outcome: Outcome;
  /** Validated bare address of the recipient. */
  to: string;
  /** Display name of the recipient, header-safe, or empty when unknown. */
  toName: string;
  /** The `replies.from` mailbox as configured. */
  from: string;
  subject: string;
  text: string;
  /** Null when the template set has no HTML template for this outcome and role. */
  html: string | null;
  /** In-Reply-To, References, Auto-Submitted, X-Auto-Response-Suppress, X-Leadd-Reply. */
  headers: Record<string, string>;
  /** Folder name of the template set used, such as `nb`. */
  language: string;
  /** Key the caller passes to ReplyLedger.record: the Message-ID, else the enquiry fingerprint. */
  messageKey: string;
}

/** A reply that was not planned, and why. */
export interface SkippedReply {
  role: ReplyRole;
  /** The recipient address when one was known, else an empty string. */
  to: string;
  reason: string;
}

export interface ReplyDecision {
  plans: ReplyPlan[];
  skipped: SkippedReply[];
}

/** Counts and records sent replies per recipient; the state journal implements it. */
export interface ReplyLedger {
  countSince(recipient: string, since: Date): number;
  record(recipient: string, messageKey: string, sentAt: Date): void;
}

/** The `replies.smtp` config block. */
export interface SmtpOptions {
  host: string;
  port: number;
  /** Implicit TLS; false = STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  tlsRejectUnauthorized: boolean;
  /** XOAUTH2 access token provider; used instead of the password when set. */
  accessToken?: () => Promise<string>;
}

export interface SentReply {
  messageId: string;
  /** The exact bytes sent, for appending to the Sent folder. */
  raw: Buffer;
}

/** Sends replies; each call opens and closes its own SMTP connection, so there is nothing to close. */
export interface ReplySender {
  send(plan: ReplyPlan): Promise<SentReply>;
  /** Connects and authenticates without sending, for `leadd check`. */
  verify(): Promise<void>;
}
