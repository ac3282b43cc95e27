import { describe, expect, it } from "vitest";
import { splitBody, toLines } from "../../../src/extract/body.js";
import { findHeaderBlock } from "../../../src/extract/forward.js";

describe("splitBody", () => {
  it("cuts sign-off and signature", () => {
    const parts = splitBody(toLines("Hello,\n\nPlease quote for 10 rooms.\n\nKind regards,\n\nAnna Berg\nBuyer\nBerg Ltd\nTel: 0161 496 0000"), ["Anna Berg"]);
    expect(parts.text).toBe("Hello,\n\nPlease quote for 10 rooms.");
    expect(parts.signature).toEqual(["Anna Berg", "Buyer", "Berg Ltd", "Tel: 0161 496 0000"]);
  });

  it.each([
    "On Tue, 7 Oct 2025 at 10:14, Sarah Mills <s@example.com> wrote:",
    "Den 7. okt. 2025 kl. 10:14 skrev Sarah Mills <s@example.com>:",
    "Am 07.10.2025 um 10:14 schrieb Sarah Mills <s@example.com>:",
    "Op 7 okt. 2025 om 10:14 schreef Sarah Mills <s@example.com>:",
  ])("cuts quoted history after %s", (intro) => {
    const parts = splitBody(toLines(`Yes, 12 rooms.\n\n${intro}\n> Old text here\n> More`), []);
    expect(parts.text).toBe("Yes, 12 rooms.");
    expect(parts.quoted).toBe(true);
  });

  it("cuts an Outlook header block without separator", () => {
    const parts = splitBody(toLines("Thanks, that works.\n\nFrom: Sarah <s@example.com>\nSent: Monday\nTo: Me\nSubject: Offer\n\nOld offer"), []);
    expect(parts.text).toBe("Thanks, that works.");
  });

  it("drops device footers and a trailing first name", () => {
    const parts = splitBody(toLines("Can someone call me tomorrow?\n\nEspen\n\nSent from my iPhone"), ["Espen"]);
    expect(parts.text).toBe("Can someone call me tomorrow?");
  });

  it("stops the signature at a disclaimer", () => {
    const parts = splitBody(toLines("Question.\n\nBest regards\nAnna\n\n____________\nCONFIDENTIALITY NOTICE: secret"), []);
    expect(parts.signature).toEqual(["Anna"]);
  });
});

describe("findHeaderBlock", () => {
  it("reads localized labels in any order", () => {
    const block = findHeaderBlock(toLines("Note\n\n> Van: Lotte van den Berg <l@example.nl>\n> Onderwerp: Offerte\n> Datum: 20 oktober 2025\n> Aan: Pieter <p@example.com>\n>\n> Body"));
    expect(block?.from).toEqual({ name: "Lotte van den Berg", address: "l@example.nl" });
    expect(block?.quoteDepth).toBe(1);
  });

  it("takes the principal of an on-behalf-of sender", () => {
    const block = findHeaderBlock(toLines("Von: Assistenz <a@example.de> Im Auftrag von Klaus Weber <k@example.de>\nGesendet: Freitag\nBetreff: X"));
    expect(block?.from.address).toBe("k@example.de");
  });

  it("ignores a lone From line", () => {
    expect(findHeaderBlock(toLines("From: the start of the project we wanted rooms"))).toBeNull();
  });
});
