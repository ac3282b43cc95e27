import { generateKeyPairSync } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { SYSTEM_USER_TICKET_LIFETIME_MS, SYSTEM_USER_TICKET_RENEW_AFTER_MS } from "../../src/crm/auth/system-user.js";
import { SuperOfficeClient } from "../../src/crm/client.js";
import { isLeaddError } from "../../src/errors.js";
import { SuperOfficeStandIn } from "../support/superoffice-stand-in.js";
import { captureLog, clientOptions, fakeTime, leadRequest } from "../support/superoffice-fixtures.js";

const SYSTEM_TOKEN = "Aurora-Leadd-SysToken-5f3a";
const CLIENT_SECRET = "client-secret-19be2c";

type KeyPair = { publicKey: string; privateKey: string };
const keyPairs: KeyPair[] = [];

/** Returns RSA key pair number `index`, generated once per file because 2048-bit generation is slow. */
function rsaKeyPair(index = 0): KeyPair {
  keyPairs[index] ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return keyPairs[index]!;
}

function authenticateCalls(standIn: SuperOfficeStandIn): number {
  return standIn.requests.filter((request) => request.path === "/Login/api/PartnerSystemUser/Authenticate").length;
}

function tokenCalls(standIn: SuperOfficeStandIn): number {
  return standIn.requests.filter((request) => request.path === "/login/common/oauth/tokens").length;
}

describe("SuperOfficeClient auth", () => {
  let standIn: SuperOfficeStandIn | undefined;

  afterEach(async () => {
    await standIn?.stop();
    standIn = undefined;
  });

  it("soticket sends ticket and app token", async () => {
    standIn = await SuperOfficeStandIn.start({ tickets: ["7T:fixed-ticket"], appToken: "app-token-77" });
    const client = new SuperOfficeClient(
      clientOptions(standIn.url, { type: "soticket", ticket: "7T:fixed-ticket" }, { appToken: "app-token-77" }),
      captureLog().log,
    );
    await client.check();
    const [request] = standIn.requests;
    expect(request!.headers.authorization).toBe("SOTicket 7T:fixed-ticket");
    expect(request!.headers["so-apptoken"]).toBe("app-token-77");
    expect(client.authExpiresAt()).toBeNull();
  });

  it("soticket without app token is refused", async () => {
    standIn = await SuperOfficeStandIn.start({ tickets: ["7T:fixed-ticket"], appToken: "app-token-77" });
    const client = new SuperOfficeClient(clientOptions(standIn.url, { type: "soticket", ticket: "7T:fixed-ticket" }), captureLog().log);
    const error = await client.check().catch((caught: unknown) => caught);
    expect(isLeaddError(error, "CRM_AUTH_FAILED")).toBe(true);
    expect((error as Error).message).toMatch(/SO-AppToken/);
    expect(standIn.requests).toHaveLength(1);
  });

  it("bearer sends the token", async () => {
    standIn = await SuperOfficeStandIn.start({ bearerTokens: ["8A:fixed-access"] });
    const client = new SuperOfficeClient(clientOptions(standIn.url, { type: "bearer", token: "8A:fixed-access" }), captureLog().log);
    const result = await client.generateLead(leadRequest());
    expect(result.outcome).toBe("created");
    expect(standIn.requests.every((request) => request.headers.authorization === "Bearer 8A:fixed-access")).toBe(true);
  });

  describe("systemuser", () => {
    async function setUp(keys = rsaKeyPair(), standInKey = keys.publicKey, signWithUnpublishedKey = false) {
      const time = fakeTime(Date.now());
      standIn = await SuperOfficeStandIn.start({
        systemUser: { systemToken: SYSTEM_TOKEN, publicKeyPem: standInKey, applicationToken: CLIENT_SECRET, signWithUnpublishedKey },
        now: time.now,
      });
      const options = clientOptions(standIn.url, {
        type: "systemuser",
        systemToken: SYSTEM_TOKEN,
        privateKey: keys.privateKey,
        clientSecret: CLIENT_SECRET,
      });
      const client = new SuperOfficeClient(options, captureLog().log, { now: time.now, sleep: time.sleep });
      return { client, time, standIn };
    }

    it("signs in and sends the ticket", async () => {
      const { client, time, standIn } = await setUp();
      await client.check();
      expect(authenticateCalls(standIn)).toBe(1);
      const authenticate = standIn.requests.find((request) => request.path.endsWith("/Authenticate"))!;
      expect(authenticate.json).toMatchObject({ ApplicationToken: CLIENT_SECRET, ContextIdentifier: "Cust12345", ReturnTokenType: "JWT" });
      expect(String((authenticate.json as { SignedSystemToken: string }).SignedSystemToken)).toMatch(/^Aurora-Leadd-SysToken-5f3a\.\d{12}\./);
      expect(standIn.requests.some((request) => request.path === "/Login/.well-known/jwks")).toBe(true);
      const apiCall = standIn.requests.at(-1)!;
      expect(apiCall.headers.authorization).toMatch(/^SOTicket 7T:/);
      expect(apiCall.headers["so-apptoken"]).toBe(CLIENT_SECRET);
      expect(client.authExpiresAt()?.getTime()).toBe(time.now() + SYSTEM_USER_TICKET_LIFETIME_MS);
    });

    it("reuses the ticket before renewal time", async () => {
      const { client, time, standIn } = await setUp();
      await client.check();
      time.advance(SYSTEM_USER_TICKET_RENEW_AFTER_MS - 60_000);
      await client.generateLead(leadRequest());
      expect(authenticateCalls(standIn)).toBe(1);
    });

    it("renews the ticket at 5h50m", async () => {
      const { client, time, standIn } = await setUp();
      await client.check();
      const firstExpiry = client.authExpiresAt()!.getTime();
      time.advance(SYSTEM_USER_TICKET_RENEW_AFTER_MS);
      await client.check();
      expect(authenticateCalls(standIn)).toBe(2);
      expect(client.authExpiresAt()!.getTime()).toBe(firstExpiry + SYSTEM_USER_TICKET_RENEW_AFTER_MS);
      const apiCalls = standIn.requests.filter((request) => request.path.startsWith("/Cust12345/api/"));
      const tickets = new Set(apiCalls.map((request) => request.headers.authorization));
      expect(tickets.size).toBe(2);
    });

    it("renews once after a 401", async () => {
      const { client, standIn } = await setUp();
      await client.check();
      standIn.revokeIssuedCredentials();
      const result = await client.generateLead(leadRequest());
      expect(result.outcome).toBe("created");
      expect(authenticateCalls(standIn)).toBe(2);
      expect(standIn.generateLeadRequests()).toHaveLength(2);
    });

    it("wrong key is refused", async () => {
      const { client, standIn } = await setUp(rsaKeyPair(0), rsaKeyPair(1).publicKey);
      const error = await client.check().catch((caught: unknown) => caught);
      expect(isLeaddError(error, "CRM_AUTH_FAILED")).toBe(true);
      expect((error as Error).message).toMatch(/Signature verification failed/);
      expect(standIn.requests.filter((request) => request.path.includes("/api/v1/"))).toHaveLength(0);
    });

    it("token with unknown signer is refused", async () => {
      const { client, standIn } = await setUp(rsaKeyPair(), rsaKeyPair().publicKey, true);
      const error = await client.check().catch((caught: unknown) => caught);
      expect(isLeaddError(error, "CRM_AUTH_FAILED")).toBe(true);
      expect((error as Error).message).toMatch(/failed verification/);
      expect(standIn.requests.filter((request) => request.path.startsWith("/Cust12345/api/"))).toHaveLength(0);
    });

    it("unreadable private key is a config error", () => {
      expect(
        () =>
          new SuperOfficeClient(
            clientOptions("http://127.0.0.1:1/Cust12345", { type: "systemuser", systemToken: "x", privateKey: "not a key", clientSecret: "y" }),
            captureLog().log,
          ),
      ).toThrow(/privateKeyFile/);
    });
  });

  describe("refreshtoken", () => {
    const oauth = { clientId: "client-id-42", clientSecret: "oauth-secret-9d1", refreshToken: "refresh-token-a77" };

    async function setUp(refreshToken = oauth.refreshToken) {
      const time = fakeTime(Date.now());
      standIn = await SuperOfficeStandIn.start({ oauth, now: time.now });
      const options = clientOptions(standIn.url, { type: "refreshtoken", clientId: oauth.clientId, clientSecret: oauth.clientSecret, refreshToken });
      const client = new SuperOfficeClient(options, captureLog().log, { now: time.now, sleep: time.sleep });
      return { client, time, standIn };
    }

    it("gets an access token and sends it", async () => {
      const { client, time, standIn } = await setUp();
      await client.check();
      expect(tokenCalls(standIn)).toBe(1);
      const form = new URLSearchParams(standIn.requests[0]!.body);
      expect(form.get("grant_type")).toBe("refresh_token");
      expect(form.get("client_id")).toBe(oauth.clientId);
      expect(form.get("refresh_token")).toBe(oauth.refreshToken);
      expect(standIn.requests.at(-1)!.headers.authorization).toMatch(/^Bearer 8A:Cust12345\./);
      expect(client.authExpiresAt()?.getTime()).toBe(time.now() + 3600_000);
    });

    it("refreshes before the hour runs out", async () => {
      const { client, time, standIn } = await setUp();
      await client.check();
      time.advance(50 * 60 * 1000);
      await client.check();
      expect(tokenCalls(standIn)).toBe(1);
      time.advance(6 * 60 * 1000);
      await client.check();
      expect(tokenCalls(standIn)).toBe(2);
    });

    it("refreshes once after a 401", async () => {
      const { client, standIn } = await setUp();
      await client.check();
      standIn.revokeIssuedCredentials();
      await client.check();
      expect(tokenCalls(standIn)).toBe(2);
    });

    it("revoked refresh token is refused", async () => {
      const { client, standIn } = await setUp("refresh-token-revoked");
      const error = await client.generateLead(leadRequest()).catch((caught: unknown) => caught);
      expect(isLeaddError(error, "CRM_AUTH_FAILED")).toBe(true);
      expect((error as Error).message).toMatch(/invalid_grant/);
      expect(standIn.generateLeadRequests()).toHaveLength(0);
      expect(tokenCalls(standIn)).toBe(1);
    });
  });
});
