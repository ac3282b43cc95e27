import { describe, expect, it } from "vitest";
import { validateConfig } from "../../../src/config/validate.js";
import { baseConfig } from "./config-files.js";

/** Validates the base config with one imap.auth block and returns the error lines. */
function imapAuthErrors(imap: Record<string, unknown>): string[] {
  const config = baseConfig();
  config.mailboxes[0].imap = { host: "imap.example.com", user: "leads@example.com", ...imap };
  config.superoffice.auth.token = "t";
  return validateConfig(config, "/etc/leadd").issues.map((issue) => `${issue.path}: ${issue.message}`);
}

function superOfficeAuthErrors(auth: Record<string, unknown>, url = "https://online.superoffice.com/Cust12345"): string[] {
  const config = baseConfig();
  config.mailboxes[0].imap.password = "p";
  config.superoffice = { url, auth };
  return validateConfig(config, "/etc/leadd").issues.map((issue) => `${issue.path}: ${issue.message}`);
}

describe("imap.auth", () => {
  const valid: Array<[string, Record<string, unknown>]> = [
    ["password by default", { password: "p" }],
    ["password type", { password: "p", auth: { type: "password" } }],
    ["microsoft secret", { auth: { type: "microsoft", tenantId: "t", clientId: "c", clientSecret: "s" } }],
    ["google service account", { auth: { type: "google", serviceAccount: '{"client_email":"a@b.c","private_key":"k"}' } }],
    ["google refresh token", { auth: { type: "google", clientId: "c", clientSecret: "s", refreshToken: "r" } }],
  ];
  for (const [name, imap] of valid) {
    it(`accepts ${name}`, () => {
      expect(imapAuthErrors(imap)).toEqual([]);
    });
  }

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ["password missing", {}, "mailboxes[0].imap.password: required: set password or passwordFile for this user"],
    ["user missing", { user: undefined, password: "p" }, "mailboxes[0].imap.user: required"],
    [
      "microsoft with both secret and certificate",
      { auth: { type: "microsoft", tenantId: "t", clientId: "c", clientSecret: "s", certificateThumbprint: "a".repeat(40) } },
      "mailboxes[0].imap.auth: set either clientSecret or certificateFile with certificateThumbprint",
    ],
    [
      "microsoft thumbprint alone",
      { auth: { type: "microsoft", tenantId: "t", clientId: "c", certificateThumbprint: "a".repeat(40) } },
      "mailboxes[0].imap.auth: certificateFile and certificateThumbprint go together; set both",
    ],
    [
      "google with half a refresh token",
      { auth: { type: "google", clientId: "c" } },
      "mailboxes[0].imap.auth: set either serviceAccountFile, or clientId with clientSecret and refreshToken",
    ],
    [
      "google key that is not JSON",
      { auth: { type: "google", serviceAccount: "not json" } },
      "mailboxes[0].imap.auth.serviceAccount: expected a Google service account JSON key with client_email and private_key",
    ],
    [
      "password with oauth",
      { password: "p", auth: { type: "google", clientId: "c", clientSecret: "s", refreshToken: "r" } },
      "mailboxes[0].imap.password: not used with auth type google; remove it",
    ],
    [
      "unknown type, once",
      { password: "p", auth: { type: "kerberos" } },
      'mailboxes[0].imap.auth.type: expected type password, microsoft or google, got "kerberos"',
    ],
    [
      "unknown auth key",
      { password: "p", auth: { type: "password", tenantId: "t" } },
      "mailboxes[0].imap.auth.tenantId: unknown key; check its spelling and place against config/leadd.example.yaml",
    ],
  ];
  for (const [name, imap, expected] of invalid) {
    it(`rejects ${name}`, () => {
      expect(imapAuthErrors(imap)).toEqual([expected]);
    });
  }
});

describe("superoffice.auth", () => {
  it("accepts basic, soticket and refreshtoken", () => {
    expect(superOfficeAuthErrors({ type: "basic", user: "u", password: "p" })).toEqual([]);
    expect(superOfficeAuthErrors({ type: "soticket", ticket: "7T:x" })).toEqual([]);
    expect(superOfficeAuthErrors({ type: "refreshtoken", clientId: "c", clientSecret: "s", refreshToken: "r" })).toEqual([]);
  });

  it("rejects keys of another type", () => {
    expect(superOfficeAuthErrors({ type: "bearer", token: "t", ticket: "x" })).toEqual([
      "superoffice.auth.ticket: unknown key; check its spelling and place against config/leadd.example.yaml",
    ]);
  });

  it("accepts a url ending in /api", () => {
    const config = baseConfig();
    config.mailboxes[0].imap.password = "p";
    config.superoffice = { url: "https://crm.example.com/SuperOffice/api/", auth: { type: "soticket", ticket: "x" } };

    const result = validateConfig(config, "/etc/leadd");

    expect(result.issues).toEqual([]);
    expect(result.config?.superoffice.url).toBe("https://crm.example.com/SuperOffice");
  });

  it("rejects a url with a query", () => {
    expect(superOfficeAuthErrors({ type: "soticket", ticket: "x" }, "https://crm.example.com/?a=1")).toEqual([
      'superoffice.url: expected a URL without query or fragment, got "https://crm.example.com/?a=1"',
    ]);
  });
});

describe("replies.smtp credentials", () => {
  function smtpErrors(smtp: Record<string, unknown>): string[] {
    const config = baseConfig();
    config.mailboxes[0].imap.password = "p";
    config.superoffice.auth.token = "t";
    config.replies = { smtp: { host: "smtp.example.com", ...smtp }, from: "leads@example.com" };
    return validateConfig(config, "/etc/leadd").issues.map((issue) => `${issue.path}: ${issue.message}`);
  }

  it("accepts no login for a relay", () => {
    expect(smtpErrors({})).toEqual([]);
  });

  it("rejects a user without password", () => {
    expect(smtpErrors({ user: "u" })).toEqual(["replies.smtp.password: required: set password or passwordFile for this user"]);
  });

  it("rejects a password without user", () => {
    expect(smtpErrors({ password: "p" })).toEqual(["replies.smtp.user: required when password is set"]);
  });

  it("requires a user for oauth", () => {
    expect(smtpErrors({ auth: { type: "microsoft", tenantId: "t", clientId: "c", clientSecret: "s" } })).toEqual([
      "replies.smtp.user: required with auth type microsoft: the mailbox to sign in as",
    ]);
  });
});
