import { describe, expect, it } from "vitest";
import { joinFormName, nameFromLocalPart, splitName } from "../../../src/extract/names.js";

describe("splitName", () => {
  it.each([
    ["Oliver Grant", "Oliver", "Grant"],
    ["Schulte, Anja", "Anja", "Schulte"],
    ["Dr. Anja Schulte", "Anja", "Schulte"],
    ["Prof. Dr. Klaus Weber", "Klaus", "Weber"],
    ["Herr Thomas Krüger", "Thomas", "Krüger"],
    ["Lotte van den Berg", "Lotte", "van den Berg"],
    ["Pieter de Vries", "Pieter", "de Vries"],
    ["Ola Nordmann-Bakke", "Ola", "Nordmann-Bakke"],
    ["HANSEN, METTE", "Mette", "Hansen"],
    ["ANNA-LENA SVENSSON", "Anna-Lena", "Svensson"],
    ["Carl Johan Lindgren", "Carl Johan", "Lindgren"],
    ["Fiona MacLeod", "Fiona", "MacLeod"],
  ])("%s", (input, firstname, lastname) => {
    expect(splitName(input)).toEqual({ firstname, lastname });
  });

  it("rejects role names", () => {
    expect(splitName("Aurora Systems Website")).toBeNull();
    expect(splitName("Sales Team")).toBeNull();
  });

  it("keeps a single word as first name", () => {
    expect(splitName("Espen")).toEqual({ firstname: "Espen", lastname: "" });
  });
});

describe("nameFromLocalPart", () => {
  it("splits first.last", () => {
    expect(nameFromLocalPart("oliver.grant@example.com")).toEqual({ firstname: "Oliver", lastname: "Grant" });
  });

  it("gives up on initials", () => {
    expect(nameFromLocalPart("h.ashworth@example.com")).toBeNull();
  });
});

describe("joinFormName", () => {
  it("puts a tussenvoegsel in front of the last name", () => {
    expect(joinFormName({ firstname: "Femke", middlename: "", particle: "Van der", lastname: "Velde" })).toEqual({ firstname: "Femke", lastname: "van der Velde" });
  });

  it("does not repeat a particle the last name already has", () => {
    expect(joinFormName({ firstname: "Joost", middlename: "", particle: "de", lastname: "de Wit" })).toEqual({ firstname: "Joost", lastname: "de Wit" });
  });

  it("adds a middle name to the first name", () => {
    expect(joinFormName({ firstname: "Anna", middlename: "Karin", particle: "", lastname: "Berg" })).toEqual({ firstname: "Anna Karin", lastname: "Berg" });
  });
});
