/** Shared inputs for the reply unit tests. */
import type { Analysis } from "../../../src/types.js";
import type { ReplyInput, ReplyLedger, ReplySettings, SalesActivityLike } from "../../../src/reply/types.js";

export function makeAnalysis(overrides: Partial<Analysis> = {}): Analysis {
  return {
    messageId: "<fwd-1@aurora.example.com>",
    subject: "VS: Price for 20 licences",
    from: "kari.nordmann@aurora.example.com",
    replyTo: null,
    isLead: true,
    reason: "forwarded enquiry (Outlook, Norwegian)",
    language: "en",
    lead: {
      firstname: "Per",
      lastname: "Hansen",
      email: "per.hansen@fjord-bygg.no",
      company: "Fjord Bygg AS",
      phone: "+4791234567",
      description: "We would like a price for 20 licences.",
    },
    creator: { firstname: "Kari", lastname: "Nordmann", email: "kari.nordmann@aurora.example.com", company: "Aurora Systems" },
    forwarderNote: "",
    evidence: {},
    missing: [],
    originalMessageId: "<enquiry-1@fjord-bygg.no>",
    fingerprint: "abc123",
    headers: {
      "message-id": "<fwd-1@aurora.example.com>",
      references: "<root@aurora.example.com>",
    },
    ...overrides,
  };
}

export const SETTINGS: ReplySettings = {
  from: "Aurora leads <leads@aurora.example.com>",
  defaultLanguage: "en",
  toForwarder: true,
  toLead: true,
  maxPerRecipientPerDay: 5,
  templatesDir: null,
};

export const CREATED_RESPONSE: SalesActivityLike = {
  RequestedContacts: [{ ContactId: 902, Name: "Fjord Bygg AS", AssociateId: 522, AssociateFullName: "Imelda Effertz" }],
  RequestedPerson: {
    PersonId: 4411,
    Firstname: "Per",
    Lastname: "Hansen",
    FullName: "Per Hansen",
    Email: "per.hansen@fjord-bygg.no",
    ContactId: 902,
  },
  SalesRep: { PersonId: 17, Firstname: "Imelda", Lastname: "Effertz", FullName: "Imelda Effertz", Email: "imelda@aurora.example.com", ContactId: 1 },
};

export const AMBIGUOUS_RESPONSE: SalesActivityLike = {
  RequestedContacts: [
    { ContactId: 31, Name: "Fjord Bygg AS", AssociateFullName: "Ola Berg" },
    { ContactId: 32, Name: "Fjord Bygg Vest AS", AssociateFullName: null },
  ],
  RequestedPerson: null,
  SalesRep: null,
};

export function makeInput(overrides: Partial<ReplyInput> = {}): ReplyInput {
  return {
    analysis: makeAnalysis(),
    outcome: "created",
    crm: CREATED_RESPONSE,
    roles: ["forwarder"],
    settings: SETTINGS,
    ownAddresses: ["leads@aurora.example.com"],
    ...overrides,
  };
}

/** Returns a ledger backed by an array, counting sends per recipient. */
export function memoryLedger(sent: { recipient: string; sentAt: Date }[] = []): ReplyLedger & { sent: typeof sent } {
  return {
    sent,
    countSince(recipient: string, since: Date): number {
      return sent.filter((entry) => entry.recipient === recipient && entry.sentAt >= since).length;
    },
    record(recipient: string, _messageKey: string, sentAt: Date): void {
      sent.push({ recipient, sentAt });
    },
  };
}
