import { LeaddError } from "../errors.js";
import type { SalesActivity } from "./sales-activity.js";

/**
 * Slack when telling a contact created by this GenerateLead call from an older one: the
 * server's Date header has whole seconds, and CreatedDate may be stored in whole seconds too.
 */
export const CREATED_DATE_TOLERANCE_MS = 2_000;

/** Maximum length of error text copied from a response body into a message, so one bad reply cannot flood the log. */
const MAX_ERROR_TEXT = 500;

/**
 * Returns the human-readable error in a SuperOffice error body: the REST shape
 * `{Error, ErrorType, ErrorMessage}`, the Web API shape `{Message, MessageDetail}`, or the
 * OAuth shape `{error, error_description}`. Returns null when the body has none.
 */
export function describeErrorBody(body: unknown): string | null {
  if (typeof body === "string") {
    const text = body.trim();
    return text === "" ? null : truncate(text);
  }
  if (body === null || typeof body !== "object") {
    return null;
  }
  const fields = body as Record<string, unknown>;
  const parts: string[] = [];
  const errorType = stringField(fields, "ErrorType");
  const errorMessage = stringField(fields, "ErrorMessage");
  if (errorType || errorMessage) {
    parts.push([errorType, errorMessage].filter(Boolean).join(": "));
  }
  const message = stringField(fields, "Message");
  const detail = stringField(fields, "MessageDetail") ?? stringField(fields, "ExceptionMessage");
  if (message || detail) {
    parts.push([message, detail].filter(Boolean).join(" "));
  }
  const oauthError = stringField(fields, "error");
  const oauthDescription = stringField(fields, "error_description");
  if (oauthError || oauthDescription) {
    parts.push([oauthError, oauthDescription].filter(Boolean).join(": "));
  }
  return parts.length === 0 ? null : truncate(parts.join("; "));
}

/**
 * Checks a 200 response of GenerateLead. Agent endpoints report some failures inside a 200:
 * a null body (CRM_BAD_RESPONSE) or `{Message, MessageDetail}` (CRM_REJECTED).
 */
export function readSalesActivity(body: unknown, url: string): SalesActivity {
  if (body === null || body === undefined || body === "") {
    throw new LeaddError(
      "CRM_BAD_RESPONSE",
      `SuperOffice returned 200 with an empty body for POST ${url}. The lead was probably not made; check the SuperOffice error log for the time of the call.`,
      { details: { retryable: false, sendUnknown: true } },
    );
  }
  if (typeof body !== "object" || Array.isArray(body)) {
    throw new LeaddError(
      "CRM_BAD_RESPONSE",
      `SuperOffice returned 200 with a body that is not a JSON object for POST ${url}. Check that superoffice.url points at the Web API.`,
      { details: { retryable: false, sendUnknown: true } },
    );
  }

  const fields = body as Record<string, unknown>;
  const hasCarrierFields = "RequestedContacts" in fields || "RequestedPerson" in fields;
  if (!hasCarrierFields && ("Message" in fields || fields.Error === true)) {
    throw new LeaddError(
      "CRM_REJECTED",
      `SuperOffice rejected POST ${url}: ${describeErrorBody(body) ?? "no reason given"}. Check the lead fields and the rights of the SuperOffice user.`,
      { details: { retryable: false, sendUnknown: false } },
    );
  }

  const contacts = fields.RequestedContacts ?? [];
  if (!Array.isArray(contacts) || !contacts.every(isCarrier("ContactId"))) {
    throw new LeaddError(
      "CRM_BAD_RESPONSE",
      `SuperOffice returned RequestedContacts that is not a list of contacts for POST ${url}.`,
      { details: { retryable: false, sendUnknown: true } },
    );
  }
  const person = fields.RequestedPerson ?? null;
  const salesRep = fields.SalesRep ?? null;
  if ((person !== null && !isCarrier("PersonId")(person)) || (salesRep !== null && !isCarrier("PersonId")(salesRep))) {
    throw new LeaddError(
      "CRM_BAD_RESPONSE",
      `SuperOffice returned a RequestedPerson or SalesRep without a PersonId for POST ${url}.`,
      { details: { retryable: false, sendUnknown: true } },
    );
  }
  return { ...fields, RequestedContacts: contacts, RequestedPerson: person, SalesRep: salesRep } as SalesActivity;
}

/** Contact a GenerateLead response points at, before the creation check. */
export type LeadTarget = { kind: "ambiguous" } | { kind: "contact"; contactId: number } | { kind: "none" };

/**
 * Finds the contact that got the lead: the person's contact, or the only returned contact.
 * Several contacts and no person means SuperOffice could not choose (ambiguous).
 */
export function leadTarget(activity: SalesActivity): LeadTarget {
  const person = activity.RequestedPerson;
  if (person !== null && typeof person.ContactId === "number" && person.ContactId > 0) {
    return { kind: "contact", contactId: person.ContactId };
  }
  if (person === null && activity.RequestedContacts.length > 1) {
    return { kind: "ambiguous" };
  }
  const only = activity.RequestedContacts[0];
  if (only !== undefined) {
    return { kind: "contact", contactId: only.ContactId };
  }
  return { kind: "none" };
}

/**
 * Parses a carrier date. SuperOffice documents CreatedDate as UTC, so values without a zone
 * are read as UTC. Returns null for an unreadable value.
 */
export function parseCarrierDate(value: unknown): number | null {
  if (typeof value !== "string" || value.trim() === "") {
    return null;
  }
  const text = value.trim();
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text);
  const ms = Date.parse(hasZone ? text : `${text}Z`);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Places a contact's creation time relative to the GenerateLead call that returned it:
 * "during" means the call made the contact. "after" means CreatedDate is ahead of the
 * server's own clock, which points at a time zone mix-up.
 */
export function createdRelativeToCall(createdMs: number, call: { startMs: number; endMs: number }): "before" | "during" | "after" {
  if (createdMs < call.startMs - CREATED_DATE_TOLERANCE_MS) {
    return "before";
  }
  if (createdMs > call.endMs + CREATED_DATE_TOLERANCE_MS) {
    return "after";
  }
  return "during";
}

function isCarrier(idField: string): (value: unknown) => boolean {
  return (value) =>
    value !== null && typeof value === "object" && typeof (value as Record<string, unknown>)[idField] === "number";
}

function stringField(fields: Record<string, unknown>, name: string): string | null {
  const value = fields[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
}
