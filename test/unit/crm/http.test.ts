import type { AxiosResponse } from "axios";
import { describe, expect, it } from "vitest";
import { networkFailure, statusFailure } from "../../../src/crm/http.js";

const URL = "http://127.0.0.1:1/Cust1/api/v1/x";

function response(status: number, headers: Record<string, string> = {}, data: unknown = null): AxiosResponse {
  return { status, statusText: "", headers, data, config: {} as never };
}

describe("statusFailure", () => {
  it.each([
    [401, "CRM_AUTH_FAILED", false, false],
    [403, "CRM_AUTH_FAILED", false, false],
    [400, "CRM_REJECTED", false, false],
    [404, "CRM_REJECTED", false, false],
    [421, "CRM_UNAVAILABLE", false, false],
    [429, "CRM_UNAVAILABLE", true, false],
    [503, "CRM_UNAVAILABLE", true, false],
    [500, "CRM_UNAVAILABLE", true, true],
    [502, "CRM_UNAVAILABLE", true, true],
    [504, "CRM_UNAVAILABLE", true, true],
  ])("maps HTTP %i", (status, code, retryable, sendUnknown) => {
    const error = statusFailure(response(status), "POST", URL, 0);
    expect(error.code).toBe(code);
    expect(error.details.retryable).toBe(retryable);
    expect(error.details.sendUnknown).toBe(sendUnknown);
    expect(error.message).toContain(URL);
  });

  it("reads Retry-After on 429", () => {
    expect(statusFailure(response(429, { "retry-after": "7" }), "POST", URL, 0).details.retryAfterMs).toBe(7000);
  });

  it("names the target of a redirect", () => {
    const error = statusFailure(response(301, { location: "https://crm.example.com/SuperOffice/api/v1/x" }), "POST", URL, 0);
    expect(error.code).toBe("CRM_REJECTED");
    expect(error.message).toContain("https://crm.example.com/SuperOffice/api/v1/x");
  });

  it("puts the REST error text in the message", () => {
    const error = statusFailure(response(400, {}, { Error: true, ErrorType: "ArgumentException", ErrorMessage: "RelationId 99 unknown" }), "POST", URL, 0);
    expect(error.message).toContain("RelationId 99 unknown");
  });
});

describe("networkFailure", () => {
  it("marks a timeout as retryable with unknown result", () => {
    const error = networkFailure(Object.assign(new Error("timeout of 100ms exceeded"), { code: "ECONNABORTED" }), "POST", URL, 100);
    expect(error.code).toBe("CRM_UNAVAILABLE");
    expect(error.details).toMatchObject({ retryable: true, sendUnknown: true });
    expect(error.message).toMatch(/timed out after 100 ms/);
  });

  it("marks a refused connection as not sent", () => {
    const error = networkFailure(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), "GET", URL, 100);
    expect(error.details).toMatchObject({ retryable: true, sendUnknown: false });
  });

  it("does not retry certificate failures", () => {
    const error = networkFailure(Object.assign(new Error("self-signed"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }), "GET", URL, 100);
    expect(error.details.retryable).toBe(false);
    expect(error.message).toMatch(/tlsRejectUnauthorized/);
  });

  it("keeps no request config in the cause", () => {
    const axiosLike = Object.assign(new Error("socket hang up"), { code: "ECONNRESET", config: { headers: { Authorization: "Bearer secret-value" } } });
    const error = networkFailure(axiosLike, "GET", URL, 100);
    expect(JSON.stringify(error.cause, Object.getOwnPropertyNames(error.cause))).not.toContain("secret-value");
  });
});
