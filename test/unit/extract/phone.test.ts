import { describe, expect, it } from "vitest";
import { scanPhones, toE164 } from "../../../src/extract/phone.js";

describe("toE164", () => {
  it.each([
    ["+49 (0)30 2758 4413", ["DE"], "+493027584413"],
    ["08-641 27 35", ["SE"], "+4686412735"],
    ["0711 4589 2210", ["DE", "NO"], "+4971145892210"],
    ["918 45 372", ["NO"], "+4791845372"],
    ["0031 10 742 1188", ["NO"], "+31107421188"],
    ["07700 900237", ["GB"], "+447700900237"],
  ] as const)("%s", (input, regions, expected) => {
    expect(toE164(input, [...regions])?.value).toBe(expected);
  });

  it("rejects dates and IP addresses", () => {
    expect(toE164("20.10.2025", ["DE"])).toBeNull();
    expect(toE164("203.0.113.47", ["DE"])).toBeNull();
  });
});

describe("scanPhones", () => {
  const context = { regions: ["GB" as const], from: "signature", base: 3, prose: false };

  it("skips fax and registration numbers", () => {
    const found = scanPhones(["Fax: 0161 496 0999", "Company number 09876543", "VAT: GB 123 4567 89"], context);
    expect(found).toEqual([]);
  });

  it("prefers mobile over switchboard", () => {
    const found = scanPhones(["Switchboard: 0161 496 0000", "Mobile: 07700 900123"], context);
    const best = found.sort((a, b) => b.score - a.score)[0];
    expect(best?.value).toBe("+447700900123");
  });

  it("takes prose numbers only with a cue", () => {
    const prose = { ...context, from: "enquiry text", prose: true };
    expect(scanPhones(["We have 1 200 users in 2025"], prose)).toEqual([]);
    expect(scanPhones(["Please call me on 0113 496 0123 tomorrow"], prose)[0]?.value).toBe("+441134960123");
  });

  it("takes a number that ends a sentence", () => {
    const prose = { regions: ["DK" as const], from: "enquiry text", base: 5, prose: true };
    expect(scanPhones(["Ring gerne på 20 30 40 50."], prose)[0]?.value).toBe("+4520304050");
  });
});
