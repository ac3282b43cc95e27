import { describe, expect, it } from "vitest";
import { companyFromDomain, companyFromProse, isOwnCompany, scoreCompanySegment, segments } from "../../../src/extract/company.js";

describe("companyFromProse", () => {
  it("takes a company the writer introduces", () => {
    expect(companyFromProse("We run a small bakery called Crumb & Crust in Harrogate.", undefined, [])?.value).toBe("Crumb & Crust");
    expect(companyFromProse("Vi i Dahl Rør AS flytter inn i nye lokaler.", undefined, [])?.value).toBe("Dahl Rør AS");
  });

  it("ignores suppliers and competitors", () => {
    expect(companyFromProse("We currently use DeskFlow from Brightline Workplace Ltd and had a proposal from Orbital Spaces Ltd.", undefined, [])).toBeNull();
  });

  it("ignores our own company", () => {
    expect(companyFromProse("We at Aurora Systems AS will", "Aurora Systems", [])).toBeNull();
  });
});

describe("scoreCompanySegment", () => {
  it("scores legal suffixes highest", () => {
    expect(scoreCompanySegment("Havbris Eiendom AS", "")).toBe(0.9);
    expect(scoreCompanySegment("Dijkstra Zorggroep B.V.", "")).toBe(0.9);
  });

  it("rejects job titles", () => {
    expect(scoreCompanySegment("Head of Procurement", "")).toBeNull();
    expect(scoreCompanySegment("Leiterin Organisation", "")).toBeNull();
  });

  it("accepts a name matching the domain", () => {
    expect(scoreCompanySegment("Brackenridge Surveyors", "brackenridge.example.co.uk")).toBe(0.8);
  });
});

describe("company helpers", () => {
  it("splits one-line signatures", () => {
    expect(segments("Helen Ashworth | Head of Procurement | Kingsmead Distribution Ltd | +44 1632 960771")).toEqual([
      "Helen Ashworth",
      "Head of Procurement",
      "Kingsmead Distribution Ltd",
      "+44 1632 960771",
    ]);
  });

  it("names a company from its domain", () => {
    expect(companyFromDomain("a@havbris-eiendom.example.no")).toBe("Havbris Eiendom");
    expect(companyFromDomain("a@mail.acme.co.uk")).toBe("Acme");
  });

  it("recognises our own company", () => {
    expect(isOwnCompany("Aurora Systems AS", "Aurora Systems", [])).toBe(true);
  });
});
