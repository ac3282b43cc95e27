import { describe, expect, it } from "vitest";

import { MAX_SUBJECT_CHARS } from "../../../src/reply/header-safety.js";
import { EMPTY_SUBJECT, replySubject, stripReplyPrefixes } from "../../../src/reply/subject.js";

describe("replySubject", () => {
  it.each([
    ["Price for 20 licences", "Re: Price for 20 licences"],
    ["Re: Price", "Re: Price"],
    ["RE: Re: re: Price", "Re: Price"],
    ["SV: Tilbud", "Re: Tilbud"],
    ["VS: SV: Tilbud", "Re: Tilbud"],
    ["AW: WG: Angebot", "Re: Angebot"],
    ["Antw: Doorst: Offerte", "Re: Offerte"],
    ["VB: Offert", "Re: Offert"],
    ["Fwd: FW: Fw: Quote", "Re: Quote"],
    ["TR: Devis", "Re: Devis"],
    ["Re[2]: Price", "Re: Price"],
    ["Re(3): Price", "Re: Price"],
    ["RE : Price", "Re: Price"],
    ["  Re:Price  ", "Re: Price"],
  ])("strips prefixes of %j", (original, expected) => {
    expect(replySubject(original)).toBe(expected);
  });

  it("keeps words that only look like prefixes", () => {
    expect(replySubject("Reference: order 77")).toBe("Re: Reference: order 77");
    expect(replySubject("Svar på tilbud")).toBe("Re: Svar på tilbud");
    expect(replySubject("Question: re pricing")).toBe("Re: Question: re pricing");
  });

  it("uses a placeholder for an empty subject", () => {
    expect(replySubject("")).toBe(`Re: ${EMPTY_SUBJECT}`);
    expect(replySubject("Re: Fwd: ")).toBe(`Re: ${EMPTY_SUBJECT}`);
  });

  it("flattens CR, LF and control characters", () => {
    const subject = replySubject("Offer\r\nBcc: victim@example.com\u0000\u0007");
    expect(subject).toBe("Re: Offer Bcc: victim@example.com");
    expect(subject).not.toMatch(/[\r\n\u0000-\u001f]/);
  });

  it("caps the length", () => {
    const subject = replySubject("x".repeat(5000));
    expect(Array.from(subject).length).toBe(MAX_SUBJECT_CHARS + "Re: ".length);
  });

  it("does not split a surrogate pair", () => {
    const subject = replySubject("😀".repeat(MAX_SUBJECT_CHARS + 10));
    expect(subject).toBe(`Re: ${"😀".repeat(MAX_SUBJECT_CHARS)}`);
  });
});

describe("stripReplyPrefixes", () => {
  it("returns the subject without prefixes", () => {
    expect(stripReplyPrefixes("SV: Fwd: Offer")).toBe("Offer");
  });
});
