import { describe, expect, it } from "vitest";
import { isLeaddError } from "../../../src/errors.js";
import {
  CREATED_DATE_TOLERANCE_MS,
  describeErrorBody,
  createdRelativeToCall,
  leadTarget,
  parseCarrierDate,
  readSalesActivity,
} from "../../../src/crm/response.js";
import type { SalesActivity } from "../../../src/crm/sales-activity.js";

const URL = "http://127.0.0.1:1/Cust1/api/v1/Agents/Appointment/GenerateLead";

function activity(contacts: number[], person: { PersonId: number; ContactId: number } | null): SalesActivity {
  return {
    RequestedContacts: contacts.map((id) => ({ ContactId: id, Name: `Contact ${id}` })),
    RequestedPerson: person,
    SalesRep: null,
  };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isLeaddError(error) ? error.code : "not a LeaddError";
  }
  return undefined;
}

describe("readSalesActivity", () => {
  it("accepts the documented shape", () => {
    const body = { RequestedContacts: [{ ContactId: 5, Name: "Fjord AS" }], RequestedPerson: { PersonId: 9, ContactId: 5 }, SalesRep: null };
    expect(readSalesActivity(body, URL).RequestedPerson?.PersonId).toBe(9);
  });

  it("treats a null body as a bad response", () => {
    expect(codeOf(() => readSalesActivity(null, URL))).toBe("CRM_BAD_RESPONSE");
    expect(codeOf(() => readSalesActivity("", URL))).toBe("CRM_BAD_RESPONSE");
  });

  it("treats a Message body as rejected", () => {
    expect(codeOf(() => readSalesActivity({ Message: "The request is invalid.", MessageDetail: "x" }, URL))).toBe("CRM_REJECTED");
  });

  it("names the message detail", () => {
    expect(() => readSalesActivity({ Message: "The request is invalid.", MessageDetail: "RelationId unknown" }, URL)).toThrow(/RelationId unknown/);
  });

  it("rejects carriers without ids", () => {
    expect(codeOf(() => readSalesActivity({ RequestedContacts: [{ Name: "x" }], RequestedPerson: null }, URL))).toBe("CRM_BAD_RESPONSE");
    expect(codeOf(() => readSalesActivity({ RequestedContacts: [], RequestedPerson: { Firstname: "x" } }, URL))).toBe("CRM_BAD_RESPONSE");
    expect(codeOf(() => readSalesActivity([1, 2], URL))).toBe("CRM_BAD_RESPONSE");
  });
});

describe("leadTarget", () => {
  it("is ambiguous with several contacts and no person", () => {
    expect(leadTarget(activity([1, 2], null))).toEqual({ kind: "ambiguous" });
  });

  it("follows the person's contact", () => {
    expect(leadTarget(activity([1], { PersonId: 7, ContactId: 1 }))).toEqual({ kind: "contact", contactId: 1 });
  });

  it("uses the only contact when no person came back", () => {
    expect(leadTarget(activity([4], null))).toEqual({ kind: "contact", contactId: 4 });
  });

  it("is none when nothing came back", () => {
    expect(leadTarget(activity([], null))).toEqual({ kind: "none" });
  });
});

describe("created check", () => {
  it("parses dates with and without zone as UTC", () => {
    expect(parseCarrierDate("2026-03-02T10:00:00Z")).toBe(Date.parse("2026-03-02T10:00:00Z"));
    expect(parseCarrierDate("2026-03-02T10:00:00")).toBe(Date.parse("2026-03-02T10:00:00Z"));
    expect(parseCarrierDate("2026-03-02T12:00:00+02:00")).toBe(Date.parse("2026-03-02T10:00:00Z"));
    expect(parseCarrierDate("never")).toBeNull();
    expect(parseCarrierDate(null)).toBeNull();
  });

  it("places a contact made during the call", () => {
    const start = Date.parse("2026-03-02T10:00:00Z");
    const call = { startMs: start, endMs: start + 1500 };
    expect(createdRelativeToCall(start + 800, call)).toBe("during");
    expect(createdRelativeToCall(start - CREATED_DATE_TOLERANCE_MS, call)).toBe("during");
    expect(createdRelativeToCall(call.endMs + CREATED_DATE_TOLERANCE_MS, call)).toBe("during");
  });

  it("places an older contact before", () => {
    const start = Date.parse("2026-03-02T10:00:00Z");
    const call = { startMs: start, endMs: start + 1500 };
    expect(createdRelativeToCall(start - CREATED_DATE_TOLERANCE_MS - 1, call)).toBe("before");
    expect(createdRelativeToCall(Date.parse("2020-01-15T09:30:00Z"), call)).toBe("before");
  });

  it("places a future date after", () => {
    const start = Date.parse("2026-03-02T10:00:00Z");
    expect(createdRelativeToCall(start + 60 * 60 * 1000, { startMs: start, endMs: start + 100 })).toBe("after");
  });
});

describe("describeErrorBody", () => {
  it("reads the REST error shape", () => {
    expect(describeErrorBody({ Error: true, ErrorType: "SoException", ErrorMessage: "No access" })).toBe("SoException: No access");
  });

  it("reads the OAuth error shape", () => {
    expect(describeErrorBody({ error: "invalid_grant", error_description: "revoked" })).toBe("invalid_grant: revoked");
  });

  it("truncates long text", () => {
    expect(describeErrorBody("x".repeat(2000))!.length).toBeLessThan(600);
  });

  it("returns null for bodies without an error", () => {
    expect(describeErrorBody({ RequestedContacts: [] })).toBeNull();
    expect(describeErrorBody(null)).toBeNull();
  });
});
