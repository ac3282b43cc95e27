import { describe, expect, it } from "vitest";
import { notLeadReason } from "../../../src/classify/not-lead.js";
import { parseMime } from "../../../src/extract/mime.js";

const options = { ownDomains: ["aurora.example.com"], ownAddresses: ["leads@aurora.example.com"] };

async function reason(headers: string, relayed = false): Promise<string | null> {
  const raw = Buffer.from(`${headers}\r\nMessage-ID: <t@example.com>\r\nContent-Type: text/plain\r\n\r\nHello, we want a quote.\r\n`);
  return notLeadReason(await parseMime(raw), options, relayed);
}

describe("notLeadReason", () => {
  it("passes a plain enquiry", async () => {
    expect(await reason("From: Anna <anna@example.no>\r\nSubject: Quote")).toBeNull();
  });

  it.each([
    ["From: a@example.no\r\nSubject: Hi\r\nAuto-Submitted: auto-replied", /auto-reply/],
    ["From: a@example.no\r\nSubject: Hi\r\nX-Autoreply: yes", /auto-reply/],
    ["From: a@example.no\r\nSubject: Abwesenheitsnotiz: Angebot", /auto-reply/],
    ["From: a@example.no\r\nSubject: Automatisch antwoord: offerte", /auto-reply/],
    ["From: a@example.no\r\nSubject: Out of Office: quote", /auto-reply/],
    ["From: MAILER-DAEMON@example.no\r\nSubject: Undelivered Mail", /bounce/],
    ["From: a@example.no\r\nSubject: News\r\nPrecedence: bulk", /bulk/],
    ["From: a@example.no\r\nSubject: News\r\nList-Unsubscribe: <mailto:u@example.no>", /bulk/],
    ["From: a@example.no\r\nSubject: Hi\r\nX-Spam-Flag: YES", /spam/],
    ["From: leads@aurora.example.com\r\nSubject: Thanks", /own mail/],
    ["From: a@example.no\r\nSubject: Thanks\r\nX-Leadd-Reply: 1", /own mail/],
  ])("rejects %s", async (headers, expected) => {
    expect(await reason(headers)).toMatch(expected);
  });

  it("keeps list headers of a group relay", async () => {
    expect(await reason("From: a@example.no\r\nSubject: Hi\r\nPrecedence: list\r\nList-Id: <sales.example.no>", true)).toBeNull();
  });

  it("keeps Auto-Submitted: no", async () => {
    expect(await reason("From: a@example.no\r\nSubject: Hi\r\nAuto-Submitted: no")).toBeNull();
  });
});
