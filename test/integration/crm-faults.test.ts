import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SuperOfficeClient } from "../../src/crm/client.js";
import type { SuperOfficeOptions } from "../../src/crm/options.js";
import { isLeaddError, type LeaddError } from "../../src/errors.js";
import { SuperOfficeStandIn } from "../support/superoffice-stand-in.js";
import { captureLog, clientOptions, fakeTime, leadRequest } from "../support/superoffice-fixtures.js";

const TOKEN = "8A:fault-test-token";

describe("SuperOfficeClient faults", () => {
  let standIn: SuperOfficeStandIn;
  let time: ReturnType<typeof fakeTime>;

  beforeEach(async () => {
    standIn = await SuperOfficeStandIn.start({ bearerTokens: [TOKEN] });
    time = fakeTime(Date.now());
  });

  afterEach(async () => {
    await standIn.stop();
  });

  function makeClient(overrides: Partial<SuperOfficeOptions> = {}, log = captureLog().log): SuperOfficeClient {
    return new SuperOfficeClient(clientOptions(standIn.url, { type: "bearer", token: TOKEN }, overrides), log, {
      now: time.now,
      sleep: time.sleep,
      random: () => 0.5,
    });
  }

  async function failure(promise: Promise<unknown>): Promise<LeaddError> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    if (!isLeaddError(error)) {
      throw new Error(`expected a LeaddError, got ${String(error)}`);
    }
    return error;
  }

  it("503 then success is retried", async () => {
    standIn.fail({ type: "status", status: 503 });
    const result = await makeClient().generateLead(leadRequest());
    expect(result.outcome).toBe("created");
    expect(standIn.generateLeadRequests()).toHaveLength(2);
    expect(time.state.waits).toEqual([500]);
  });

  it("500 is not resent by default", async () => {
    standIn.fail({ type: "status", status: 500 });
    const error = await failure(makeClient().generateLead(leadRequest()));
    expect(error.code).toBe("CRM_UNAVAILABLE");
    expect(error.details.sendUnknown).toBe(true);
    expect(standIn.generateLeadRequests()).toHaveLength(1);
  });

  it("500 is resent with retryUnknownSends", async () => {
    standIn.fail({ type: "status", status: 500 }, { times: 2 });
    const result = await makeClient({ retryUnknownSends: true }).generateLead(leadRequest());
    expect(result.outcome).toBe("created");
    expect(standIn.generateLeadRequests()).toHaveLength(3);
  });

  it("gives up after the attempt limit", async () => {
    standIn.fail({ type: "status", status: 503 }, { times: Infinity });
    const error = await failure(makeClient({ retry: { attempts: 4, baseDelayMs: 1000, maxDelayMs: 60_000 } }).generateLead(leadRequest()));
    expect(error.code).toBe("CRM_UNAVAILABLE");
    expect(error.message).toContain(`${standIn.url}/api/v1/Agents/Appointment/GenerateLead`);
    expect(standIn.generateLeadRequests()).toHaveLength(4);
    expect(time.state.waits).toEqual([500, 1000, 2000]);
  });

  it("429 Retry-After seconds is honoured", async () => {
    standIn.fail({ type: "retry-after", retryAfter: "7" });
    await makeClient().generateLead(leadRequest());
    expect(time.state.waits).toEqual([7000]);
    expect(standIn.generateLeadRequests()).toHaveLength(2);
  });

  it("429 Retry-After date is honoured", async () => {
    standIn.fail({ type: "retry-after", retryAfter: new Date(time.now() + 20_000).toUTCString() });
    await makeClient().generateLead(leadRequest());
    expect(time.state.waits).toHaveLength(1);
    expect(time.state.waits[0]).toBeGreaterThan(19_000);
    expect(time.state.waits[0]).toBeLessThanOrEqual(20_000);
  });

  it("429 Retry-After is capped", async () => {
    standIn.fail({ type: "retry-after", retryAfter: "3600" });
    await makeClient({ retry: { attempts: 3, baseDelayMs: 1000, maxDelayMs: 30_000 } }).generateLead(leadRequest());
    expect(time.state.waits).toEqual([30_000]);
  });

  it("421 looks up the tenant and moves", async () => {
    const client = makeClient();
    await client.check();
    const newUrl = await standIn.moveTenant();
    const result = await client.generateLead(leadRequest());
    expect(result.outcome).toBe("created");
    expect(client.apiBase).toBe(`${newUrl}/api`);
    const paths = standIn.requests.map((request) => `${request.method} ${request.port === Number(new URL(newUrl).port) ? "new" : "old"} ${request.path}`);
    expect(paths).toEqual([
      "GET old /Cust12345/api/v1/User/currentPrincipal",
      "POST old /Cust12345/api/v1/Agents/Appointment/GenerateLead",
      "GET old /api/state/Cust12345",
      "POST new /Cust12345/api/v1/Agents/Appointment/GenerateLead",
      expect.stringMatching(/^GET new \/Cust12345\/api\/v1\/Contact\/\d+$/),
    ]);
    await client.check();
    expect(standIn.requests.at(-1)!.port).toBe(Number(new URL(newUrl).port));
  });

  it("421 with no move fails", async () => {
    standIn.fail({ type: "misdirected" });
    const error = await failure(makeClient().generateLead(leadRequest()));
    expect(error.code).toBe("CRM_UNAVAILABLE");
    expect(error.details.status).toBe(421);
    expect(standIn.generateLeadRequests()).toHaveLength(1);
  });

  it("stateUrl makes a lookup before the first call", async () => {
    const newUrl = await standIn.moveTenant();
    const client = makeClient({ stateUrl: standIn.origin });
    await client.check();
    expect(standIn.requests.map((request) => request.path)).toEqual(["/api/state/Cust12345", "/Cust12345/api/v1/User/currentPrincipal"]);
    expect(standIn.requests[1]!.port).toBe(Number(new URL(newUrl).port));
  });

  it("tenant in maintenance is unavailable", async () => {
    standIn.setTenantState("OfflineMaintenance", false);
    const error = await failure(makeClient({ stateUrl: standIn.origin }).check());
    expect(error.code).toBe("CRM_UNAVAILABLE");
    expect(error.message).toMatch(/OfflineMaintenance/);
  });

  it("timeout of GenerateLead is not resent", async () => {
    standIn.fail({ type: "hang" });
    const error = await failure(makeClient({ timeoutMs: 300 }).generateLead(leadRequest()));
    expect(error.code).toBe("CRM_UNAVAILABLE");
    expect(error.message).toMatch(/timed out after 300 ms/);
    expect(error.details.sendUnknown).toBe(true);
    expect(standIn.generateLeadRequests()).toHaveLength(1);
  });

  it("timeout of a read is retried", async () => {
    standIn.fail({ type: "hang" });
    await makeClient({ timeoutMs: 300 }).check();
    expect(standIn.requests).toHaveLength(2);
  });

  it("connection reset of a read is retried", async () => {
    standIn.fail({ type: "reset" });
    await makeClient().check();
    expect(standIn.requests).toHaveLength(2);
  });

  it("connection reset of GenerateLead is not resent", async () => {
    standIn.fail({ type: "reset" });
    const error = await failure(makeClient().generateLead(leadRequest()));
    expect(error.code).toBe("CRM_UNAVAILABLE");
    expect(error.details.sendUnknown).toBe(true);
    expect(standIn.generateLeadRequests()).toHaveLength(1);
  });

  it("200 with null body is a bad response", async () => {
    standIn.fail({ type: "null-body" });
    const error = await failure(makeClient().generateLead(leadRequest()));
    expect(error.code).toBe("CRM_BAD_RESPONSE");
    expect(standIn.generateLeadRequests()).toHaveLength(1);
  });

  it("200 with Message is rejected", async () => {
    standIn.fail({ type: "message", detail: "LeadContact is too long" });
    const error = await failure(makeClient().generateLead(leadRequest()));
    expect(error.code).toBe("CRM_REJECTED");
    expect(error.message).toMatch(/The request is invalid\. LeadContact is too long/);
    expect(standIn.generateLeadRequests()).toHaveLength(1);
  });

  it("400 is not retried", async () => {
    standIn.fail({ type: "status", status: 400, body: { Error: true, ErrorType: "ArgumentException", ErrorMessage: "RelationId 99 does not exist" } });
    const error = await failure(makeClient().generateLead(leadRequest()));
    expect(error.code).toBe("CRM_REJECTED");
    expect(error.message).toContain("ArgumentException: RelationId 99 does not exist");
    expect(standIn.generateLeadRequests()).toHaveLength(1);
    expect(time.state.waits).toEqual([]);
  });

  it("401 with a fixed token fails", async () => {
    const client = new SuperOfficeClient(clientOptions(standIn.url, { type: "bearer", token: "8A:wrong" }), captureLog().log, { sleep: time.sleep });
    const error = await failure(client.generateLead(leadRequest()));
    expect(error.code).toBe("CRM_AUTH_FAILED");
    expect(error.message).toMatch(/superoffice\.auth/);
    expect(standIn.generateLeadRequests()).toHaveLength(1);
  });

  it("failed contact read reports matched", async () => {
    standIn.fail({ type: "status", status: 404 }, { path: "/api/v1/Contact/" });
    const captured = captureLog();
    const result = await makeClient({}, captured.log).generateLead(leadRequest());
    expect(result.outcome).toBe("matched");
    expect(result.contactCreatedDate).toBeNull();
    expect(captured.records().some((record) => String(record.msg).startsWith("Could not read the contact"))).toBe(true);
  });

  describe("circuit breaker", () => {
    it("opens after consecutive failures", async () => {
      standIn.fail({ type: "status", status: 503 }, { times: Infinity });
      const client = makeClient({ retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 10 }, circuitBreaker: { failures: 2 } });
      await failure(client.generateLead(leadRequest()));
      await failure(client.generateLead(leadRequest()));
      expect(standIn.generateLeadRequests()).toHaveLength(4);

      const open = await failure(client.generateLead(leadRequest()));
      expect(open.code).toBe("CRM_UNAVAILABLE");
      expect(open.details.circuitOpen).toBe(true);
      expect(standIn.generateLeadRequests()).toHaveLength(4);
    });

    it("startCycle closes it", async () => {
      standIn.fail({ type: "status", status: 503 }, { times: 2 });
      const client = makeClient({ retry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 10 }, circuitBreaker: { failures: 2 } });
      await failure(client.generateLead(leadRequest()));
      await failure(client.generateLead(leadRequest()));
      expect((await failure(client.generateLead(leadRequest()))).details.circuitOpen).toBe(true);
      client.startCycle();
      const result = await client.generateLead(leadRequest());
      expect(result.outcome).toBe("created");
    });

    it("rejections do not open it", async () => {
      standIn.fail({ type: "message" }, { times: 3 });
      const client = makeClient({ circuitBreaker: { failures: 2 } });
      for (let i = 0; i < 3; i++) {
        expect((await failure(client.generateLead(leadRequest()))).code).toBe("CRM_REJECTED");
      }
      expect((await client.generateLead(leadRequest())).outcome).toBe("created");
    });
  });
});
