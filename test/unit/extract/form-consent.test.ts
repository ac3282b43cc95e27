import { describe, expect, it } from "vitest";
import { toLines } from "../../../src/extract/body.js";
import { loadFormRules } from "../../../src/extract/form-rules.js";
import { isConsentLine, readForm } from "../../../src/extract/form.js";
import { silentLog } from "./options.js";

describe("isConsentLine", () => {
  it.each([
    "I agree to the processing of my personal data: Yes",
    "Marketing consent: No",
    "Jeg godtar personvernerklæringen: Ja",
    "Jag godkänner att ni sparar mina personuppgifter: Ja",
    "Jeg giver samtykke til behandling af mine data: Ja",
    "Nyhedsbrev: Nej tak",
    "Datenschutz: Ich habe die Datenschutzerklärung gelesen",
    "Ik ga akkoord met de voorwaarden: Ja",
    "[x] Ich möchte den Newsletter erhalten",
    "Datenschutzerklärung akzeptiert",
  ])("recognises %s", (line) => {
    expect(isConsentLine(line)).toBe(true);
  });

  it.each([
    "Data protection: we need all data hosted inside the EU",
    "In terms of budget: around 5000 EUR",
    "We have three offices: Oslo, Bergen and Tromsø",
    "Privacy is important to us, so please call before 10:00",
    "The price was agreed",
  ])("leaves message text alone: %s", (line) => {
    expect(isConsentLine(line)).toBe(false);
  });
});

describe("readForm message field", () => {
  it("stops at a consent line without a blank line before it", async () => {
    const rules = await loadFormRules([], silentLog);
    const lines = toLines("Name: Ola Dahl\nE-post: ola@example.no\nMelding:\nVi trenger fire møterom.\nRing meg gjerne.\nJeg godtar at dere lagrer opplysningene: Ja\nNyhetsbrev: Nei");
    const form = readForm(lines, rules, "skjema@example.no", "Ny henvendelse");
    expect(form?.values.message).toBe("Vi trenger fire møterom.\nRing meg gjerne.");
  });
});
