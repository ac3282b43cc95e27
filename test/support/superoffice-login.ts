/**
 * Login services of the SuperOffice stand-in: PartnerSystemUser/Authenticate (system user
 * flow), the JWKS that verifies its tokens, and the OAuth token endpoint for refresh tokens.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

export interface SystemUserConfig {
  systemToken: string;
  /** PEM public key matching the partner's private key. */
  publicKeyPem: string;
  /** The partner's client secret, sent as ApplicationToken and SO-AppToken. */
  applicationToken: string;
  /** true = sign tokens with a key the JWKS does not publish, as a forged response would be. */
  signWithUnpublishedKey?: boolean;
}

export interface OAuthConfig {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Access token lifetime; SuperOffice issues one-hour tokens. */
  accessTokenLifetimeSeconds?: number;
  /** When set, each refresh returns this as the new refresh token. */
  rotateRefreshTokenTo?: string;
}

/** Lifetime of a system user ticket in SuperOffice Online. */
const TICKET_LIFETIME_MS = 6 * 60 * 60 * 1000;
/** How far the signed timestamp may be from the stand-in's clock; an assumption, SuperOffice does not document its window. */
const SIGNATURE_CLOCK_SKEW_MS = 5 * 60 * 1000;
const SERIAL = "1234567890";
const KEY_ID = "stand-in-1";

/** The stand-in's JWT signing key, made once per process because RSA key generation is slow. */
let sharedSigningKeys: Promise<{ privateKey: CryptoKey; publicJwk: JWK }> | null = null;

function signingKeys(): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  sharedSigningKeys ??= (async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid: KEY_ID, alg: "RS256", use: "sig" } };
  })();
  return sharedSigningKeys;
}

export interface IssuedCredential {
  value: string;
  expiresAtMs: number;
  appToken: string | null;
}

export class LoginService {
  /** Tickets and access tokens issued by the login endpoints, by value. */
  readonly issued = new Map<string, IssuedCredential>();
  private signingKey: CryptoKey | null = null;
  private publicJwk: JWK | null = null;
  private partnerKey: KeyObject | null = null;
  private currentRefreshToken: string | null = null;

  constructor(
    private readonly customer: string,
    private readonly now: () => number,
    private readonly systemUser: SystemUserConfig | undefined,
    private readonly oauth: OAuthConfig | undefined,
  ) {}

  async init(): Promise<void> {
    if (this.systemUser) {
      const keys = await signingKeys();
      this.signingKey = keys.privateKey;
      this.publicJwk = keys.publicJwk;
      this.partnerKey = createPublicKey(this.systemUser.publicKeyPem);
    }
    this.currentRefreshToken = this.oauth?.refreshToken ?? null;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.publicJwk ? [this.publicJwk] : [] };
  }

  /** Handles POST /Login/api/PartnerSystemUser/Authenticate; returns status and body. */
  async authenticate(body: unknown): Promise<{ status: number; body: unknown }> {
    const fail = (message: string) => ({ status: 200, body: { IsSuccessful: false, ErrorMessage: message, Token: null } });
    if (!this.systemUser || !this.partnerKey || !this.signingKey) {
      return fail("System user flow is not configured on this stand-in.");
    }
    const request = (body ?? {}) as Record<string, unknown>;
    if (request.ApplicationToken !== this.systemUser.applicationToken) {
      return fail("Invalid application token.");
    }
    if (typeof request.ContextIdentifier !== "string" || request.ContextIdentifier.toLowerCase() !== this.customer.toLowerCase()) {
      return fail("Unknown context identifier.");
    }
    if (request.ReturnTokenType !== "JWT") {
      return fail("Only ReturnTokenType JWT is supported.");
    }
    const signed = typeof request.SignedSystemToken === "string" ? request.SignedSystemToken : "";
    const problem = this.checkSignature(signed);
    if (problem) {
      return fail(problem);
    }

    const ticket = `7T:${randomBytes(18).toString("base64url")}`;
    this.issued.set(ticket, { value: ticket, expiresAtMs: this.now() + TICKET_LIFETIME_MS, appToken: this.systemUser.applicationToken });
    const nowSeconds = Math.floor(this.now() / 1000);
    const token = await new SignJWT({
      "http://schemes.superoffice.net/identity/ticket": ticket,
      "http://schemes.superoffice.net/identity/ctx": this.customer,
      "http://schemes.superoffice.net/identity/serial": SERIAL,
      "http://schemes.superoffice.net/identity/associateid": "5",
    })
      .setProtectedHeader({ alg: "RS256", kid: KEY_ID, typ: "JWT" })
      .setIssuer("SuperOffice AS")
      .setAudience(`spn:${SERIAL}`)
      .setIssuedAt(nowSeconds)
      .setNotBefore(nowSeconds - 60)
      .setExpirationTime(nowSeconds + 3600)
      .sign(this.systemUser.signWithUnpublishedKey ? (await generateKeyPair("RS256")).privateKey : this.signingKey);
    return { status: 200, body: { IsSuccessful: true, ErrorMessage: "", Token: token } };
  }

  /** Handles POST /login/common/oauth/tokens with grant_type=refresh_token. */
  tokens(form: URLSearchParams): { status: number; body: unknown } {
    if (!this.oauth) {
      return { status: 400, body: { error: "unsupported_grant_type", error_description: "OAuth is not configured on this stand-in." } };
    }
    if (form.get("grant_type") !== "refresh_token") {
      return { status: 400, body: { error: "unsupported_grant_type" } };
    }
    if (form.get("client_id") !== this.oauth.clientId || form.get("client_secret") !== this.oauth.clientSecret) {
      return { status: 401, body: { error: "invalid_client" } };
    }
    if (form.get("refresh_token") !== this.currentRefreshToken) {
      return { status: 400, body: { error: "invalid_grant", error_description: "The refresh token is invalid or revoked." } };
    }
    const lifetime = this.oauth.accessTokenLifetimeSeconds ?? 3600;
    const accessToken = `8A:${this.customer}.${randomBytes(18).toString("base64url")}`;
    this.issued.set(accessToken, { value: accessToken, expiresAtMs: this.now() + lifetime * 1000, appToken: null });
    const body: Record<string, unknown> = { access_token: accessToken, token_type: "Bearer", expires_in: lifetime, id_token: "not-checked" };
    if (this.oauth.rotateRefreshTokenTo) {
      this.currentRefreshToken = this.oauth.rotateRefreshTokenTo;
      body.refresh_token = this.oauth.rotateRefreshTokenTo;
    }
    return { status: 200, body };
  }

  /** Drops every issued ticket and access token, as if SuperOffice had expired them early. */
  revokeAll(): void {
    this.issued.clear();
  }

  private checkSignature(signed: string): string | null {
    const lastDot = signed.lastIndexOf(".");
    const secondDot = signed.lastIndexOf(".", lastDot - 1);
    if (lastDot < 0 || secondDot < 0) {
      return "SignedSystemToken is not token.timestamp.signature.";
    }
    const token = signed.slice(0, secondDot);
    const stamp = signed.slice(secondDot + 1, lastDot);
    const signature = Buffer.from(signed.slice(lastDot + 1), "base64");
    if (token !== this.systemUser!.systemToken) {
      return "Unknown system user token.";
    }
    if (!verify("sha256", Buffer.from(`${token}.${stamp}`, "utf8"), this.partnerKey!, signature)) {
      return "Signature verification failed.";
    }
    const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(stamp);
    if (!match) {
      return "Timestamp is not yyyyMMddHHmm.";
    }
    const [, year, month, day, hour, minute] = match.map(Number) as number[];
    const stampMs = Date.UTC(year!, month! - 1, day!, hour!, minute!);
    if (Math.abs(stampMs - this.now()) > SIGNATURE_CLOCK_SKEW_MS) {
      return "Timestamp is too far from the server time.";
    }
    return null;
  }
}
