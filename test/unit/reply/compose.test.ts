import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";

import { composeReply } from "../../../src/reply/compose.js";
import { formatReplyForDryRun } from "../../../src/reply/format.js";
import { planReplies } from "../../../src/reply/plan.js";
import type { ReplyPlan } from "../../../src/reply/types.js";
import { CREATED_RESPONSE, makeAnalysis, makeInput, memoryLedger } from "./fixtures.js";

const NOW = new Date("2025-03-10T12:00:00Z");

/** Returns the header block of a raw message, unfolded, one header per entry. */
function headerLines(raw: Buffer): string[] {
  const text = raw.toString("utf8");
  const head = text.slice(0, text.indexOf("\r\n\r\n"));
  return head.replace(/\r\n[ \t]+/g, " ").split("\r\n");
}

function planFor(overrides: Parameters<typeof makeAnalysis>[0] = {}, crm = CREATED_RESPONSE): ReplyPlan {
  const [plan] = planReplies(makeInput({ roles: ["forwarder", "lead"], crm, analysis: makeAnalysis(overrides) }), memoryLedger(), NOW);
  if (plan === undefined) {
    throw new Error("expected a plan");
  }
  return plan;
}

describe("composeReply", () => {
  it("writes loop, threading and identity headers", async () => {
    const composed = await composeReply(planFor(), NOW);
    const parsed = await simpleParser(composed.raw);
    expect(parsed.headers.get("auto-submitted")).toBe("auto-replied");
    expect(parsed.headers.get("x-auto-response-suppress")).toBe("All");
    expect(parsed.headers.get("x-leadd-reply")).toBe("1");
    expect(parsed.inReplyTo).toBe("<fwd-1@aurora.example.com>");
    expect(parsed.references).toEqual(["<root@aurora.example.com>", "<fwd-1@aurora.example.com>"]);
    expect(parsed.messageId).toBe(composed.messageId);
    expect(composed.messageId).toMatch(/^<[0-9a-f-]{36}@aurora\.example\.com>$/);
    expect(parsed.subject).toBe("Re: Price for 20 licences");
    expect(parsed.text).toContain("Imelda Effertz");
    expect(parsed.html).toContain("Imelda Effertz");
    expect(composed.to).toBe("kari.nordmann@aurora.example.com");
    expect(composed.from).toBe("leads@aurora.example.com");
  });

  it("uses CRLF line ends throughout", async () => {
    const raw = (await composeReply(planFor(), NOW)).raw.toString("utf8");
    expect(raw.match(/(?<!\r)\n/g)).toBeNull();
  });

  it("keeps a CRLF subject in one header", async () => {
    const composed = await composeReply(planFor({ subject: "Offer\r\nBcc: victim@evil.example\r\n\r\nInjected body" }), NOW);
    const lines = headerLines(composed.raw);
    expect(lines.filter((line) => /^bcc:/i.test(line))).toEqual([]);
    expect(lines.filter((line) => /^subject:/i.test(line))).toHaveLength(1);
    const parsed = await simpleParser(composed.raw);
    expect(parsed.subject).toBe("Re: Offer Bcc: victim@evil.example Injected body");
    expect(parsed.bcc).toBeUndefined();
  });

  it("keeps a CRLF name in the To header", async () => {
    const composed = await composeReply(
      planFor({ creator: { firstname: "Kari\r\nBcc: victim@evil.example", lastname: "N", email: "kari@aurora.example.com", company: "" } }),
      NOW,
    );
    const lines = headerLines(composed.raw);
    expect(lines.filter((line) => /^bcc:/i.test(line))).toEqual([]);
    const parsed = await simpleParser(composed.raw);
    expect(parsed.bcc).toBeUndefined();
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    expect(to?.value).toEqual([{ address: "kari@aurora.example.com", name: "Kari Bcc: victim@evil.example N" }]);
  });

  it("keeps a CRLF plan header in one line", async () => {
    const plan = planFor();
    plan.headers["References"] = "<a@b.c>\r\nBcc: victim@evil.example";
    plan.headers["Bad Name:\r\nBcc"] = "x";
    const lines = headerLines((await composeReply(plan, NOW)).raw);
    expect(lines.filter((line) => /^bcc:/i.test(line))).toEqual([]);
  });

  it("rejects an invalid recipient", async () => {
    const plan = { ...planFor(), to: "victim@evil.example\r\nBcc: x@y.z" };
    await expect(composeReply(plan, NOW)).rejects.toThrow(/not a valid address/);
  });

  it("encodes non-ASCII subjects", async () => {
    const composed = await composeReply(planFor({ subject: "SV: Tilbud på løsning – Ærlig talt" }), NOW);
    const subjectLine = headerLines(composed.raw).find((line) => /^subject:/i.test(line)) ?? "";
    expect(subjectLine).toMatch(/=\?UTF-8\?/i);
    expect((await simpleParser(composed.raw)).subject).toBe("Re: Tilbud på løsning – Ærlig talt");
  });
});

describe("formatReplyForDryRun", () => {
  it("prints headers and the text body", () => {
    const output = formatReplyForDryRun(planFor());
    expect(output).toContain("To: Kari Nordmann <kari.nordmann@aurora.example.com>");
    expect(output).toContain("Subject: Re: Price for 20 licences");
    expect(output).toContain("Auto-Submitted: auto-replied");
    expect(output).toContain("In-Reply-To: <fwd-1@aurora.example.com>");
    expect(output).toContain("(template en/created.forwarder, text and HTML)");
    expect(output).toContain("Imelda Effertz is the responsible sales rep");
  });
});
