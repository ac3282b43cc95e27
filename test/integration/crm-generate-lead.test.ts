import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SuperOfficeClient } from "../../src/crm/client.js";
import { isLeaddError } from "../../src/errors.js";
import { SuperOfficeStandIn } from "../support/superoffice-stand-in.js";
import { captureLog, clientOptions, fakeTime, leadRequest } from "../support/superoffice-fixtures.js";

const BASIC = { type: "basic" as const, user: "leadd", password: "basic-pass-7781" };

describe("SuperOfficeClient GenerateLead", () => {
  let standIn: SuperOfficeStandIn;
  let client: SuperOfficeClient;

  beforeEach(async () => {
    standIn = await SuperOfficeStandIn.start({
      basic: { user: BASIC.user, password: BASIC.password },
      seed: {
        associates: [{ AssociateId: 20, PersonId: 20, Firstname: "Per", Lastname: "Selger", Email: "per@aurora.example.com" }],
        contacts: [
          { ContactId: 100, Name: "Havbris AS", AssociateId: 20 },
          { ContactId: 200, Name: "Nordlys Tech", AssociateId: 20 },
          { ContactId: 201, Name: "nordlys tech", AssociateId: 12 },
        ],
        persons: [{ PersonId: 300, ContactId: 100, Firstname: "Ingrid", Lastname: "Berg", Email: "ingrid@havbris.example" }],
      },
    });
    const time = fakeTime();
    client = new SuperOfficeClient(clientOptions(standIn.url, BASIC), captureLog().log, { sleep: time.sleep });
  });

  afterEach(async () => {
    await standIn.stop();
  });

  it("person found by e-mail is matched", async () => {
    const result = await client.generateLead(leadRequest({ LeadPersonEmail: "INGRID@havbris.example", LeadContact: "Something Else" }));
    expect(result.outcome).toBe("matched");
    expect(result.response.RequestedPerson?.PersonId).toBe(300);
    expect(result.response.SalesRep?.FullName).toBe("Per Selger");
    expect(result.contactId).toBe(100);
    expect(standIn.data.contacts.size).toBe(3);
  });

  it("contact found by name is matched", async () => {
    const result = await client.generateLead(leadRequest({ LeadContact: "HAVBRIS AS", LeadPersonEmail: "new.person@havbris.example" }));
    expect(result.outcome).toBe("matched");
    expect(result.contactId).toBe(100);
    expect(result.response.RequestedPerson?.ContactId).toBe(100);
    expect(result.response.RequestedPerson?.PersonId).toBeGreaterThanOrEqual(1000);
  });

  it("several contacts by name are ambiguous", async () => {
    const result = await client.generateLead(leadRequest({ LeadContact: "Nordlys Tech", LeadPersonEmail: "x@nordlys.example" }));
    expect(result.outcome).toBe("ambiguous");
    expect(result.response.RequestedPerson).toBeNull();
    expect(result.response.RequestedContacts.map((contact) => contact.ContactId).sort()).toEqual([200, 201]);
    expect(result.contactId).toBeNull();
  });

  it("nothing found is created", async () => {
    const result = await client.generateLead(leadRequest());
    expect(result.outcome).toBe("created");
    expect(result.contactCreatedDate).not.toBeNull();
    expect(result.response.RequestedContacts[0]?.Name).toBe("Fjordkraft Consulting AS");
    expect(result.response.RequestedContacts[0]?.AssociateId).toBe(12);
  });

  it("second lead for a new contact is matched", async () => {
    await client.generateLead(leadRequest());
    const again = await client.generateLead(leadRequest({ LeadPersonEmail: "other@fjordkraft-consulting.example", LeadPersonFirstname: "Nils" }));
    // The contact was created milliseconds ago, inside any time window; the client remembers it made it.
    expect(again.outcome).toBe("matched");
    expect(again.contactId).toBeGreaterThanOrEqual(1000);
    expect(standIn.generateLeadRequests().length).toBe(2);
  });

  it("sends the request body and Basic header", async () => {
    await client.generateLead(leadRequest());
    const sent = standIn.generateLeadRequests("kari@fjordkraft-consulting.example");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.json).toEqual(leadRequest());
    expect(sent[0]!.headers.authorization).toBe(`Basic ${Buffer.from("leadd:basic-pass-7781").toString("base64")}`);
    expect(sent[0]!.headers["content-type"]).toMatch(/application\/json/);
  });

  it("accepts a URL ending in /api/v1", async () => {
    const other = new SuperOfficeClient(clientOptions(`${standIn.url}/api/v1/`, BASIC), captureLog().log);
    const result = await other.generateLead(leadRequest());
    expect(result.outcome).toBe("created");
  });

  it("check calls currentPrincipal", async () => {
    await client.check();
    expect(standIn.requests.map((request) => request.path)).toEqual(["/Cust12345/api/v1/User/currentPrincipal"]);
  });

  it("wrong password fails once without retry", async () => {
    const wrong = new SuperOfficeClient(clientOptions(standIn.url, { ...BASIC, password: "nope" }), captureLog().log, { sleep: async () => {} });
    const error = await wrong.generateLead(leadRequest()).catch((caught: unknown) => caught);
    expect(isLeaddError(error, "CRM_AUTH_FAILED")).toBe(true);
    expect((error as Error).message).toContain(standIn.url);
    expect((error as Error).message).toContain("Invalid user name or password");
    expect(standIn.generateLeadRequests()).toHaveLength(1);
  });
});
