/**
 * End to end, per sign-in method: the built CLI as a child process against the SuperOffice
 * stand-in, Dovecot (password and XOAUTH2 logins) and a stand-in OAuth token endpoint, all
 * on 127.0.0.1. `leadd check` must pass with good credentials and name the failed sign-in
 * step with bad ones; `leadd once` must send one GenerateLead with the right credentials;
 * and no output may contain a secret.
 */
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jwtVerify } from "jose";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { REPO_ROOT, runLeadd, type CliResult } from "../support/cli.js";
import { startDovecot, type DovecotServer } from "../support/dovecot.js";
import { oauthImapBlock, writeTestConfig } from "../support/leadd-config.js";
import { getFreePort } from "../support/ports.js";
import { SuperOfficeStandIn, type StandInOptions } from "../support/superoffice-stand-in.js";
import { startTokenServer, type TokenRequest, type TokenServer } from "../unit/auth/token-server.js";

const skipReason = inject("dovecotUnavailable");

const ENQUIRY = readFileSync(join(REPO_ROOT, "samples", "01-direct-english.eml"), "utf8");
const ENQUIRY_EMAIL = "grace.holloway@pinecrest-dental.example.co.uk";
/** A forwarded enquiry: its outcome replies to the forwarder, so SMTP is used too. */
const FORWARDED = readFileSync(join(REPO_ROOT, "samples", "02-outlook-forward-swedish.eml"), "utf8");

/** The sample with its own Message-ID, so that each run sees a new message. */
function enquiry(tag: string, raw = ENQUIRY): string {
  return raw.replace(/^Message-ID: <[^>]+>/m, `Message-ID: <auth-${tag}@leadd.test>`);
}

/** Every secret a test used or a server issued; no CLI output may contain any of them. */
const secrets = new Set<string>();
/** stdout and stderr of every CLI run, checked at the end. */
const outputs: Array<{ label: string; text: string }> = [];

function secret(value: string): string {
  secrets.add(value);
  return value;
}

/** Adds the body lines of a PEM key, so that a leaked part of it is found too. */
function pemSecret(pem: string): string {
  secrets.add(pem);
  for (const line of pem.split("\n")) if (line.length >= 40 && !line.startsWith("-----")) secrets.add(line);
  return pem;
}

function leakedSecrets(text: string): string[] {
  return [...secrets].filter((value) => text.includes(value));
}

async function leadd(label: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const result = await runLeadd(args, { env, timeoutMs: 60_000 });
  outputs.push({ label, text: `${result.stdout}\n${result.stderr}` });
  return result;
}

/** Returns the line `leadd check` printed for a step, found by its start. */
function checkLine(result: CliResult, start: RegExp): string {
  const line = result.stdout.split("\n").find((each) => start.test(each));
  expect(line, `a line matching ${start} in:\n${result.stdout}\n${result.stderr}`).toBeDefined();
  return line!;
}

function rsaKeyPair(): { privatePem: string; publicPem: string } {
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privatePem: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

// ---------------------------------------------------------------------------------------
// SuperOffice sign-in methods
// ---------------------------------------------------------------------------------------

interface SuperOfficeCase {
  type: "basic" | "soticket" | "bearer" | "systemuser" | "refreshtoken";
  standIn: StandInOptions;
  /** The `superoffice` keys besides url, with the good credentials. */
  superoffice: (dir: string, standIn: SuperOfficeStandIn) => Record<string, unknown>;
  /** The same with a wrong secret. */
  wrong: (dir: string, standIn: SuperOfficeStandIn) => Record<string, unknown>;
  /** What `check` must print about the wrong secret, besides the URL it names. */
  wrongMessage: RegExp;
  /** URL the failure message names. */
  wrongUrl: (standIn: SuperOfficeStandIn) => string;
  /** Checks the headers of the GenerateLead request and records what the servers issued. */
  expectCredentials: (headers: Record<string, string | string[] | undefined>, standIn: SuperOfficeStandIn) => void;
}

const basicPassword = secret("so-basic-password-7Hq2");
const soTicket = secret("7T:fixed-ticket-Wm3pX9aLq");
const soAppToken = secret("so-app-token-K2v8s");
const bearerToken = secret("so-bearer-token-Pz4nB6");
const systemToken = secret("SYSTEM-TOKEN-AbC123xyz");
const systemClientSecret = secret("so-client-secret-Q9r5T1");
const oauthClientSecret = secret("so-oauth-secret-J7k3W0");
const oauthRefreshToken = secret("so-refresh-token-L4m8N2");
const wrongSecret = secret("wrong-secret-Zz9Yy8Xx7");
const partnerKey = rsaKeyPair();
pemSecret(partnerKey.privatePem);
const otherKey = rsaKeyPair();
pemSecret(otherKey.privatePem);

function writeKey(dir: string, name: string, pem: string): string {
  writeFileSync(join(dir, name), pem, { mode: 0o600 });
  return name;
}

const SUPEROFFICE_CASES: SuperOfficeCase[] = [
  {
    type: "basic",
    standIn: { basic: { user: "leadd", password: basicPassword } },
    superoffice: () => ({ auth: { type: "basic", user: "leadd", password: basicPassword } }),
    wrong: () => ({ auth: { type: "basic", user: "leadd", password: wrongSecret } }),
    wrongMessage: /refused the credentials .*HTTP 401.*Invalid user name or password.*Check superoffice\.auth/,
    wrongUrl: (standIn) => `${standIn.url}/api/v1/User/currentPrincipal`,
    expectCredentials: (headers) => {
      const expected = Buffer.from(`leadd:${basicPassword}`).toString("base64");
      secret(expected);
      expect(headers.authorization).toBe(`Basic ${expected}`);
    },
  },
  {
    type: "soticket",
    standIn: { tickets: [soTicket], appToken: soAppToken },
    superoffice: () => ({ auth: { type: "soticket", ticket: soTicket }, appToken: soAppToken }),
    wrong: () => ({ auth: { type: "soticket", ticket: wrongSecret }, appToken: soAppToken }),
    wrongMessage: /refused the credentials .*HTTP 401.*Invalid or expired ticket.*Check superoffice\.auth/,
    wrongUrl: (standIn) => `${standIn.url}/api/v1/User/currentPrincipal`,
    expectCredentials: (headers) => {
      expect(headers.authorization).toBe(`SOTicket ${soTicket}`);
      expect(headers["so-apptoken"]).toBe(soAppToken);
    },
  },
  {
    type: "bearer",
    standIn: { bearerTokens: [bearerToken] },
    superoffice: () => ({ auth: { type: "bearer", token: bearerToken } }),
    wrong: () => ({ auth: { type: "bearer", token: wrongSecret } }),
    wrongMessage: /refused the credentials .*HTTP 401.*Invalid or expired access token.*Check superoffice\.auth/,
    wrongUrl: (standIn) => `${standIn.url}/api/v1/User/currentPrincipal`,
    expectCredentials: (headers) => {
      expect(headers.authorization).toBe(`Bearer ${bearerToken}`);
    },
  },
  {
    type: "systemuser",
    standIn: { systemUser: { systemToken, publicKeyPem: partnerKey.publicPem, applicationToken: systemClientSecret } },
    superoffice: (dir, standIn) => ({
      auth: { type: "systemuser", systemToken, privateKeyFile: writeKey(dir, "so-app.pem", partnerKey.privatePem), clientSecret: systemClientSecret },
      // Where an onsite installation or a proxy serves the login and state services.
      loginUrl: standIn.origin,
      stateUrl: standIn.origin,
    }),
    wrong: (dir, standIn) => ({
      auth: { type: "systemuser", systemToken, privateKeyFile: writeKey(dir, "so-app.pem", partnerKey.privatePem), clientSecret: wrongSecret },
      loginUrl: standIn.origin,
    }),
    wrongMessage: /system user sign-in failed .*Invalid application token.*Check superoffice\.auth\.systemToken, clientSecret and privateKeyFile/,
    wrongUrl: (standIn) => `${standIn.origin}/Login/api/PartnerSystemUser/Authenticate`,
    expectCredentials: (headers, standIn) => {
      const authorization = String(headers.authorization);
      expect(authorization).toMatch(/^SOTicket 7T:/);
      secret(authorization.slice("SOTicket ".length));
      expect(headers["so-apptoken"]).toBe(systemClientSecret);
      // The ticket came from the system user flow: signed token exchanged, JWT checked against the JWKS.
      const paths = standIn.requests.map((request) => `${request.method} ${request.path.toLowerCase()}`);
      expect(paths).toContain("POST /login/api/partnersystemuser/authenticate");
      expect(paths).toContain("GET /login/.well-known/jwks");
      expect(paths).toContain("GET /api/state/cust12345");
    },
  },
  {
    type: "refreshtoken",
    standIn: { oauth: { clientId: "leadd-app", clientSecret: oauthClientSecret, refreshToken: oauthRefreshToken } },
    superoffice: () => ({ auth: { type: "refreshtoken", clientId: "leadd-app", clientSecret: oauthClientSecret, refreshToken: oauthRefreshToken } }),
    wrong: () => ({ auth: { type: "refreshtoken", clientId: "leadd-app", clientSecret: wrongSecret, refreshToken: oauthRefreshToken } }),
    wrongMessage: /refused the refresh token .*HTTP 401.*invalid_client.*Check superoffice\.auth\.clientId and clientSecret/,
    wrongUrl: (standIn) => `${standIn.origin}/login/common/oauth/tokens`,
    expectCredentials: (headers, standIn) => {
      const authorization = String(headers.authorization);
      expect(authorization).toMatch(/^Bearer 8A:Cust12345\./);
      secret(authorization.slice("Bearer ".length));
      const grants = standIn.requests.filter((request) => request.path.toLowerCase() === "/login/common/oauth/tokens");
      expect(grants.map((request) => new URLSearchParams(request.body).get("grant_type"))).toEqual(["refresh_token"]);
    },
  },
];

describe.skipIf(skipReason !== null)("leadd check and once per SuperOffice auth type", () => {
  let dovecot: DovecotServer;
  const standIns: SuperOfficeStandIn[] = [];

  async function standInFor(options: StandInOptions): Promise<SuperOfficeStandIn> {
    const standIn = await SuperOfficeStandIn.start(options);
    standIns.push(standIn);
    return standIn;
  }

  function configFor(standIn: SuperOfficeStandIn, superoffice: (dir: string, standIn: SuperOfficeStandIn) => Record<string, unknown>): string {
    const dir = mkdtempSync(join(tmpdir(), "leadd-auth-"));
    return writeTestConfig({ dir, dovecot, superofficeUrl: standIn.url, superofficeExtra: superoffice(dir, standIn) });
  }

  beforeAll(async () => {
    dovecot = await startDovecot();
    secret(dovecot.password);
  });

  afterAll(async () => {
    await dovecot?.stop();
    for (const standIn of standIns) await standIn.stop();
  });

  describe.each(SUPEROFFICE_CASES)("$type", (testCase) => {
    const env = () => ({ TEST_IMAP_PASSWORD: dovecot.password });

    it("check passes", async () => {
      const standIn = await standInFor(testCase.standIn);
      const result = await leadd(`check ${testCase.type}`, ["check", "-c", configFor(standIn, testCase.superoffice)], env());

      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(checkLine(result, /^ok +SuperOffice /)).toContain(`(${testCase.type})`);
      expect(result.stdout).toContain("all checks passed");
      expect(standIn.generateLeadRequests()).toHaveLength(0);
      expect(leakedSecrets(result.stdout + result.stderr)).toEqual([]);
    });

    it("once sends one lead with its credentials", async () => {
      const standIn = await standInFor(testCase.standIn);
      await dovecot.appendMessage("INBOX", enquiry(testCase.type));
      const result = await leadd(`once ${testCase.type}`, ["once", "-c", configFor(standIn, testCase.superoffice)], env());

      expect(result.code, result.stdout + result.stderr).toBe(0);
      const requests = standIn.generateLeadRequests();
      expect(requests).toHaveLength(1);
      expect(requests[0]!.json).toMatchObject({ LeadPersonEmail: ENQUIRY_EMAIL });
      testCase.expectCredentials(requests[0]!.headers, standIn);
      const done = await dovecot.listMessages("Leads/Done");
      expect(done.filter((message) => message.messageId === `<auth-${testCase.type}@leadd.test>`)).toHaveLength(1);
      expect(leakedSecrets(result.stdout + result.stderr)).toEqual([]);
    });

    it("check names the failed step for a wrong secret", async () => {
      const standIn = await standInFor(testCase.standIn);
      const result = await leadd(`check wrong ${testCase.type}`, ["check", "-c", configFor(standIn, testCase.wrong)], env());

      expect(result.code).toBe(1);
      const line = checkLine(result, /^FAILED +SuperOffice /);
      expect(line).toContain(`(${testCase.type})`);
      expect(line).toMatch(testCase.wrongMessage);
      expect(line).toContain(testCase.wrongUrl(standIn));
      expect(checkLine(result, /^ok +mailbox leads/)).toBeDefined();
      expect(result.stdout).toContain("1 check(s) failed");
      expect(leakedSecrets(result.stdout + result.stderr)).toEqual([]);
    });
  });

  it("check names the signature for a system user key that does not match", async () => {
    const standIn = await standInFor({ systemUser: { systemToken, publicKeyPem: partnerKey.publicPem, applicationToken: systemClientSecret } });
    const config = configFor(standIn, (dir) => ({
      auth: { type: "systemuser", systemToken, privateKeyFile: writeKey(dir, "other.pem", otherKey.privatePem), clientSecret: systemClientSecret },
    }));
    const result = await leadd("check systemuser other key", ["check", "-c", config], { TEST_IMAP_PASSWORD: dovecot.password });

    expect(result.code).toBe(1);
    const line = checkLine(result, /^FAILED +SuperOffice /);
    expect(line).toContain(`${standIn.origin}/Login/api/PartnerSystemUser/Authenticate`);
    expect(line).toContain("Signature verification failed");
    expect(line).toContain("privateKeyFile");
    expect(leakedSecrets(result.stdout + result.stderr)).toEqual([]);
  });

  it("check names a system user token the JWKS does not verify", async () => {
    const standIn = await standInFor({
      systemUser: { systemToken, publicKeyPem: partnerKey.publicPem, applicationToken: systemClientSecret, signWithUnpublishedKey: true },
    });
    const config = configFor(standIn, (dir) => ({
      auth: { type: "systemuser", systemToken, privateKeyFile: writeKey(dir, "so-app.pem", partnerKey.privatePem), clientSecret: systemClientSecret },
    }));
    const result = await leadd("check systemuser forged", ["check", "-c", config], { TEST_IMAP_PASSWORD: dovecot.password });

    expect(result.code).toBe(1);
    const line = checkLine(result, /^FAILED +SuperOffice /);
    expect(line).toContain(`system user token from ${standIn.origin}/Login/api/PartnerSystemUser/Authenticate failed verification`);
    expect(standIn.generateLeadRequests()).toHaveLength(0);
    expect(leakedSecrets(result.stdout + result.stderr)).toEqual([]);
  });

  it.each([
    ["systemuser", "/Login/api/PartnerSystemUser/Authenticate"],
    ["refreshtoken", "/login/common/oauth/tokens"],
  ] as const)("check names an unreachable %s login service", async (type, path) => {
    const testCase = SUPEROFFICE_CASES.find((each) => each.type === type)!;
    const standIn = await standInFor(testCase.standIn);
    const closed = `http://127.0.0.1:${await getFreePort()}`;
    const config = configFor(standIn, (dir, server) => ({ ...testCase.superoffice(dir, server), loginUrl: closed, stateUrl: undefined }));
    const result = await leadd(`check unreachable ${type}`, ["check", "-c", config], { TEST_IMAP_PASSWORD: dovecot.password });

    expect(result.code).toBe(1);
    const line = checkLine(result, /^FAILED +SuperOffice /);
    expect(line).toContain(`POST ${closed}${path} failed: ECONNREFUSED`);
    expect(line).toContain("The login service address is superoffice.loginUrl");
    expect(leakedSecrets(result.stdout + result.stderr)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------
// Mailbox OAuth: XOAUTH2 against Dovecot (IMAP) and an SMTP server
// ---------------------------------------------------------------------------------------

const TENANT = "aurora.onmicrosoft.com";
const MS_CLIENT_ID = "6f1c2a4e-0000-4000-8000-000000000001";
const msClientSecret = secret("Zx8Q~ms-client-secret-value");
const GOOGLE_CLIENT_ID = "104200000000-leadd.apps.googleusercontent.com";
const googleClientSecret = secret("GOCSPX-google-secret-R3t6");
const googleRefreshToken = secret("1//google-refresh-token-V5b7");
const SERVICE_ACCOUNT_EMAIL = "leadd@aurora-mail.iam.gserviceaccount.com";
const serviceAccountKey = rsaKeyPair();
pemSecret(serviceAccountKey.privatePem);

const GMAIL_SCOPE = "https://mail.google.com/";
const MAILBOX_USER = "leads@example.com";

/**
 * One stand-in for Entra ID's and Google's token endpoints and for the RFC 7662
 * introspection endpoint Dovecot calls; it accepts exactly the tokens it issued.
 */
function tokenHandler(issued: Set<string>, origin: () => string) {
  let count = 0;
  const issue = (prefix: string) => {
    const token = secret(`${prefix}-${++count}-${Math.random().toString(36).slice(2)}`);
    issued.add(token);
    return { status: 200, body: { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: token } };
  };
  return async (request: TokenRequest) => {
    const form = request.form;
    if (request.path === "/introspect") {
      const token = form.get("token") ?? "";
      return { status: 200, body: issued.has(token) ? { active: true, username: MAILBOX_USER } : { active: false } };
    }
    if (request.path === `/${TENANT}/oauth2/v2.0/token`) {
      if (form.get("grant_type") !== "client_credentials" || !form.get("scope")?.includes("https://outlook.office365.com/.default")) {
        return { status: 400, body: { error: "invalid_request" } };
      }
      if (form.get("client_id") !== MS_CLIENT_ID || form.get("client_secret") !== msClientSecret) {
        return {
          status: 401,
          body: { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 0000", error_codes: [7000215] },
        };
      }
      return issue("ms-access-token");
    }
    if (request.path === "/google/token") {
      if (form.get("grant_type") === "refresh_token") {
        if (form.get("client_id") !== GOOGLE_CLIENT_ID || form.get("client_secret") !== googleClientSecret) {
          return { status: 401, body: { error: "invalid_client", error_description: "The OAuth client was not found." } };
        }
        if (form.get("refresh_token") !== googleRefreshToken) {
          return { status: 400, body: { error: "invalid_grant", error_description: "Token has been expired or revoked." } };
        }
        return issue("ya29.refresh");
      }
      if (form.get("grant_type") === "urn:ietf:params:oauth:grant-type:jwt-bearer") {
        try {
          const { payload } = await jwtVerify(form.get("assertion") ?? "", createPublicKey(serviceAccountKey.publicPem), {
            algorithms: ["RS256"],
            issuer: SERVICE_ACCOUNT_EMAIL,
            audience: `${origin()}/google/token`,
            subject: MAILBOX_USER,
          });
          if (payload.scope !== GMAIL_SCOPE) return { status: 400, body: { error: "invalid_scope" } };
        } catch {
          return { status: 400, body: { error: "invalid_grant", error_description: "Invalid JWT Signature." } };
        }
        return issue("ya29.service");
      }
    }
    return { status: 404, body: { error: "not_found" } };
  };
}

interface MailOAuthCase {
  name: string;
  /** The `imap.auth` block. */
  auth: (dir: string, tokens: TokenServer) => Record<string, unknown>;
  wrong: (dir: string, tokens: TokenServer) => Record<string, unknown>;
  /** Token endpoint error code `check` must name for the wrong credential. */
  wrongCode: string;
  wrongHint: RegExp;
  describes: RegExp;
}

function serviceAccountFile(dir: string, tokens: TokenServer, privateKey = serviceAccountKey.privatePem): string {
  const json = JSON.stringify({
    type: "service_account",
    project_id: "aurora-mail",
    private_key_id: "kid-0001",
    private_key: privateKey,
    client_email: SERVICE_ACCOUNT_EMAIL,
    client_id: "104200000000000000001",
    token_uri: `${tokens.origin}/google/token`,
  });
  writeFileSync(join(dir, "google-key.json"), json, { mode: 0o600 });
  return "google-key.json";
}

const MAIL_OAUTH_CASES: MailOAuthCase[] = [
  {
    name: "microsoft",
    auth: (_dir, tokens) => ({
      type: "microsoft",
      tenantId: TENANT,
      clientId: MS_CLIENT_ID,
      clientSecret: msClientSecret,
      tokenUrl: `${tokens.origin}/${TENANT}/oauth2/v2.0/token`,
    }),
    wrong: (_dir, tokens) => ({
      type: "microsoft",
      tenantId: TENANT,
      clientId: MS_CLIENT_ID,
      clientSecret: wrongSecret,
      tokenUrl: `${tokens.origin}/${TENANT}/oauth2/v2.0/token`,
    }),
    wrongCode: "invalid_client",
    wrongHint: /AADSTS7000215: Invalid client secret provided\. The client secret is wrong.* Fix it in mailboxes\[0\]\.imap\.auth\./,
    describes: /microsoft client 6f1c2a4e-0000-4000-8000-000000000001 tenant aurora\.onmicrosoft\.com/,
  },
  {
    name: "google service account",
    auth: (dir, tokens) => ({ type: "google", serviceAccountFile: serviceAccountFile(dir, tokens) }),
    wrong: (dir, tokens) => ({ type: "google", serviceAccountFile: serviceAccountFile(dir, tokens, otherKey.privatePem) }),
    wrongCode: "invalid_grant",
    wrongHint: /Invalid JWT Signature.*still active for leadd@aurora-mail/,
    describes: /google service account leadd@aurora-mail\.iam\.gserviceaccount\.com for leads@example\.com/,
  },
  {
    name: "google refresh token",
    auth: (_dir, tokens) => ({
      type: "google",
      clientId: GOOGLE_CLIENT_ID,
      clientSecret: googleClientSecret,
      refreshToken: googleRefreshToken,
      tokenUrl: `${tokens.origin}/google/token`,
    }),
    wrong: (_dir, tokens) => ({
      type: "google",
      clientId: GOOGLE_CLIENT_ID,
      clientSecret: wrongSecret,
      refreshToken: googleRefreshToken,
      tokenUrl: `${tokens.origin}/google/token`,
    }),
    wrongCode: "invalid_client",
    wrongHint: /Check mailboxes\[0\]\.imap\.auth\.clientId and clientSecret/,
    describes: /google refresh token of client 104200000000-leadd\.apps\.googleusercontent\.com for leads@example\.com/,
  },
];

describe.skipIf(skipReason !== null)("leadd check and once with mailbox OAuth", () => {
  let dovecot: DovecotServer;
  let tokens: TokenServer;
  let standIn: SuperOfficeStandIn;
  const issued = new Set<string>();

  function configFor(auth: Record<string, unknown>, dir: string, mailboxExtra: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
    return writeTestConfig({
      dir,
      dovecot,
      superofficeUrl: standIn.url,
      superofficeExtra: { auth: { type: "bearer", token: bearerToken } },
      mailboxExtra: { imap: oauthImapBlock(dovecot, auth), ...mailboxExtra },
      extra,
    });
  }

  beforeAll(async () => {
    tokens = await startTokenServer(() => ({ status: 500, body: "not ready" }));
    tokens.handler = tokenHandler(issued, () => tokens.origin);
    dovecot = await startDovecot({ oauth2IntrospectionUrl: `${tokens.origin}/introspect` });
    secret(dovecot.password);
    standIn = await SuperOfficeStandIn.start({ bearerTokens: [bearerToken] });
  });

  afterAll(async () => {
    await dovecot?.stop();
    await tokens?.close();
    await standIn?.stop();
  });

  describe.each(MAIL_OAUTH_CASES)("$name", (testCase) => {
    it("check passes", async () => {
      const dir = mkdtempSync(join(tmpdir(), "leadd-oauth-"));
      const result = await leadd(`check ${testCase.name}`, ["check", "-c", configFor(testCase.auth(dir, tokens), dir)]);

      expect(result.code, result.stdout + result.stderr).toBe(0);
      checkLine(result, /^ok +mailbox leads: sign in and open INBOX/);
      expect(checkLine(result, /^ok +OAuth token for leads\/imap/)).toMatch(testCase.describes);
      expect(leakedSecrets(result.stdout + result.stderr)).toEqual([]);
      expect(tokens.handlerErrors).toEqual([]);
    });

    it("once processes the message", async () => {
      const tag = testCase.name.replaceAll(" ", "-");
      await dovecot.appendMessage("INBOX", enquiry(tag));
      const before = standIn.generateLeadRequests().length;
      const dir = mkdtempSync(join(tmpdir(), "leadd-oauth-"));
      const result = await leadd(`once ${testCase.name}`, ["once", "-c", configFor(testCase.auth(dir, tokens), dir)]);

      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(standIn.generateLeadRequests()).toHaveLength(before + 1);
      const done = await dovecot.listMessages("Leads/Done");
      const moved = done.filter((message) => message.messageId === `<auth-${tag}@leadd.test>`);
      expect(moved).toHaveLength(1);
      expect(moved[0]!.flags).toContain("$LeadCreated");
      expect(leakedSecrets(result.stdout + result.stderr)).toEqual([]);
    });

    it("check names the token step for a rejected credential", async () => {
      const dir = mkdtempSync(join(tmpdir(), "leadd-oauth-"));
      const result = await leadd(`check wrong ${testCase.name}`, ["check", "-c", configFor(testCase.wrong(dir, tokens), dir)]);

      expect(result.code).toBe(1);
      const line = checkLine(result, /^FAILED +OAuth token for leads\/imap/);
      expect(line).toContain(`token request to ${tokens.origin}`);
      expect(line).toContain(`rejected with ${testCase.wrongCode}`);
      expect(line).toMatch(testCase.wrongHint);
      checkLine(result, /^FAILED +mailbox leads/);
      checkLine(result, /^ok +SuperOffice /);
      expect(leakedSecrets(result.stdout + result.stderr)).toEqual([]);
    });
  });

  it.each([
    ["microsoft", 0, `/${TENANT}/oauth2/v2.0/token`],
    ["google", 2, "/google/token"],
  ] as const)("check names an unreachable %s token endpoint", async (provider, index, path) => {
    const dir = mkdtempSync(join(tmpdir(), "leadd-oauth-"));
    const closed = `http://127.0.0.1:${await getFreePort()}`;
    const auth = { ...MAIL_OAUTH_CASES[index]!.auth(dir, tokens), tokenUrl: `${closed}${path}` };
    const result = await leadd(`check unreachable ${provider}`, ["check", "-c", configFor(auth, dir)]);

    expect(result.code).toBe(1);
    const line = checkLine(result, /^FAILED +OAuth token for leads\/imap/);
    expect(line).toContain(`${provider} token endpoint ${closed}${path} is unreachable: the request failed: ECONNREFUSED`);
    expect(leakedSecrets(result.stdout + result.stderr)).toEqual([]);
  });

  it("check names a token the IMAP server rejects", async () => {
    const dir = mkdtempSync(join(tmpdir(), "leadd-oauth-"));
    // Tokens from this endpoint are well-formed but unknown to Dovecot's introspection.
    const other = await startTokenServer(tokenHandler(new Set(), () => other.origin));
    try {
      const auth = { ...MAIL_OAUTH_CASES[0]!.auth(dir, tokens), tokenUrl: `${other.origin}/${TENANT}/oauth2/v2.0/token` };
      const result = await leadd("check rejected token", ["check", "-c", configFor(auth, dir)]);

      expect(result.code).toBe(1);
      checkLine(result, /^ok +OAuth token for leads\/imap/);
      const line = checkLine(result, /^FAILED +mailbox leads/);
      expect(line).toContain("imap.auth");
      expect(leakedSecrets(result.stdout + result.stderr)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  describe("SMTP replies with microsoft XOAUTH2", () => {
    let smtp: SMTPServer;
    let smtpPort: number;
    const logins: Array<{ user: string; accepted: boolean }> = [];
    const delivered: string[] = [];

    beforeAll(async () => {
      smtp = new SMTPServer({
        logger: false,
        disabledCommands: ["STARTTLS"],
        authMethods: ["XOAUTH2"],
        allowInsecureAuth: true,
        onAuth(auth, _session, callback) {
          const accepted = auth.method === "XOAUTH2" && auth.username === MAILBOX_USER && issued.has(auth.accessToken ?? "");
          logins.push({ user: auth.username ?? "", accepted });
          if (accepted) callback(null, { user: auth.username });
          else callback(null, { data: { status: "401", schemes: "bearer" } });
        },
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on("data", (chunk: Buffer) => chunks.push(chunk));
          stream.on("end", () => {
            delivered.push(session.envelope.rcptTo.map((each) => each.address).join(","));
            callback();
          });
        },
      });
      smtp.on("error", () => undefined);
      smtpPort = await getFreePort();
      await new Promise<void>((resolve) => smtp.listen(smtpPort, "127.0.0.1", resolve));
    });

    afterAll(async () => {
      await new Promise<void>((resolve) => (smtp === undefined ? resolve() : smtp.close(() => resolve())));
    });

    function replies(auth: Record<string, unknown>): Record<string, unknown> {
      return {
        replies: {
          smtp: { host: "127.0.0.1", port: smtpPort, secure: false, user: MAILBOX_USER, auth },
          from: `Aurora leads <${MAILBOX_USER}>`,
        },
      };
    }

    it("check signs in to SMTP", async () => {
      const dir = mkdtempSync(join(tmpdir(), "leadd-oauth-"));
      const auth = MAIL_OAUTH_CASES[0]!.auth(dir, tokens);
      const result = await leadd("check smtp microsoft", ["check", "-c", configFor(auth, dir, {}, replies(auth))]);

      expect(result.code, result.stdout + result.stderr).toBe(0);
      checkLine(result, /^ok +SMTP 127\.0\.0\.1:\d+ for mailbox leads/);
      expect(logins.filter((login) => login.accepted)).toHaveLength(1);
      expect(leakedSecrets(result.stdout + result.stderr)).toEqual([]);
    });

    it("once replies to the forwarder through SMTP", async () => {
      await dovecot.appendMessage("INBOX", enquiry("smtp-forward", FORWARDED));
      const dir = mkdtempSync(join(tmpdir(), "leadd-oauth-"));
      const auth = MAIL_OAUTH_CASES[0]!.auth(dir, tokens);
      const result = await leadd("once smtp microsoft", ["once", "-c", configFor(auth, dir, {}, replies(auth))]);

      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(delivered).toEqual(["erik.sand@northwind.example.com"]);
      expect(logins.every((login) => login.accepted)).toBe(true);
      expect(leakedSecrets(result.stdout + result.stderr)).toEqual([]);
    });

    it("check names the SMTP token step for a rejected secret", async () => {
      const dir = mkdtempSync(join(tmpdir(), "leadd-oauth-"));
      const good = MAIL_OAUTH_CASES[0]!.auth(dir, tokens);
      const wrong = MAIL_OAUTH_CASES[0]!.wrong(dir, tokens);
      const result = await leadd("check smtp wrong", ["check", "-c", configFor(good, dir, {}, replies(wrong))]);

      expect(result.code).toBe(1);
      checkLine(result, /^ok +OAuth token for leads\/imap/);
      checkLine(result, /^ok +mailbox leads/);
      const line = checkLine(result, /^FAILED +OAuth token for leads\/smtp/);
      expect(line).toContain("rejected with invalid_client");
      expect(line).toContain("Fix it in mailboxes[0].replies.smtp.auth.");
      expect(checkLine(result, /^FAILED +SMTP 127\.0\.0\.1:\d+ for mailbox leads/)).toContain("invalid_client");
      expect(leakedSecrets(result.stdout + result.stderr)).toEqual([]);
    });
  });
});

describe.skipIf(skipReason !== null)("secrets in output", () => {
  it("no run printed a password, token, ticket, client secret or private key", () => {
    // The suites above ran first (vitest runs a file's tests in order).
    if (process.env.LEADD_AUTH_DUMP) writeFileSync(process.env.LEADD_AUTH_DUMP, outputs.map((o) => `### ${o.label}\n${o.text}`).join("\n"));
    expect(outputs.length).toBeGreaterThanOrEqual(30);
    expect(secrets.size).toBeGreaterThan(20);
    const leaks = outputs.flatMap((output) => leakedSecrets(output.text).map((value) => `${output.label}: ${value.slice(0, 12)}…`));
    expect(leaks).toEqual([]);
  });
});
