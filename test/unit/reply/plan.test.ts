import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";

import { isLeaddError } from "../../../src/errors.js";
import { MAX_REFERENCES_CHARS } from "../../../src/reply/header-safety.js";
import { decideReplies, LOOP_HEADERS, planReplies } from "../../../src/reply/plan.js";
import { AMBIGUOUS_RESPONSE, makeAnalysis, makeInput, memoryLedger, SETTINGS } from "./fixtures.js";

const NOW = new Date("2025-03-10T12:00:00Z");
const HOUR_MS = 60 * 60 * 1000;

describe("planReplies", () => {
  it("plans a created reply to the forwarder", () => {
    const [plan, ...rest] = planReplies(makeInput(), memoryLedger(), NOW);
    expect(rest).toHaveLength(0);
    expect(plan?.role).toBe("forwarder");
    expect(plan?.to).toBe("kari.nordmann@aurora.example.com");
    expect(plan?.toName).toBe("Kari Nordmann");
    expect(plan?.from).toBe(SETTINGS.from);
    expect(plan?.subject).toBe("Re: Price for 20 licences");
    expect(plan?.language).toBe("en");
    expect(plan?.messageKey).toBe("<fwd-1@aurora.example.com>");
    expect(plan?.text).toContain("Imelda Effertz");
    expect(plan?.text).toContain("imelda@aurora.example.com");
    expect(plan?.text).toContain("902");
    expect(plan?.text).toContain("4411");
    expect(plan?.html).toContain("Imelda Effertz");
  });

  it("sets loop and threading headers", () => {
    const [plan] = planReplies(makeInput(), memoryLedger(), NOW);
    expect(plan?.headers).toMatchObject(LOOP_HEADERS);
    expect(plan?.headers["Auto-Submitted"]).toBe("auto-replied");
    expect(plan?.headers["X-Auto-Response-Suppress"]).toBe("All");
    expect(plan?.headers["X-Leadd-Reply"]).toBe("1");
    expect(plan?.headers["In-Reply-To"]).toBe("<fwd-1@aurora.example.com>");
    expect(plan?.headers["References"]).toBe("<root@aurora.example.com> <fwd-1@aurora.example.com>");
  });

  it("threads the lead reply under the original enquiry", () => {
    const plans = planReplies(makeInput({ roles: ["forwarder", "lead"] }), memoryLedger(), NOW);
    const lead = plans.find((plan) => plan.role === "lead");
    expect(lead?.to).toBe("per.hansen@fjord-bygg.no");
    expect(lead?.headers["In-Reply-To"]).toBe("<enquiry-1@fjord-bygg.no>");
    expect(lead?.headers["References"]).toBe("<enquiry-1@fjord-bygg.no>");
    expect(lead?.text).toContain("Imelda Effertz");
  });

  it("omits threading for a lead reply without original id", () => {
    const input = makeInput({ roles: ["lead"], analysis: makeAnalysis({ originalMessageId: null }) });
    const [plan] = planReplies(input, memoryLedger(), NOW);
    expect(plan?.headers["In-Reply-To"]).toBeUndefined();
    expect(plan?.headers["References"]).toBeUndefined();
    expect(plan?.headers["X-Leadd-Reply"]).toBe("1");
  });

  it("threads a direct enquiry's lead reply under the message", () => {
    const analysis = makeAnalysis({ creator: null, originalMessageId: null, headers: { "in-reply-to": "<prev@x.y>" } });
    const [plan] = planReplies(makeInput({ roles: ["lead"], analysis }), memoryLedger(), NOW);
    expect(plan?.headers["In-Reply-To"]).toBe("<fwd-1@aurora.example.com>");
    expect(plan?.headers["References"]).toBe("<prev@x.y> <fwd-1@aurora.example.com>");
  });

  it("caps References keeping root and newest", () => {
    const ids = Array.from({ length: 60 }, (_, index) => `<message-${index}-${"x".repeat(20)}@example.com>`);
    const analysis = makeAnalysis({ headers: { references: ids.join(" ") } });
    const [plan] = planReplies(makeInput({ analysis }), memoryLedger(), NOW);
    const references = plan?.headers["References"] ?? "";
    expect(references.length).toBeLessThanOrEqual(MAX_REFERENCES_CHARS);
    expect(references.startsWith(ids[0] as string)).toBe(true);
    expect(references.endsWith("<fwd-1@aurora.example.com>")).toBe(true);
    expect(references).toContain(ids[59] as string);
    expect(references).not.toContain(ids[1] as string);
  });

  it("drops invalid ids from References", () => {
    const analysis = makeAnalysis({ headers: { references: "<good@a.b> <bad id@a.b> <\u0001@a.b> garbage <also@good.c>" } });
    const [plan] = planReplies(makeInput({ analysis }), memoryLedger(), NOW);
    expect(plan?.headers["References"]).toBe("<good@a.b> <also@good.c> <fwd-1@aurora.example.com>");
  });

  it("skips the forwarder of a direct enquiry", () => {
    const decision = decideReplies(makeInput({ analysis: makeAnalysis({ creator: null }) }), memoryLedger(), NOW);
    expect(decision.plans).toHaveLength(0);
    expect(decision.skipped).toEqual([{ role: "forwarder", to: "", reason: expect.stringMatching(/no forwarder/) }]);
  });

  it("skips a lead without e-mail", () => {
    const analysis = makeAnalysis();
    analysis.lead.email = "";
    const decision = decideReplies(makeInput({ roles: ["lead"], analysis }), memoryLedger(), NOW);
    expect(decision.plans).toHaveLength(0);
    expect(decision.skipped[0]?.reason).toMatch(/no e-mail address/);
  });

  it("honours the master switches", () => {
    const settings = { ...SETTINGS, toForwarder: false, toLead: false };
    const decision = decideReplies(makeInput({ roles: ["forwarder", "lead"], settings }), memoryLedger(), NOW);
    expect(decision.plans).toHaveLength(0);
    expect(decision.skipped.map((skip) => skip.reason)).toEqual(["replies.toForwarder is false", "replies.toLead is false"]);
  });

  it("plans nothing without roles", () => {
    const decision = decideReplies(makeInput({ roles: [] }), memoryLedger(), NOW);
    expect(decision).toEqual({ plans: [], skipped: [] });
  });

  it.each(["not-lead", "quarantined"] as const)("never replies to %s", (outcome) => {
    const decision = decideReplies(makeInput({ outcome, roles: ["forwarder", "lead"] }), memoryLedger(), NOW);
    expect(decision.plans).toHaveLength(0);
    expect(decision.skipped).toHaveLength(2);
    expect(decision.skipped[0]?.reason).toMatch(/never answers/);
  });

  it("skips when the loop guard blocks", () => {
    const analysis = makeAnalysis({ headers: { "auto-submitted": "auto-replied" } });
    const decision = decideReplies(makeInput({ analysis }), memoryLedger(), NOW);
    expect(decision.plans).toHaveLength(0);
    expect(decision.skipped[0]).toEqual({ role: "forwarder", to: "kari.nordmann@aurora.example.com", reason: expect.stringMatching(/Auto-Submitted/) });
  });

  it("skips replies to the from address", () => {
    const settings = { ...SETTINGS, from: "Kari <kari.nordmann@aurora.example.com>" };
    const decision = decideReplies(makeInput({ settings, ownAddresses: [] }), memoryLedger(), NOW);
    expect(decision.plans).toHaveLength(0);
    expect(decision.skipped[0]?.reason).toMatch(/own addresses/);
  });

  it("sends one reply when lead and forwarder coincide", () => {
    const analysis = makeAnalysis();
    analysis.lead.email = "Kari.Nordmann@aurora.example.com";
    const decision = decideReplies(makeInput({ roles: ["forwarder", "lead"], analysis }), memoryLedger(), NOW);
    expect(decision.plans.map((plan) => plan.role)).toEqual(["forwarder"]);
    expect(decision.skipped[0]?.reason).toMatch(/already gets a reply/);
  });

  describe("per-recipient cap", () => {
    const recipient = "kari.nordmann@aurora.example.com";

    it("skips at the cap and logs it", () => {
      const sent = Array.from({ length: 5 }, (_, index) => ({ recipient, sentAt: new Date(NOW.getTime() - index * HOUR_MS) }));
      const lines: string[] = [];
      const log = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
      const decision = decideReplies(makeInput(), memoryLedger(sent), NOW, log);
      expect(decision.plans).toHaveLength(0);
      expect(decision.skipped[0]?.reason).toMatch(/maxPerRecipientPerDay \(5\)/);
      const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(logged).toContainEqual(expect.objectContaining({ level: 30, to: recipient, cap: 5, msg: "reply cap reached for recipient" }));
    });

    it("plans below the cap", () => {
      const sent = Array.from({ length: 4 }, () => ({ recipient, sentAt: new Date(NOW.getTime() - HOUR_MS) }));
      expect(planReplies(makeInput(), memoryLedger(sent), NOW)).toHaveLength(1);
    });

    it("ignores sends older than 24 hours", () => {
      const sent = Array.from({ length: 9 }, () => ({ recipient, sentAt: new Date(NOW.getTime() - 25 * HOUR_MS) }));
      expect(planReplies(makeInput(), memoryLedger(sent), NOW)).toHaveLength(1);
    });

    it("blocks everything at cap zero", () => {
      const settings = { ...SETTINGS, maxPerRecipientPerDay: 0 };
      expect(planReplies(makeInput({ settings }), memoryLedger(), NOW)).toHaveLength(0);
    });
  });

  it("rejects an invalid from address", () => {
    const settings = { ...SETTINGS, from: "not an address" };
    expect(() => planReplies(makeInput({ settings }), memoryLedger(), NOW)).toThrow(/replies\.from/);
  });

  it("lists the ambiguous candidates", () => {
    const input = makeInput({ outcome: "ambiguous", crm: AMBIGUOUS_RESPONSE, folder: "Leads/Review" });
    const [plan] = planReplies(input, memoryLedger(), NOW);
    expect(plan?.text).toContain("Fjord Bygg AS (contact ID 31, owner Ola Berg)");
    expect(plan?.text).toContain("Fjord Bygg Vest AS (contact ID 32)");
    expect(plan?.text).toContain("Leads/Review");
  });

  it("names missing fields in the reply language", () => {
    const analysis = makeAnalysis({ language: "nb", missing: ["LeadPersonEmail", "phone"] });
    const [plan] = planReplies(makeInput({ outcome: "incomplete", crm: null, analysis }), memoryLedger(), NOW);
    expect(plan?.language).toBe("nb");
    expect(plan?.text).toContain("kundens e-postadresse");
    expect(plan?.text).toContain("kundens telefonnummer");
  });

  it("says whether a failed message is retried", () => {
    const retry = planReplies(makeInput({ outcome: "failed", crm: null, willRetry: true, reason: "503 Service Unavailable" }), memoryLedger(), NOW);
    expect(retry[0]?.text).toContain("try again automatically");
    expect(retry[0]?.text).toContain("503 Service Unavailable");
    const final = planReplies(makeInput({ outcome: "failed", crm: null, willRetry: false, folder: "Leads/Failed" }), memoryLedger(), NOW);
    expect(final[0]?.text).toContain("stopped trying");
    expect(final[0]?.text).toContain("Leads/Failed");
  });
});

describe("reply language", () => {
  it.each([
    ["nb", "nb"],
    ["no", "nb"],
    ["nn", "nb"],
    ["sv", "sv"],
    ["da", "da"],
    ["de", "de"],
    ["nl", "nl"],
    ["en", "en"],
    ["de-AT", "de"],
  ])("uses the detected language %s", (detected, expected) => {
    const [plan] = planReplies(makeInput({ analysis: makeAnalysis({ language: detected }) }), memoryLedger(), NOW);
    expect(plan?.language).toBe(expected);
  });

  it("falls back to the default language", () => {
    const settings = { ...SETTINGS, defaultLanguage: "sv" };
    const [plan] = planReplies(makeInput({ settings, analysis: makeAnalysis({ language: "fi" }) }), memoryLedger(), NOW);
    expect(plan?.language).toBe("sv");
    expect(plan?.text).toContain("Hej Kari");
  });

  it("falls back to English without a default set", () => {
    const settings = { ...SETTINGS, defaultLanguage: "fr" };
    const [plan] = planReplies(makeInput({ settings, analysis: makeAnalysis({ language: null }) }), memoryLedger(), NOW);
    expect(plan?.language).toBe("en");
  });
});

describe("custom templates folder", () => {
  const dir = mkdtempSync(join(tmpdir(), "leadd-templates-"));
  const write = (path: string, text: string): void => {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write("en/created.forwarder.txt.hbs", "EN {{contact.name}}");
  write("en/created.forwarder.html.hbs", "<p>EN {{contact.name}}</p>");
  write("en/matched.forwarder.txt.hbs", "EN matched");
  write("fi/created.forwarder.txt.hbs", "FI {{contact.name}}");
  write("en/failed.forwarder.txt.hbs", "{{#if reason}}{{reasn.text}}{{/if}}");
  write("en/incomplete.forwarder.txt.hbs", "{{#each missing}}");
  const settings = { ...SETTINGS, templatesDir: dir };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("uses a language set without HTML as text only", () => {
    const [plan] = planReplies(makeInput({ settings, analysis: makeAnalysis({ language: "fi" }) }), memoryLedger(), NOW);
    expect(plan?.language).toBe("fi");
    expect(plan?.text).toBe("FI Fjord Bygg AS");
    expect(plan?.html).toBeNull();
  });

  it("falls back to English for a missing file", () => {
    const input = makeInput({ settings, outcome: "matched", analysis: makeAnalysis({ language: "fi" }) });
    const [plan] = planReplies(input, memoryLedger(), NOW);
    expect(plan?.language).toBe("en");
    expect(plan?.text).toBe("EN matched");
  });

  it("skips a reply with no template at all", () => {
    const decision = decideReplies(makeInput({ settings, outcome: "ambiguous" }), memoryLedger(), NOW);
    expect(decision.plans).toHaveLength(0);
    expect(decision.skipped[0]?.reason).toContain(join(dir, "en", "ambiguous.forwarder.txt.hbs"));
  });

  it("reports a render error with the path", () => {
    const input = makeInput({ settings, outcome: "failed", reason: "boom" });
    let caught: unknown;
    try {
      planReplies(input, memoryLedger(), NOW);
    } catch (error) {
      caught = error;
    }
    expect(isLeaddError(caught, "CONFIG_INVALID")).toBe(true);
    expect((caught as Error).message).toContain(join(dir, "en", "failed.forwarder.txt.hbs"));
  });

  it("reports a syntax error with the path", () => {
    const input = makeInput({ settings, outcome: "incomplete" });
    expect(() => planReplies(input, memoryLedger(), NOW)).toThrow(join(dir, "en", "incomplete.forwarder.txt.hbs"));
  });
});
