import { generateKeyPairSync, type KeyObject } from "node:crypto";

import { jwtVerify } from "jose";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { GMAIL_SCOPE, GoogleRefreshTokenProvider, GoogleServiceAccountProvider } from "../../../src/auth/google.js";
import { isLeaddError, LeaddError } from "../../../src/errors.js";
import { captureLogger, manualClock, startTokenServer, type TokenRequest, type TokenServer } from "./token-server.js";

const USER = "leads@aurora.example.com";
const CLIENT_EMAIL = "leadd@aurora-mail.iam.gserviceaccount.com";

let publicKey: KeyObject;
let privateKeyPem: string;
let otherPrivateKeyPem: string;
let server: TokenServer | null = null;

beforeAll(() => {
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  publicKey = pair.publicKey;
  privateKeyPem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  otherPrivateKeyPem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
});

afterEach(async () => {
  await server?.close();
  server = null;
});

function serviceAccountJson(tokenUri: string, key = privateKeyPem): string {
  return JSON.stringify({
    type: "service_account",
    project_id: "aurora-mail",
    private_key_id: "kid-0001",
    private_key: key,
    client_email: CLIENT_EMAIL,
    client_id: "104200000000000000001",
    token_uri: tokenUri,
  });
}

/** Accepts a JWT bearer grant only when the assertion verifies against the service account's public key. */
async function jwtGrantHandler(request: TokenRequest, tokenUrl: string, issued: { count: number }) {
  if (request.form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
    return { status: 400, body: { error: "unsupported_grant_type" } };
  }
  try {
    const { payload, protectedHeader } = await jwtVerify(request.form.get("assertion") ?? "", publicKey, {
      algorithms: ["RS256"],
      issuer: CLIENT_EMAIL,
      audience: tokenUrl,
      subject: USER,
      // The provider signs with the injected clock, which is fixed in the past.
      currentDate: new Date("2026-03-02T08:00:00Z"),
    });
    if (payload.scope !== GMAIL_SCOPE || protectedHeader.kid !== "kid-0001") {
      return { status: 400, body: { error: "invalid_scope" } };
    }
  } catch {
    return { status: 400, body: { error: "invalid_grant", error_description: "Invalid JWT Signature." } };
  }
  issued.count += 1;
  return { status: 200, body: { access_token: `ya29.sa-${issued.count}`, expires_in: 3599, token_type: "Bearer" } };
}

describe("GoogleServiceAccountProvider", () => {
  it("signs a JWT the endpoint verifies", async () => {
    const issued = { count: 0 };
    server = await startTokenServer((request) => jwtGrantHandler(request, `${server?.origin}/token`, issued));
    const clock = manualClock();
    const { log, lines } = captureLogger();
    const provider = new GoogleServiceAccountProvider(
      { serviceAccount: serviceAccountJson(`${server.origin}/token`), user: USER, configPath: "mailboxes[0].imap.auth", now: clock.now },
      log,
    );

    expect(await provider.getAccessToken()).toBe("ya29.sa-1");
    expect(provider.expiresAt()?.toISOString()).toBe("2026-03-02T08:59:59.000Z");
    expect(provider.describe()).toBe(`google service account ${CLIENT_EMAIL} for ${USER}`);
    expect(provider.describe()).not.toContain("BEGIN");
    expect(lines.join("")).not.toContain("ya29.");
  });

  it("refreshes after the clock passes the margin", async () => {
    const issued = { count: 0 };
    server = await startTokenServer((request) => jwtGrantHandler(request, `${server?.origin}/token`, issued));
    const clock = manualClock();
    const provider = new GoogleServiceAccountProvider(
      { serviceAccount: serviceAccountJson(`${server.origin}/token`), user: USER, configPath: "auth", now: clock.now },
      captureLogger().log,
    );

    await provider.getAccessToken();
    clock.advance(50 * 60_000);
    expect(await provider.getAccessToken()).toBe("ya29.sa-1");
    clock.advance(6 * 60_000);
    // The stand-in checks the JWT against a fixed date, so only the request count matters here.
    server.handler = () => ({ status: 200, body: { access_token: "ya29.sa-2", expires_in: 3600 } });
    expect(await provider.getAccessToken()).toBe("ya29.sa-2");
    expect(server.requests).toHaveLength(2);
  });

  it("uses tokenUrl over token_uri", async () => {
    const issued = { count: 0 };
    server = await startTokenServer((request) => jwtGrantHandler(request, `${server?.origin}/override`, issued));
    const provider = new GoogleServiceAccountProvider(
      {
        serviceAccount: serviceAccountJson("https://oauth2.googleapis.com/token"),
        tokenUrl: `${server.origin}/override`,
        user: USER,
        configPath: "auth",
        now: manualClock().now,
      },
      captureLogger().log,
    );
    expect(await provider.getAccessToken()).toBe("ya29.sa-1");
    expect(server.requests[0]?.path).toBe("/override");
  });

  it("reports a wrong key as invalid_grant", async () => {
    const issued = { count: 0 };
    server = await startTokenServer((request) => jwtGrantHandler(request, `${server?.origin}/token`, issued));
    const provider = new GoogleServiceAccountProvider(
      { serviceAccount: serviceAccountJson(`${server.origin}/token`, otherPrivateKeyPem), user: USER, configPath: "auth", now: manualClock().now },
      captureLogger().log,
    );

    const error = await provider.getAccessToken().catch((caught: unknown) => caught);
    expect(isLeaddError(error, "OAUTH_FAILED")).toBe(true);
    expect((error as LeaddError).message).toContain("invalid_grant");
    expect((error as LeaddError).message).toContain("Invalid JWT Signature");
    expect((error as LeaddError).message).toContain("kid-0001");
    expect((error as LeaddError).details.oauthError).toBe("invalid_grant");
  });

  it("names delegation on unauthorized_client", async () => {
    server = await startTokenServer(() => ({
      status: 401,
      body: { error: "unauthorized_client", error_description: "Client is unauthorized to retrieve access tokens using this method." },
    }));
    const provider = new GoogleServiceAccountProvider(
      { serviceAccount: serviceAccountJson(`${server.origin}/token`), user: USER, configPath: "auth", now: manualClock().now },
      captureLogger().log,
    );
    await expect(provider.getAccessToken()).rejects.toThrow(/domain-wide delegation.*104200000000000000001|104200000000000000001.*domain-wide delegation/);
  });

  it("rejects a key file that is not JSON", () => {
    expect(() => new GoogleServiceAccountProvider({ serviceAccount: "not json", user: USER, configPath: "mailboxes[0].imap.auth" }, captureLogger().log)).toThrow(
      /mailboxes\[0\]\.imap\.auth\.serviceAccountFile is not valid JSON/,
    );
  });

  it("rejects a key without client_email", () => {
    const json = JSON.stringify({ type: "service_account", private_key: privateKeyPem });
    expect(() => new GoogleServiceAccountProvider({ serviceAccount: json, user: USER, configPath: "auth" }, captureLogger().log)).toThrow(
      /missing "client_email"/,
    );
  });

  it("rejects an OAuth client file", () => {
    const json = JSON.stringify({ type: "authorized_user", client_id: "x", client_secret: "y", refresh_token: "z" });
    expect(() => new GoogleServiceAccountProvider({ serviceAccount: json, user: USER, configPath: "auth" }, captureLogger().log)).toThrow(
      /type "authorized_user"/,
    );
  });
});

describe("GoogleRefreshTokenProvider", () => {
  const options = { clientId: "1234-abc.apps.googleusercontent.com", clientSecret: "GOCSPX-secret", refreshToken: "1//refresh-secret", user: USER };

  it("exchanges the refresh token", async () => {
    server = await startTokenServer((request) => {
      const form = request.form;
      const valid =
        form.get("grant_type") === "refresh_token" &&
        form.get("client_id") === options.clientId &&
        form.get("client_secret") === options.clientSecret &&
        form.get("refresh_token") === options.refreshToken;
      return valid
        ? { status: 200, body: { access_token: "ya29.rt-1", expires_in: 3599, refresh_token_expires_in: 604_799 } }
        : { status: 400, body: { error: "invalid_grant" } };
    });
    const clock = manualClock();
    const { log, lines } = captureLogger();
    const provider = new GoogleRefreshTokenProvider({ ...options, tokenUrl: `${server.origin}/token`, configPath: "auth", now: clock.now }, log);

    expect(await provider.getAccessToken()).toBe("ya29.rt-1");
    expect(provider.credentialExpiry()).toEqual({ kind: "refresh-token", expiresAt: new Date("2026-03-09T07:59:59.000Z") });
    expect(provider.describe()).not.toContain("secret");
    expect(lines.join("")).not.toContain("secret");
  });

  it("explains an expired refresh token", async () => {
    server = await startTokenServer(() => ({ status: 400, body: { error: "invalid_grant", error_description: "Token has been expired or revoked." } }));
    const provider = new GoogleRefreshTokenProvider(
      { ...options, tokenUrl: `${server.origin}/token`, configPath: "replies.smtp.auth", now: manualClock().now },
      captureLogger().log,
    );

    const error = (await provider.getAccessToken().catch((caught: unknown) => caught)) as LeaddError;
    expect(error.code).toBe("OAUTH_FAILED");
    expect(error.message).toContain("Token has been expired or revoked.");
    expect(error.message).toContain("replies.smtp.auth.refreshToken");
    expect(error.message).not.toContain(options.refreshToken);
  });

  it("reports an unreachable endpoint", async () => {
    server = await startTokenServer(() => ({ status: 200, body: {} }));
    const origin = server.origin;
    await server.close();
    server = null;
    const provider = new GoogleRefreshTokenProvider({ ...options, tokenUrl: `${origin}/token`, configPath: "auth", now: manualClock().now }, captureLogger().log);

    const error = (await provider.getAccessToken().catch((caught: unknown) => caught)) as LeaddError;
    expect(error.code).toBe("OAUTH_FAILED");
    expect(error.details.step).toBe("token-endpoint-unreachable");
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("reports a timeout", async () => {
    server = await startTokenServer(() => new Promise(() => undefined));
    const provider = new GoogleRefreshTokenProvider(
      { ...options, tokenUrl: `${server.origin}/token`, configPath: "auth", now: manualClock().now, timeoutMs: 200 },
      captureLogger().log,
    );
    await expect(provider.getAccessToken()).rejects.toThrow("timed out after 0.2 s");
  });

  it("rejects a non-JSON answer", async () => {
    server = await startTokenServer(() => ({ status: 502, body: "<html>Bad gateway</html>" }));
    const provider = new GoogleRefreshTokenProvider({ ...options, tokenUrl: `${server.origin}/token`, configPath: "auth", now: manualClock().now }, captureLogger().log);
    await expect(provider.getAccessToken()).rejects.toThrow(/HTTP 502 without a readable OAuth response/);
  });

  it("rejects an answer without expires_in", async () => {
    server = await startTokenServer(() => ({ status: 200, body: { access_token: "ya29.x" } }));
    const provider = new GoogleRefreshTokenProvider({ ...options, tokenUrl: `${server.origin}/token`, configPath: "auth", now: manualClock().now }, captureLogger().log);
    await expect(provider.getAccessToken()).rejects.toThrow(/without access_token and expires_in/);
  });
});
