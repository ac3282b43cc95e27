import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { buildReplyContext, type ReplyContext } from "../../../src/reply/context.js";
import { bundledTemplatesDir, TemplateStore } from "../../../src/reply/templates.js";
import { REPLY_LANGUAGES, type ReplyRole } from "../../../src/reply/types.js";
import type { Outcome } from "../../../src/types.js";
import { AMBIGUOUS_RESPONSE, CREATED_RESPONSE, makeAnalysis, SETTINGS } from "./fixtures.js";

/** The outcome and role pairs the bundled set has templates for. */
const SHIPPED: [Outcome, ReplyRole][] = [
  ["created", "forwarder"],
  ["matched", "forwarder"],
  ["ambiguous", "forwarder"],
  ["incomplete", "forwarder"],
  ["failed", "forwarder"],
  ["duplicate", "forwarder"],
  ["created", "lead"],
  ["matched", "lead"],
];

const dir = bundledTemplatesDir();
const store = new TemplateStore(dir);

function fullContext(outcome: Outcome, language: string): ReplyContext {
  return buildReplyContext({
    analysis: makeAnalysis({ missing: ["LeadPersonEmail"] }),
    outcome,
    language,
    from: SETTINGS.from,
    reason: "SuperOffice returned 400: LeadPersonEmail is invalid",
    crm: outcome === "ambiguous" ? AMBIGUOUS_RESPONSE : CREATED_RESPONSE,
    duplicateOf: { messageId: "<first@aurora.example.com>", crmIds: { contactId: 902, personId: 4411 } },
    folder: "Leads/Done",
    willRetry: false,
  });
}

/** A context with every optional value absent, as for a sparse enquiry and an empty CRM response. */
function sparseContext(outcome: Outcome, language: string): ReplyContext {
  const analysis = makeAnalysis({ subject: "", creator: null, missing: [] });
  analysis.lead = { firstname: "", lastname: "", email: "", company: "", phone: "", description: "" };
  return buildReplyContext({ analysis, outcome, language, from: "leads@aurora.example.com", crm: null });
}

describe("bundled templates", () => {
  it("has a folder for every language", () => {
    const folders = readdirSync(dir).sort();
    expect(folders).toEqual([...REPLY_LANGUAGES].sort());
  });

  it("has the same files in every language", () => {
    const english = readdirSync(join(dir, "en")).sort();
    expect(english).toHaveLength(SHIPPED.length * 2);
    for (const language of REPLY_LANGUAGES) {
      expect(readdirSync(join(dir, language)).sort(), language).toEqual(english);
    }
  });

  for (const language of REPLY_LANGUAGES) {
    describe(language, () => {
      for (const [outcome, role] of SHIPPED) {
        it(`renders ${outcome}.${role}`, () => {
          const pair = store.find(outcome, role, language);
          expect(pair?.language).toBe(language);
          expect(pair?.html).not.toBeNull();

          const full = fullContext(outcome, language);
          const text = pair?.text.render(full) ?? "";
          const html = pair?.html?.render(full) ?? "";
          expect(text.length).toBeGreaterThan(50);
          expect(text).not.toMatch(/\{\{|\}\}/);
          expect(text).not.toMatch(/\n{3,}/);
          expect(html).toContain(`<html lang="${language}">`);

          if (outcome === "created" || outcome === "matched") {
            expect(text).toContain("Imelda Effertz");
            expect(html).toContain("Imelda Effertz");
          }
          if (outcome === "created" && role === "forwarder") {
            expect(text).toContain("902");
            expect(text).toContain("imelda@aurora.example.com");
          }
          if (outcome === "ambiguous") {
            expect(text).toContain("Fjord Bygg Vest AS");
            expect(text).toContain("32");
          }
          if (outcome === "failed") {
            expect(text).toContain("LeadPersonEmail is invalid");
            expect(text).toContain("Leads/Done");
          }
          if (outcome === "duplicate") {
            expect(text).toContain("<first@aurora.example.com>");
          }

          const sparse = sparseContext(outcome, language);
          const sparseText = pair?.text.render(sparse) ?? "";
          expect(sparseText).not.toMatch(/\n{3,}/);
          expect(() => pair?.html?.render(sparse)).not.toThrow();
        });
      }
    });
  }

  it("uses no triple-stash in HTML templates", () => {
    for (const language of REPLY_LANGUAGES) {
      for (const file of readdirSync(join(dir, language)).filter((name) => name.endsWith(".html.hbs"))) {
        const source = readFileSync(join(dir, language, file), "utf8");
        expect(source, `${language}/${file}`).not.toContain("{{{");
        expect(source, `${language}/${file}`).not.toContain("{{&");
      }
    }
  });

  it("escapes a script tag in HTML", () => {
    const crm = {
      ...CREATED_RESPONSE,
      RequestedContacts: [{ ContactId: 902, Name: "<img src=x onerror=alert(1)>" }],
      SalesRep: { PersonId: 17, FullName: '<script>alert("x")</script>', Email: "imelda@aurora.example.com" },
    };
    const context = buildReplyContext({ analysis: makeAnalysis(), outcome: "created", language: "en", from: SETTINGS.from, crm });

    const pair = store.find("created", "forwarder", "en");
    const html = pair?.html?.render(context) ?? "";
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");

    const text = pair?.text.render(context) ?? "";
    expect(text).toContain('<script>alert("x")</script>');
  });

  it("keeps the enquiry subject out of HTML markup", () => {
    const context = buildReplyContext({
      analysis: makeAnalysis({ subject: 'Offer"><b>bold</b>' }),
      outcome: "created",
      language: "en",
      from: SETTINGS.from,
      crm: CREATED_RESPONSE,
    });
    const html = store.find("created", "lead", "en")?.html?.render(context) ?? "";
    expect(html).not.toContain("<b>bold</b>");
    expect(html).toContain("&lt;b&gt;bold&lt;/b&gt;");
  });
});
