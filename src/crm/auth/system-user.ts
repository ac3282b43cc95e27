import { createPrivateKey, sign, type KeyObject } from "node:crypto";
import type { AxiosInstance } from "axios";
import { createRemoteJWKSet, customFetch, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import type { Logger } from "pino";
import { LeaddError } from "../../errors.js";
import { crmError, statusFailure } from "../http.js";
import { describeErrorBody } from "../response.js";
import { fingerprint } from "./fingerprint.js";
import { loginServiceFailure } from "./login-failure.js";
import type { AuthClock, AuthProvider } from "./provider.js";

/** A system user ticket lives 6 hours (each use extends it, which leadd does not rely on). */
export const SYSTEM_USER_TICKET_LIFETIME_MS = 6 * 60 * 60 * 1000;
/** Renew 10 minutes before the 6 hours run out, so no call goes out with a ticket about to expire. */
export const SYSTEM_USER_TICKET_RENEW_AFTER_MS = 5 * 60 * 60 * 1000 + 50 * 60 * 1000;

/** JWT claim that carries the system user ticket. */
export const TICKET_CLAIM = "http://schemes.superoffice.net/identity/ticket";
const CONTEXT_CLAIM = "http://schemes.superoffice.net/identity/ctx";
/** Database serial; the token's audience is "spn:" plus this value. */
const SERIAL_CLAIM = "http://schemes.superoffice.net/identity/serial";
/** Issuer of system user tokens, per SuperOffice's SystemUser client library. */
const SYSTEM_USER_ISSUER = "SuperOffice AS";

export interface SystemUserSettings {
  systemToken: string;
  privateKey: string;
  clientSecret: string;
  contextIdentifier: string;
  /** SO-AppToken header; the client secret when not configured separately. */
  appToken: string;
  /** Base of the login service, such as https://online.superoffice.com. */
  loginBase: string;
  timeoutMs: number;
}

/**
 * SuperOffice Online system user flow: sign "{systemToken}.{yyyyMMddHHmm UTC}" with the
 * partner's RSA key, exchange it for a JWT at PartnerSystemUser/Authenticate, verify the JWT
 * against the login service's JWKS, and send the ticket it carries as `SOTicket`.
 */
export class SystemUserAuth implements AuthProvider {
  readonly type = "systemuser";
  private readonly key: KeyObject;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private ticket: string | null = null;
  private obtainedAt = 0;
  private pending: Promise<void> | null = null;

  constructor(
    private readonly settings: SystemUserSettings,
    private readonly http: AxiosInstance,
    private readonly clock: AuthClock,
    private readonly log: Logger,
  ) {
    try {
      this.key = createPrivateKey(settings.privateKey);
    } catch (error) {
      throw new LeaddError(
        "CONFIG_INVALID",
        "superoffice.auth.privateKeyFile does not contain a readable PEM RSA private key. Export the partner key as PEM (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY).",
        { cause: new Error(error instanceof Error ? error.message : String(error)) },
      );
    }
    if (this.key.asymmetricKeyType !== "rsa") {
      throw new LeaddError("CONFIG_INVALID", `superoffice.auth.privateKeyFile holds a ${this.key.asymmetricKeyType} key; the system user flow needs an RSA key.`);
    }
    this.jwks = createRemoteJWKSet(new URL(`${settings.loginBase}/Login/.well-known/jwks`), {
      timeoutDuration: settings.timeoutMs,
      [customFetch]: (url: string) => this.fetchJwks(url),
    });
  }

  async headers(): Promise<Record<string, string>> {
    if (this.ticket === null || this.clock.now() - this.obtainedAt >= SYSTEM_USER_TICKET_RENEW_AFTER_MS) {
      await this.authenticateOnce();
    }
    return { Authorization: `SOTicket ${this.ticket!}`, "SO-AppToken": this.settings.appToken };
  }

  async renew(): Promise<boolean> {
    this.ticket = null;
    await this.authenticateOnce();
    return true;
  }

  expiresAt(): Date | null {
    return this.ticket === null ? null : new Date(this.obtainedAt + SYSTEM_USER_TICKET_LIFETIME_MS);
  }

  /** Shares one sign-in between calls that need a ticket at the same time. */
  private async authenticateOnce(): Promise<void> {
    this.pending ??= this.authenticate().finally(() => {
      this.pending = null;
    });
    await this.pending;
  }

  private async authenticate(): Promise<void> {
    const url = `${this.settings.loginBase}/Login/api/PartnerSystemUser/Authenticate`;
    const now = this.clock.now();
    const body = {
      SignedSystemToken: signSystemToken(this.settings.systemToken, this.key, new Date(now)),
      ApplicationToken: this.settings.clientSecret,
      ContextIdentifier: this.settings.contextIdentifier,
      ReturnTokenType: "JWT",
    };

    let response;
    try {
      response = await this.http.post(url, body, { headers: { "Content-Type": "application/json" } });
    } catch (error) {
      throw loginServiceFailure(error, "POST", url, this.settings.timeoutMs);
    }
    if (response.status !== 200) {
      const failure = statusFailure(response, "POST", url, now);
      if (failure.code === "CRM_REJECTED" || failure.code === "CRM_AUTH_FAILED") {
        throw authFailed(`${failure.message} Check superoffice.auth.systemToken, clientSecret and privateKeyFile.`, response.status);
      }
      throw failure;
    }

    const result = response.data as { IsSuccessful?: unknown; Token?: unknown; ErrorMessage?: unknown } | null;
    if (result === null || typeof result !== "object" || result.IsSuccessful !== true || typeof result.Token !== "string") {
      // The sentence goes on after the reason, so the server's closing period is dropped.
      const reason = (describeErrorBody(result === null ? null : { ErrorMessage: result.ErrorMessage }) ?? "no reason given").replace(/[\s.]+$/, "");
      throw authFailed(
        `SuperOffice system user sign-in failed at ${url} for ${this.settings.contextIdentifier}: ${reason}. Check superoffice.auth.systemToken, clientSecret and privateKeyFile, and that the application is approved for the tenant.`,
        response.status,
      );
    }

    const payload = await this.verify(result.Token, url);
    const ticket = payload[TICKET_CLAIM];
    if (typeof ticket !== "string" || ticket === "") {
      throw authFailed(`The system user token from ${url} has no ticket claim (${TICKET_CLAIM}).`, response.status);
    }
    this.ticket = ticket;
    this.obtainedAt = now;
    this.log.info(
      { auth: this.type, ticket: fingerprint(ticket), expiresAt: this.expiresAt()?.toISOString() },
      "SuperOffice system user ticket obtained",
    );
  }

  private async verify(token: string, url: string): Promise<JWTPayload> {
    let serial: unknown;
    try {
      serial = decodeJwt(token)[SERIAL_CLAIM];
    } catch (error) {
      throw authFailed(`The system user token from ${url} is not a readable JWT.`, 200, error);
    }
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: SYSTEM_USER_ISSUER,
        audience: typeof serial === "string" ? `spn:${serial}` : undefined,
        algorithms: ["RS256"],
        currentDate: new Date(this.clock.now()),
      });
      const context = payload[CONTEXT_CLAIM];
      if (typeof context === "string" && context.toLowerCase() !== this.settings.contextIdentifier.toLowerCase()) {
        throw authFailed(`The system user token from ${url} is for tenant ${context}, not ${this.settings.contextIdentifier}.`, 200);
      }
      return payload;
    } catch (error) {
      if (error instanceof LeaddError) {
        throw error;
      }
      if (error instanceof joseErrors.JWKSTimeout) {
        throw crmError("CRM_UNAVAILABLE", `Fetching the SuperOffice signing keys from ${this.settings.loginBase}/Login/.well-known/jwks timed out.`, {
          retryable: true,
          sendUnknown: false,
        });
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw authFailed(`The system user token from ${url} failed verification: ${reason}.`, 200, error);
    }
  }

  /** Fetches the JWKS with the client's axios instance, so timeouts and TLS settings apply. */
  private async fetchJwks(url: string): Promise<Response> {
    let response;
    try {
      response = await this.http.get(url, { responseType: "text", transformResponse: (data: unknown) => data });
    } catch (error) {
      throw loginServiceFailure(error, "GET", url, this.settings.timeoutMs);
    }
    return new Response(String(response.data), {
      status: response.status,
      headers: { "content-type": "application/json" },
    });
  }
}

/**
 * Signs a system user token as SuperOffice expects: "{token}.{yyyyMMddHHmm}" in UTC, signed
 * with RSA-SHA256, and the base64 signature appended after another dot.
 */
export function signSystemToken(systemToken: string, key: KeyObject | string, at: Date): string {
  const data = `${systemToken}.${formatUtcMinute(at)}`;
  const signature = sign("sha256", Buffer.from(data, "utf8"), key).toString("base64");
  return `${data}.${signature}`;
}

/** Formats a time as yyyyMMddHHmm in UTC. */
export function formatUtcMinute(at: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}`;
}

function authFailed(message: string, status: number, cause?: unknown): LeaddError {
  const plainCause = cause === undefined ? undefined : new Error(cause instanceof Error ? cause.message : String(cause));
  return crmError("CRM_AUTH_FAILED", message, { retryable: false, sendUnknown: false, status }, plainCause);
}
