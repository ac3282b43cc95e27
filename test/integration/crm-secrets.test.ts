import { generateKeyPairSync } from "node:crypto";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { SuperOfficeClient } from "../../src/crm/client.js";
import type { SuperOfficeAuthOptions } from "../../src/crm/options.js";
import { SuperOfficeStandIn } from "../support/superoffice-stand-in.js";
import { captureLog, clientOptions, fakeTime, leadRequest, type CapturedLog } from "../support/superoffice-fixtures.js";

const keys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});

const SECRETS = {
  password: "pw-Hunter2-basic",
  ticket: "7T:static-ticket-Zq81",
  token: "8A:static-bearer-Kd02",
  appToken: "app-token-Pm44",
  systemToken: "sys-token-Lr90",
  clientSecret: "client-secret-Vb35",
  refreshToken: "refresh-token-Ws66",
  oauthSecret: "oauth-secret-Yt12",
};

const SECRET_PATTERN = new RegExp(Object.values(SECRETS).map((secret) => secret.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"));

/** Checks the error as a CLI would print it, cause chain and enumerable fields included. */
function expectNoSecretInError(error: unknown, standIn: SuperOfficeStandIn): void {
  const printed = inspect(error, { depth: 10 });
  expect(printed).not.toMatch(SECRET_PATTERN);
  for (const credential of sentCredentials(standIn)) {
    expect(printed.includes(credential), "error contains a credential sent to SuperOffice").toBe(false);
  }
}

/** Returns every Authorization credential the stand-in received, including tickets and tokens issued at run time. */
function sentCredentials(standIn: SuperOfficeStandIn): string[] {
  return standIn.requests.map((request) => String(request.headers.authorization ?? "").split(" ")[1] ?? "").filter((value) => value !== "");
}

/** Lines of the PEM body: any one of them in a log would leak part of the key. */
const PRIVATE_KEY_LINES = keys.privateKey.split("\n").filter((line) => line !== "" && !line.startsWith("-----"));

describe("SuperOfficeClient logging", () => {
  let standIn: SuperOfficeStandIn | undefined;

  afterEach(async () => {
    await standIn?.stop();
    standIn = undefined;
  });

  /** Runs a successful call, a call after credentials were revoked, and a failing call; logs every error as the daemon would. */
  async function exercise(auth: SuperOfficeAuthOptions, wrongAuth: SuperOfficeAuthOptions, captured: CapturedLog, appToken: string | null = null) {
    const time = fakeTime(Date.now());
    standIn!.now = time.now;
    const deps = { now: time.now, sleep: time.sleep };
    const client = new SuperOfficeClient(clientOptions(standIn!.url, auth, { appToken }), captured.log, deps);
    await client.check();
    await client.generateLead(leadRequest());
    standIn!.revokeIssuedCredentials();
    standIn!.fail({ type: "status", status: 503 });
    standIn!.fail({ type: "reset" }, { path: "/Contact/" });
    await client.generateLead(leadRequest({ LeadPersonEmail: "second@example.com" }));
    time.advance(7 * 60 * 60 * 1000);
    await client.check();
    standIn!.fail({ type: "reset" });
    await client.generateLead(leadRequest({ LeadPersonEmail: "third@example.com" })).then(
      () => expect.unreachable("a reset connection counted as success"),
      (error: unknown) => {
        captured.log.error({ err: error }, "lead failed");
        expectNoSecretInError(error, standIn!);
      },
    );

    const wrong = new SuperOfficeClient(clientOptions(standIn!.url, wrongAuth, { appToken }), captured.log, deps);
    try {
      await wrong.generateLead(leadRequest());
      expect.unreachable("wrong credentials were accepted");
    } catch (error) {
      captured.log.error({ err: error }, "lead failed");
      expectNoSecretInError(error, standIn!);
    }
  }

  function expectNoSecrets(captured: CapturedLog): void {
    const text = captured.text();
    expect(text.length).toBeGreaterThan(0);
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(text.includes(secret), `log contains ${name}`).toBe(false);
    }
    for (const line of PRIVATE_KEY_LINES) {
      expect(text.includes(line), "log contains a line of the private key").toBe(false);
    }
    for (const credential of sentCredentials(standIn!)) {
      expect(text.includes(credential), "log contains a credential sent to SuperOffice").toBe(false);
    }
  }

  it("basic logs no password", async () => {
    standIn = await SuperOfficeStandIn.start({ basic: { user: "leadd", password: SECRETS.password } });
    const captured = captureLog();
    await exercise({ type: "basic", user: "leadd", password: SECRETS.password }, { type: "basic", user: "leadd", password: `${SECRETS.password}x` }, captured);
    expectNoSecrets(captured);
  });

  it("soticket logs no ticket or app token", async () => {
    standIn = await SuperOfficeStandIn.start({ tickets: [SECRETS.ticket], appToken: SECRETS.appToken });
    const captured = captureLog();
    await exercise({ type: "soticket", ticket: SECRETS.ticket }, { type: "soticket", ticket: `${SECRETS.ticket}x` }, captured, SECRETS.appToken);
    expectNoSecrets(captured);
  });

  it("bearer logs no token", async () => {
    standIn = await SuperOfficeStandIn.start({ bearerTokens: [SECRETS.token] });
    const captured = captureLog();
    await exercise({ type: "bearer", token: SECRETS.token }, { type: "bearer", token: `${SECRETS.token}x` }, captured);
    expectNoSecrets(captured);
  });

  it("systemuser logs no key, token or ticket", async () => {
    standIn = await SuperOfficeStandIn.start({
      systemUser: { systemToken: SECRETS.systemToken, publicKeyPem: keys.publicKey, applicationToken: SECRETS.clientSecret },
    });
    const captured = captureLog();
    const auth = { type: "systemuser" as const, systemToken: SECRETS.systemToken, privateKey: keys.privateKey, clientSecret: SECRETS.clientSecret };
    await exercise(auth, { ...auth, clientSecret: `${SECRETS.clientSecret}x` }, captured);
    expectNoSecrets(captured);
    expect(captured.records().some((record) => record.msg === "SuperOffice system user ticket obtained")).toBe(true);
  });

  it("refreshtoken logs no refresh or access token", async () => {
    standIn = await SuperOfficeStandIn.start({
      oauth: { clientId: "client-1", clientSecret: SECRETS.oauthSecret, refreshToken: SECRETS.refreshToken },
    });
    const captured = captureLog();
    const auth = { type: "refreshtoken" as const, clientId: "client-1", clientSecret: SECRETS.oauthSecret, refreshToken: SECRETS.refreshToken };
    await exercise(auth, { ...auth, refreshToken: `${SECRETS.refreshToken}x` }, captured);
    expectNoSecrets(captured);
    expect(captured.records().some((record) => record.msg === "SuperOffice access token refreshed")).toBe(true);
  });
});
