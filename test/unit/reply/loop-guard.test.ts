import { describe, expect, it } from "vitest";

import { replyBlockedReason } from "../../../src/reply/loop-guard.js";
import { makeAnalysis } from "./fixtures.js";

const OWN = ["leads@aurora.example.com"];
const RECIPIENT = "kari.nordmann@aurora.example.com";

function reasonFor(headers: Record<string, string>, extra: Parameters<typeof makeAnalysis>[0] = {}): string | null {
  return replyBlockedReason(makeAnalysis({ headers, ...extra }), RECIPIENT, OWN);
}

describe("replyBlockedReason", () => {
  it("allows an ordinary forward", () => {
    expect(reasonFor({ "message-id": "<a@b.c>" })).toBeNull();
  });

  it.each(["auto-replied", "auto-generated", "auto-notified", "Auto-Replied; owner-email=x@y.z", ""])(
    "blocks Auto-Submitted %j",
    (value) => {
      expect(reasonFor({ "auto-submitted": value })).toMatch(/Auto-Submitted/);
    },
  );

  it("allows Auto-Submitted no", () => {
    expect(reasonFor({ "auto-submitted": "No" })).toBeNull();
  });

  it.each(["bulk", "junk", "list", "BULK"])("blocks Precedence %s", (value) => {
    expect(reasonFor({ precedence: value })).toMatch(/Precedence/);
  });

  it("allows Precedence first-class", () => {
    expect(reasonFor({ precedence: "first-class" })).toBeNull();
  });

  it("blocks List-Id", () => {
    expect(reasonFor({ "list-id": "<sales.example.com>" })).toMatch(/List-Id/);
  });

  it("blocks List-Unsubscribe", () => {
    expect(reasonFor({ "list-unsubscribe": "<mailto:unsub@example.com>" })).toMatch(/List-Unsubscribe/);
  });

  it("blocks an empty Return-Path", () => {
    expect(reasonFor({ "return-path": "<>" })).toMatch(/Return-Path/);
    expect(reasonFor({ "return-path": " < > " })).toMatch(/Return-Path/);
  });

  it("allows a normal Return-Path", () => {
    expect(reasonFor({ "return-path": "<kari@aurora.example.com>" })).toBeNull();
  });

  it("blocks leadd's own replies", () => {
    expect(reasonFor({ "x-leadd-reply": "1" })).toMatch(/X-Leadd-Reply/);
  });

  it("blocks X-Auto-Response-Suppress All", () => {
    expect(reasonFor({ "x-auto-response-suppress": "DR, OOF, AutoReply" })).toMatch(/X-Auto-Response-Suppress/);
    expect(reasonFor({ "x-auto-response-suppress": "All" })).toMatch(/X-Auto-Response-Suppress/);
  });

  it("allows X-Auto-Response-Suppress OOF only", () => {
    expect(reasonFor({ "x-auto-response-suppress": "OOF" })).toBeNull();
  });

  describe("group relay", () => {
    const relay = { isLead: true, groupRelay: true };

    it("allows list headers on a group relay", () => {
      expect(reasonFor({ "list-id": "<sales.example.com>", precedence: "list", "list-unsubscribe": "<x>" }, relay)).toBeNull();
    });

    it("still blocks Precedence junk", () => {
      expect(reasonFor({ precedence: "junk" }, relay)).toMatch(/junk/);
    });

    it("still blocks Auto-Submitted", () => {
      expect(reasonFor({ "list-id": "<sales.example.com>", "auto-submitted": "auto-generated" }, relay)).toMatch(/Auto-Submitted/);
    });

    it("blocks the relay when not a lead", () => {
      expect(reasonFor({ "list-id": "<sales.example.com>" }, { isLead: false, groupRelay: true })).toMatch(/List-Id/);
    });

    it("blocks replies to the list address", () => {
      const analysis = makeAnalysis({ ...relay, headers: { "list-id": "<sales>", "list-post": "<mailto:Sales@Example.com>" } });
      expect(replyBlockedReason(analysis, "sales@example.com", OWN)).toMatch(/List-Post/);
    });
  });

  it.each([
    "MAILER-DAEMON@mx.example.com",
    "postmaster@example.com",
    "noreply@example.com",
    "no-reply@example.com",
    "no_reply@example.com",
    "do-not-reply@example.com",
    "donotreply@example.com",
    "noreply+tag@example.com",
    "jira-noreply@example.com",
    "notifications.no-reply@example.com",
  ])("blocks system recipient %s", (recipient) => {
    expect(replyBlockedReason(makeAnalysis(), recipient, OWN)).toMatch(/system or no-reply/);
  });

  it.each(["norelpy@example.com", "reply@example.com", "noreen@example.com", "postmasters-guild@example.com"])(
    "allows personal recipient %s",
    (recipient) => {
      expect(replyBlockedReason(makeAnalysis(), recipient, OWN)).toBeNull();
    },
  );

  it("blocks leadd's own address in any case", () => {
    expect(replyBlockedReason(makeAnalysis(), "LEADS@Aurora.Example.com", OWN)).toMatch(/own addresses/);
  });

  it.each(["", "not an address", "a@b", "x@y.z\r\nBcc: v@w.x", "<>"])("blocks invalid recipient %j", (recipient) => {
    expect(replyBlockedReason(makeAnalysis(), recipient, OWN)).toMatch(/invalid/);
  });
});
