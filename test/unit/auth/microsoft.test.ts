import { execFileSync } from "node:child_process";
import { generateKeyPairSync, X509Certificate, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { decodeProtectedHeader, jwtVerify } from "jose";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { MicrosoftProvider, OUTLOOK_SCOPE } from "../../../src/auth/microsoft.js";
import type { LeaddError } from "../../../src/errors.js";
import { captureLogger, manualClock, startTokenServer, type TokenRequest, type TokenServer } from "./token-server.js";

const TENANT = "aurora.onmicrosoft.com";
const CLIENT_ID = "6f1c2a4e-0000-4000-8000-000000000001";
const SECRET = "Zx8Q~client-secret-value";
const SHA1_THUMBPRINT = "1FA9D0828ACB1BB3687D1EACF6A434D3A8B24BBB";
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

let server: TokenServer | null = null;
let publicKey: KeyObject;
let privateKeyPem: string;

beforeAll(() => {
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  publicKey = pair.publicKey;
  privateKeyPem = pair.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
});

afterEach(async () => {
  expect(server?.handlerErrors ?? []).toEqual([]);
  await server?.close();
  server = null;
});

function tokenUrl(): string {
  return `${server?.origin}/${TENANT}/oauth2/v2.0/token`;
}

function success(accessToken: string) {
  return { status: 200, body: { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: accessToken } };
}

function invalidClient(code: number, text: string) {
  return { status: 401, body: { error: "invalid_client", error_description: `AADSTS${code}: ${text}\r\nTrace ID: 0000`, error_codes: [code] } };
}

function checkCommon(request: TokenRequest): void {
  expect(request.path).toBe(`/${TENANT}/oauth2/v2.0/token`);
  expect(request.form.get("grant_type")).toBe("client_credentials");
  expect(request.form.get("client_id")).toBe(CLIENT_ID);
  expect(request.form.get("scope")?.split(" ")).toContain(OUTLOOK_SCOPE);
}

/** Verifies a certificate client assertion the way Entra ID does: signature, audience and thumbprint header. */
async function verifyAssertion(request: TokenRequest, key: KeyObject, header: { name: "x5t" | "x5t#S256"; thumbprintHex: string; alg: string }) {
  if (request.form.get("client_assertion_type") !== ASSERTION_TYPE) {
    return invalidClient(7000216, "client_assertion required");
  }
  const assertion = request.form.get("client_assertion") ?? "";
  const protectedHeader = decodeProtectedHeader(assertion);
  const expectedThumbprint = Buffer.from(header.thumbprintHex, "hex").toString("base64url");
  if (protectedHeader[header.name] !== expectedThumbprint || protectedHeader.alg !== header.alg) {
    return invalidClient(700027, "Client assertion failed signature validation.");
  }
  try {
    // msal-node rounds nbf to the nearest second, so it can lie up to half a second ahead.
    await jwtVerify(assertion, key, { issuer: CLIENT_ID, subject: CLIENT_ID, audience: tokenUrl(), algorithms: [header.alg], clockTolerance: 60 });
  } catch {
    return invalidClient(700027, "Client assertion failed signature validation.");
  }
  return success("eyJ0eXAi.cert-token");
}

describe("MicrosoftProvider", () => {
  it("gets a token with a client secret", async () => {
    server = await startTokenServer((request) => {
      checkCommon(request);
      return request.form.get("client_secret") === SECRET ? success("eyJ0eXAi.secret-token") : invalidClient(7000215, "Invalid client secret provided.");
    });
    const clock = manualClock();
    const { log, lines } = captureLogger();
    const provider = new MicrosoftProvider(
      { tenantId: TENANT, clientId: CLIENT_ID, clientSecret: SECRET, tokenUrl: tokenUrl(), configPath: "mailboxes[0].imap.auth", now: clock.now },
      log,
    );

    expect(await provider.getAccessToken()).toBe("eyJ0eXAi.secret-token");
    expect(server.requests).toHaveLength(1);
    const lifetimeSeconds = ((provider.expiresAt()?.getTime() ?? 0) - clock.now().getTime()) / 1000;
    expect(lifetimeSeconds).toBeGreaterThan(3590);
    // msal-node rounds its own clock to whole seconds, so the lifetime can exceed expires_in slightly.
    expect(lifetimeSeconds).toBeLessThanOrEqual(3600);
    expect(provider.describe()).toBe(`microsoft client ${CLIENT_ID} tenant ${TENANT} (client secret)`);
    expect(provider.credentialExpiry()).toBeNull();
    expect(lines.join("")).not.toContain(SECRET);
    expect(lines.join("")).not.toContain("secret-token");
  });

  it("refreshes on the injected clock", async () => {
    let issued = 0;
    server = await startTokenServer(() => success(`eyJ0eXAi.token-${(issued += 1)}`));
    const clock = manualClock();
    const provider = new MicrosoftProvider(
      { tenantId: TENANT, clientId: CLIENT_ID, clientSecret: SECRET, tokenUrl: tokenUrl(), configPath: "auth", now: clock.now },
      captureLogger().log,
    );

    expect(await provider.getAccessToken()).toBe("eyJ0eXAi.token-1");
    clock.advance(30 * 60_000);
    expect(await provider.getAccessToken()).toBe("eyJ0eXAi.token-1");
    clock.advance(26 * 60_000);
    expect(await provider.getAccessToken()).toBe("eyJ0eXAi.token-2");
    expect(server.requests).toHaveLength(2);
  });

  it("explains a wrong client secret", async () => {
    server = await startTokenServer(() => invalidClient(7000215, "Invalid client secret provided."));
    const provider = new MicrosoftProvider(
      { tenantId: TENANT, clientId: CLIENT_ID, clientSecret: "wrong", tokenUrl: tokenUrl(), configPath: "auth", now: manualClock().now },
      captureLogger().log,
    );

    const error = (await provider.getAccessToken().catch((caught: unknown) => caught)) as LeaddError;
    expect(error.code).toBe("OAUTH_FAILED");
    expect(error.details.oauthError).toBe("invalid_client");
    expect(error.details.aadsts).toBe("7000215");
    expect(error.message).toContain("Value, not its Secret ID");
    expect(error.message).toContain("with invalid_client (HTTP 401): AADSTS7000215: Invalid client secret provided.");
    expect(error.message).not.toContain("Trace ID");
  });

  it("reports an unreachable endpoint", async () => {
    server = await startTokenServer(() => success("unused"));
    const url = tokenUrl();
    await server.close();
    server = null;
    const provider = new MicrosoftProvider(
      { tenantId: TENANT, clientId: CLIENT_ID, clientSecret: SECRET, tokenUrl: url, configPath: "auth", now: manualClock().now },
      captureLogger().log,
    );

    const error = (await provider.getAccessToken().catch((caught: unknown) => caught)) as LeaddError;
    expect(error.code).toBe("OAUTH_FAILED");
    expect(error.details.step).toBe("token-endpoint-unreachable");
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("signs an RS256 assertion for a SHA-1 thumbprint", async () => {
    server = await startTokenServer(async (request) => {
      checkCommon(request);
      return verifyAssertion(request, publicKey, { name: "x5t", thumbprintHex: SHA1_THUMBPRINT, alg: "RS256" });
    });
    const provider = new MicrosoftProvider(
      {
        tenantId: TENANT,
        clientId: CLIENT_ID,
        certificate: privateKeyPem,
        certificateThumbprint: "1f:a9:d0:82:8a:cb:1b:b3:68:7d:1e:ac:f6:a4:34:d3:a8:b2:4b:bb",
        tokenUrl: tokenUrl(),
        configPath: "auth",
        now: manualClock().now,
      },
      captureLogger().log,
    );

    expect(await provider.getAccessToken()).toBe("eyJ0eXAi.cert-token");
    expect(provider.describe()).toContain("certificate 1FA9D082…");
  });

  it("rejects both secret and certificate", () => {
    expect(
      () =>
        new MicrosoftProvider(
          { tenantId: TENANT, clientId: CLIENT_ID, clientSecret: SECRET, certificate: privateKeyPem, configPath: "mailboxes[0].imap.auth" },
          captureLogger().log,
        ),
    ).toThrow(/mailboxes\[0\]\.imap\.auth: set either clientSecret or certificateFile.*not both/);
  });

  it("rejects a key-only PEM without thumbprint", () => {
    expect(
      () => new MicrosoftProvider({ tenantId: TENANT, clientId: CLIENT_ID, certificate: privateKeyPem, configPath: "auth" }, captureLogger().log),
    ).toThrow(/certificateThumbprint is required/);
  });
});

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)("MicrosoftProvider with a certificate file (needs openssl)", () => {
  let folder: string;
  let pem: string;
  let certificate: X509Certificate;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "leadd-cert-"));
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(folder, "key.pem"), "-out", join(folder, "cert.pem"), "-days", "30", "-subj", "/CN=leadd-test"],
      { stdio: "ignore" },
    );
    const certificatePem = readFileSync(join(folder, "cert.pem"), "utf8");
    pem = readFileSync(join(folder, "key.pem"), "utf8") + certificatePem;
    certificate = new X509Certificate(certificatePem);
    rmSync(folder, { recursive: true, force: true });
  });

  it("derives a SHA-256 thumbprint and PS256", async () => {
    const thumbprintHex = certificate.fingerprint256.replaceAll(":", "");
    server = await startTokenServer((request) => verifyAssertion(request, certificate.publicKey, { name: "x5t#S256", thumbprintHex, alg: "PS256" }));
    const provider = new MicrosoftProvider(
      { tenantId: TENANT, clientId: CLIENT_ID, certificate: pem, tokenUrl: tokenUrl(), configPath: "auth", now: manualClock().now },
      captureLogger().log,
    );

    expect(await provider.getAccessToken()).toBe("eyJ0eXAi.cert-token");
    expect(provider.credentialExpiry()).toEqual({ kind: "certificate", expiresAt: new Date(certificate.validTo) });
  });

  it("rejects a thumbprint of another certificate", () => {
    expect(
      () =>
        new MicrosoftProvider(
          { tenantId: TENANT, clientId: CLIENT_ID, certificate: pem, certificateThumbprint: SHA1_THUMBPRINT, configPath: "auth" },
          captureLogger().log,
        ),
    ).toThrow(/does not match the certificate/);
  });

  it("rejects a key of another certificate", () => {
    const mismatched = privateKeyPem + certificate.toString();
    expect(
      () => new MicrosoftProvider({ tenantId: TENANT, clientId: CLIENT_ID, certificate: mismatched, configPath: "auth" }, captureLogger().log),
    ).toThrow(/private key does not belong to the certificate/);
  });
});
