import type { AxiosInstance } from "axios";
import type { Logger } from "pino";
import { crmError, statusFailure } from "../http.js";
import { describeErrorBody } from "../response.js";
import { fingerprint } from "./fingerprint.js";
import { loginServiceFailure } from "./login-failure.js";
import type { AuthClock, AuthProvider } from "./provider.js";

/** Refresh this long before the access token expires, so a slow call does not outlive it. */
export const ACCESS_TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;
/** SuperOffice access tokens live one hour; used when the token response has no expires_in. */
export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

export interface RefreshTokenSettings {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** SO-AppToken header, when configured. */
  appToken: string | null;
  /** Base of the login service, such as https://online.superoffice.com. */
  loginBase: string;
  timeoutMs: number;
}

/**
 * OAuth refresh-token grant against SuperOffice Online's token endpoint. The access token goes
 * out as `Bearer`. A new refresh token in a response replaces the old one for this process only.
 */
export class RefreshTokenAuth implements AuthProvider {
  readonly type = "refreshtoken";
  private accessToken: string | null = null;
  private expiresAtMs = 0;
  private refreshToken: string;
  private pending: Promise<void> | null = null;

  constructor(
    private readonly settings: RefreshTokenSettings,
    private readonly http: AxiosInstance,
    private readonly clock: AuthClock,
    private readonly log: Logger,
  ) {
    this.refreshToken = settings.refreshToken;
  }

  async headers(): Promise<Record<string, string>> {
    if (this.accessToken === null || this.clock.now() >= this.expiresAtMs - ACCESS_TOKEN_REFRESH_MARGIN_MS) {
      await this.refreshOnce();
    }
    const headers: Record<string, string> = { Authorization: `Bearer ${this.accessToken!}` };
    if (this.settings.appToken) {
      headers["SO-AppToken"] = this.settings.appToken;
    }
    return headers;
  }

  async renew(): Promise<boolean> {
    this.accessToken = null;
    await this.refreshOnce();
    return true;
  }

  expiresAt(): Date | null {
    return this.accessToken === null ? null : new Date(this.expiresAtMs);
  }

  private async refreshOnce(): Promise<void> {
    this.pending ??= this.refresh().finally(() => {
      this.pending = null;
    });
    await this.pending;
  }

  private async refresh(): Promise<void> {
    const url = `${this.settings.loginBase}/login/common/oauth/tokens`;
    const now = this.clock.now();
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      client_id: this.settings.clientId,
      client_secret: this.settings.clientSecret,
      refresh_token: this.refreshToken,
    });

    let response;
    try {
      response = await this.http.post(url, form.toString(), {
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      });
    } catch (error) {
      throw loginServiceFailure(error, "POST", url, this.settings.timeoutMs);
    }
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      throw crmError(
        "CRM_AUTH_FAILED",
        `SuperOffice refused the refresh token at ${url} (HTTP ${response.status}): ${describeErrorBody(response.data) ?? "no reason given"}. Check superoffice.auth.clientId and clientSecret, or sign in again to get a new refresh token.`,
        { retryable: false, sendUnknown: false, status: response.status },
      );
    }
    if (response.status !== 200) {
      throw statusFailure(response, "POST", url, now);
    }

    const body = response.data as { access_token?: unknown; expires_in?: unknown; refresh_token?: unknown } | null;
    if (body === null || typeof body !== "object" || typeof body.access_token !== "string" || body.access_token === "") {
      throw crmError("CRM_AUTH_FAILED", `The token response from ${url} has no access_token.`, {
        retryable: false,
        sendUnknown: false,
        status: response.status,
      });
    }
    const lifetimeSeconds = Number(body.expires_in);
    const seconds = Number.isFinite(lifetimeSeconds) && lifetimeSeconds > 0 ? lifetimeSeconds : DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS;
    this.accessToken = body.access_token;
    this.expiresAtMs = now + seconds * 1000;
    // NOTE: a rotated refresh token is kept in memory only, so after a restart the configured one is sent again.
    if (typeof body.refresh_token === "string" && body.refresh_token !== "") {
      this.refreshToken = body.refresh_token;
    }
    this.log.info(
      { auth: this.type, accessToken: fingerprint(body.access_token), expiresAt: new Date(this.expiresAtMs).toISOString() },
      "SuperOffice access token refreshed",
    );
  }
}
