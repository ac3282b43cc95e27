import { describe, expect, it } from "vitest";
import { isLeaddError } from "../../../src/errors.js";
import { parseSiteUrl, serviceBaseFor, stateUrlFor } from "../../../src/crm/base-url.js";

describe("parseSiteUrl", () => {
  it.each([
    "https://online.superoffice.com/Cust12345",
    "https://online.superoffice.com/Cust12345/",
    "https://online.superoffice.com/Cust12345/api",
    "https://online.superoffice.com/Cust12345/api/",
    "https://online.superoffice.com/Cust12345/api/v1",
    "https://online.superoffice.com/Cust12345/API/V1/",
    "  https://online.superoffice.com/Cust12345?x=1#top ",
  ])("normalises %s", (input) => {
    const site = parseSiteUrl(input);
    expect(site.siteUrl).toBe("https://online.superoffice.com/Cust12345");
    expect(site.apiBase).toBe("https://online.superoffice.com/Cust12345/api");
    expect(site.contextIdentifier).toBe("Cust12345");
    expect(site.onlineEnvironment).toBe("online");
  });

  it("reads numbered online hosts", () => {
    const site = parseSiteUrl("https://sod2.superoffice.com/Cust00042/api");
    expect(site.onlineEnvironment).toBe("sod");
    expect(site.contextIdentifier).toBe("Cust00042");
  });

  it("keeps an onsite path", () => {
    const site = parseSiteUrl("https://crm.example.com/SuperOffice/api");
    expect(site.apiBase).toBe("https://crm.example.com/SuperOffice/api");
    expect(site.contextIdentifier).toBeNull();
    expect(site.onlineEnvironment).toBeNull();
  });

  it("keeps a port", () => {
    expect(parseSiteUrl("http://127.0.0.1:8123/Cust1/api/v1").apiBase).toBe("http://127.0.0.1:8123/Cust1/api");
  });

  it("rejects an online URL without tenant", () => {
    expect(() => parseSiteUrl("https://online.superoffice.com/api")).toThrow(/tenant id/);
  });

  it("rejects garbage and other schemes", () => {
    for (const input of ["not a url", "ftp://crm.example.com/"]) {
      try {
        parseSiteUrl(input);
        expect.unreachable(`accepted ${input}`);
      } catch (error) {
        expect(isLeaddError(error, "CONFIG_INVALID")).toBe(true);
      }
    }
  });
});

describe("stateUrlFor", () => {
  it("uses the unnumbered environment host", () => {
    expect(stateUrlFor(parseSiteUrl("https://sod3.superoffice.com/Cust12345"))).toBe("https://sod.superoffice.com/api/state/Cust12345");
    expect(stateUrlFor(parseSiteUrl("https://qaonline.superoffice.com/Cust9/api"))).toBe("https://qaonline.superoffice.com/api/state/Cust9");
  });

  it("uses the same origin off SuperOffice Online", () => {
    expect(stateUrlFor(parseSiteUrl("http://127.0.0.1:4000/Cust12345"))).toBe("http://127.0.0.1:4000/api/state/Cust12345");
  });

  it("honours the override", () => {
    expect(stateUrlFor(parseSiteUrl("https://online3.superoffice.com/Cust1"), "http://127.0.0.1:9/")).toBe("http://127.0.0.1:9/api/state/Cust1");
  });

  it("is null without a tenant id", () => {
    expect(stateUrlFor(parseSiteUrl("https://crm.example.com/SuperOffice"))).toBeNull();
  });
});

describe("serviceBaseFor", () => {
  it("maps online hosts to the login host", () => {
    expect(serviceBaseFor("https://online7.superoffice.com/Cust1")).toBe("https://online.superoffice.com");
  });

  it("honours the override", () => {
    expect(serviceBaseFor("https://online7.superoffice.com/Cust1", "http://127.0.0.1:5/")).toBe("http://127.0.0.1:5");
  });
});
