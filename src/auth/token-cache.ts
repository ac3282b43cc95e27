import type { Logger } from "pino";

import type { Clock, IssuedToken } from "./types.js";

/**
 * Tokens are refreshed this long before they expire. One cycle logs in to IMAP and later
 * to SMTP with the same token, and Microsoft and Google issue tokens for 60 to 90 minutes,
 * so five minutes keeps a token valid through a long cycle at the cost of a few extra fetches.
 */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Caches one access token and fetches a new one when it is within REFRESH_MARGIN_MS of expiry.
 * Concurrent callers share a single fetch. When a refresh fails while the cached token has not
 * yet expired, the cached token is returned and the failure is logged, so a short token
 * endpoint outage does not break logins.
 */
export class TokenCache {
  private token: IssuedToken | null = null;
  private pending: Promise<IssuedToken> | null = null;

  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly now: Clock,
    private readonly log: Logger,
  ) {}

  async get(): Promise<string> {
    const current = this.token;
    const nowMs = this.now().getTime();
    if (current && current.expiresAt.getTime() - REFRESH_MARGIN_MS > nowMs) {
      return current.accessToken;
    }

    try {
      const fresh = await this.fetchShared();
      return fresh.accessToken;
    } catch (error) {
      if (current && current.expiresAt.getTime() > this.now().getTime()) {
        this.log.warn(
          { err: error, tokenExpiresAt: current.expiresAt.toISOString() },
          "OAuth token refresh failed; using the cached token until it expires",
        );
        return current.accessToken;
      }
      throw error;
    }
  }

  expiresAt(): Date | null {
    return this.token?.expiresAt ?? null;
  }

  private fetchShared(): Promise<IssuedToken> {
    if (!this.pending) {
      this.pending = this.fetchToken()
        .then((fresh) => {
          this.token = fresh;
          return fresh;
        })
        .finally(() => {
          this.pending = null;
        });
    }
    return this.pending;
  }
}
