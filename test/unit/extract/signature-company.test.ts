import { describe, expect, it } from "vitest";
import { companyFromSignatureLine, isOrganisationLine } from "../../../src/extract/signature-company.js";

describe("isOrganisationLine", () => {
  it.each(["Vestby Tannklinikk", "Berg Bygg & Anlegg", "Kanzlei Roth", "Schildersbedrijf Kok", "Fjeldstad Transport", "Hill & Moore", "Borettslaget Solsiden", "Physiotherapie Weber"])("accepts %s", (line) => {
    expect(isOrganisationLine(line)).toBe(true);
  });

  it.each(["Daglig leder", "Inköpschef", "Geschäftsführer", "Directeur", "Office Manager", "Salgssjef", "Tandlæge", "Strandvejen", "Uppsala", "Kongsgård", "Nikita Ivanova", "Praxismanagerin", "Sent from my iPhone", "Per Olsen"])("rejects %s", (line) => {
    expect(isOrganisationLine(line)).toBe(false);
  });

  it("rejects a couple signing together", () => {
    expect(isOrganisationLine("Kari & Ola Nordmann", "kari")).toBe(false);
  });
});

describe("companyFromSignatureLine", () => {
  it("takes the organisation line below the name and a title", () => {
    expect(companyFromSignatureLine(["Mona Vik", "Eier", "Vik Rør & Varme", "Tlf 915 00 000"], "Mona Vik")).toBe("Vik Rør & Varme");
  });

  it("stops at the first contact line", () => {
    expect(companyFromSignatureLine(["Mona Vik", "+47 915 00 000", "Vik Rør & Varme"], "Mona Vik")).toBeNull();
  });

  it("finds nothing in a title and a city", () => {
    expect(companyFromSignatureLine(["Jonas Ek", "Verksamhetschef", "Örebro"], "Jonas Ek")).toBeNull();
  });
});

describe("companyFromSignatureLine on one-line signatures", () => {
  it("takes the organisation segment", () => {
    expect(companyFromSignatureLine(["Lise Holt | Holt Malerfirma | 932 11 000"], "Lise Holt")).toBe("Holt Malerfirma");
  });
});
