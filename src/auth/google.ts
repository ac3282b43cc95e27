import { importPKCS8, SignJWT } from "jose";
import type { Logger } from "pino";

import { LeaddError } from "../errors.js";
import { TokenCache } from "./token-cache.js";
import { requestToken, type ErrorHints } from "./token-endpoint.js";
import type { Clock, CredentialExpiry, IssuedToken, TokenProvider } from "./types.js";

/** Scope for IMAP and SMTP access to Gmail with XOAUTH2. */
export const GMAIL_SCOPE = "https://mail.google.com/";

/** Google's token endpoint, used when neither the key file nor the config names one. */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

/** Lifetime of a signed JWT assertion; one hour is the maximum Google accepts. */
const ASSERTION_LIFETIME_SECONDS = 3600;

export interface GoogleServiceAccountOptions {
  /** Contents of the service account JSON key file. */
  serviceAccount: string;
  /** Mailbox to impersonate through domain-wide delegation (the JWT `sub`). */
  user: string;
  /** Overrides the key file's `token_uri`. */
  tokenUrl?: string;
  /** Config path of the auth block, for error messages. */
  configPath: string;
  now?: Clock;
  timeoutMs?: number;
}

export interface GoogleRefreshTokenOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  user: string;
  tokenUrl?: string;
  configPath: string;
  now?: Clock;
  timeoutMs?: number;
}

interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  client_id?: string;
  token_uri?: string;
}

/** Fetches Gmail tokens for one mailbox with a service account key (JWT bearer grant, RFC 7523). */
export class GoogleServiceAccountProvider implements TokenProvider {
  private readonly key: ServiceAccountKey;
  private readonly tokenUrl: string;
  private readonly cache: TokenCache;
  private readonly now: Clock;
  private readonly hints: ErrorHints;

  constructor(
    private readonly options: GoogleServiceAccountOptions,
    log: Logger,
  ) {
    this.key = parseServiceAccountKey(options.serviceAccount, options.configPath);
    this.tokenUrl = options.tokenUrl ?? this.key.token_uri ?? GOOGLE_TOKEN_URL;
    this.now = options.now ?? (() => new Date());
    this.cache = new TokenCache(() => this.fetchToken(), this.now, log);
    const clientId = this.key.client_id ?? "(client_id of the service account)";
    this.hints = {
      unauthorized_client:
        `Authorize client ID ${clientId} for scope ${GMAIL_SCOPE} under domain-wide delegation in the ` +
        "Google Workspace Admin console (Security > Access and data control > API controls).",
      invalid_grant:
        `Check that the key ${this.key.private_key_id ?? ""} is still active for ${this.key.client_email}, ` +
        `that ${options.user} is an existing Workspace mailbox, and that this host's clock is correct.`,
      invalid_client: `Check that the service account ${this.key.client_email} exists and is enabled.`,
      default: `Check the service account key in ${options.configPath}.serviceAccountFile.`,
    };
  }

  getAccessToken(): Promise<string> {
    return this.cache.get();
  }

  expiresAt(): Date | null {
    return this.cache.expiresAt();
  }

  describe(): string {
    return `google service account ${this.key.client_email} for ${this.options.user}`;
  }

  credentialExpiry(): CredentialExpiry | null {
    // Service account keys have no expiry unless an organization policy sets one, and the
    // key file does not say so.
    return null;
  }

  private async fetchToken(): Promise<IssuedToken> {
    const assertion = await this.signAssertion();
    return requestToken(
      this.tokenUrl,
      { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion },
      { provider: "google", hints: this.hints, now: this.now, timeoutMs: this.options.timeoutMs },
    );
  }

  private async signAssertion(): Promise<string> {
    let privateKey: Awaited<ReturnType<typeof importPKCS8>>;
    try {
      privateKey = await importPKCS8(this.key.private_key, "RS256");
    } catch (error) {
      throw new LeaddError(
        "CONFIG_INVALID",
        `${this.options.configPath}.serviceAccountFile: private_key is not a PKCS#8 RSA key. Download a new JSON key for ${this.key.client_email}.`,
        { cause: error },
      );
    }

    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const header: { alg: string; typ: string; kid?: string } = { alg: "RS256", typ: "JWT" };
    if (this.key.private_key_id) {
      header.kid = this.key.private_key_id;
    }
    return new SignJWT({ scope: GMAIL_SCOPE })
      .setProtectedHeader(header)
      .setIssuer(this.key.client_email)
      .setSubject(this.options.user)
      .setAudience(this.tokenUrl)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ASSERTION_LIFETIME_SECONDS)
      .sign(privateKey);
  }
}

/** Fetches Gmail tokens with an OAuth client's refresh token (RFC 6749 section 6). */
export class GoogleRefreshTokenProvider implements TokenProvider {
  private readonly tokenUrl: string;
  private readonly cache: TokenCache;
  private readonly now: Clock;
  private readonly hints: ErrorHints;
  private refreshTokenExpiresAt: Date | null = null;

  constructor(
    private readonly options: GoogleRefreshTokenOptions,
    log: Logger,
  ) {
    this.tokenUrl = options.tokenUrl ?? GOOGLE_TOKEN_URL;
    this.now = options.now ?? (() => new Date());
    this.cache = new TokenCache(() => this.fetchToken(), this.now, log);
    this.hints = {
      invalid_grant:
        `The refresh token in ${options.configPath}.refreshToken has expired or was revoked ` +
        "(password change, revoked access, or an OAuth app in testing mode, whose tokens last 7 days). " +
        `Sign in as ${options.user} again to get a new refresh token.`,
      invalid_client: `Check ${options.configPath}.clientId and clientSecret against the OAuth client in the Google Cloud console.`,
      unauthorized_client: `Check that the refresh token was issued to client ${options.clientId}.`,
      default: `Check clientId, clientSecret and refreshToken in ${options.configPath}.`,
    };
  }

  getAccessToken(): Promise<string> {
    return this.cache.get();
  }

  expiresAt(): Date | null {
    return this.cache.expiresAt();
  }

  describe(): string {
    return `google refresh token of client ${this.options.clientId} for ${this.options.user}`;
  }

  credentialExpiry(): CredentialExpiry | null {
    return this.refreshTokenExpiresAt ? { kind: "refresh-token", expiresAt: this.refreshTokenExpiresAt } : null;
  }

  private async fetchToken(): Promise<IssuedToken> {
    const issued = await requestToken(
      this.tokenUrl,
      {
        grant_type: "refresh_token",
        client_id: this.options.clientId,
        client_secret: this.options.clientSecret,
        refresh_token: this.options.refreshToken,
      },
      { provider: "google", hints: this.hints, now: this.now, timeoutMs: this.options.timeoutMs },
    );
    // Google reports refresh_token_expires_in only for time-limited grants.
    const lifetime = issued.response.refresh_token_expires_in;
    if (lifetime !== undefined) {
      this.refreshTokenExpiresAt = new Date(this.now().getTime() + lifetime * 1000);
    }
    return issued;
  }
}

/** Parses and checks a service account JSON key, naming the missing field in the error. */
function parseServiceAccountKey(text: string, configPath: string): ServiceAccountKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LeaddError(
      "CONFIG_INVALID",
      `${configPath}.serviceAccountFile is not valid JSON. Use the JSON key file downloaded from the Google Cloud console.`,
      { cause: error },
    );
  }

  const key = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (key.type !== undefined && key.type !== "service_account") {
    throw new LeaddError(
      "CONFIG_INVALID",
      `${configPath}.serviceAccountFile has type "${String(key.type)}", expected "service_account". ` +
        "For an OAuth client, use clientId, clientSecret and refreshToken instead.",
    );
  }
  for (const field of ["client_email", "private_key"] as const) {
    if (typeof key[field] !== "string" || key[field] === "") {
      throw new LeaddError("CONFIG_INVALID", `${configPath}.serviceAccountFile is missing "${field}". Use the JSON key file as downloaded.`);
    }
  }

  return {
    client_email: key.client_email as string,
    private_key: key.private_key as string,
    private_key_id: typeof key.private_key_id === "string" ? key.private_key_id : undefined,
    client_id: typeof key.client_id === "string" ? key.client_id : undefined,
    token_uri: typeof key.token_uri === "string" && key.token_uri !== "" ? key.token_uri : undefined,
  };
}
