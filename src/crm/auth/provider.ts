/** What the client needs from an authentication scheme. */
export interface AuthProvider {
  /** Scheme name for logs: basic, soticket, bearer, systemuser or refreshtoken. */
  readonly type: string;
  /** Returns the headers for one API call (Authorization, SO-AppToken), signing in first when needed. */
  headers(): Promise<Record<string, string>>;
  /**
   * Gets fresh credentials after the server answered 401. Returns false when the scheme has
   * nothing to renew (a fixed password, ticket or token), so the 401 is final.
   */
  renew(): Promise<boolean>;
  /** When the current ticket or access token runs out, or null when unknown or not applicable. */
  expiresAt(): Date | null;
}

/** Dependencies shared by the providers that sign in over HTTP. */
export interface AuthClock {
  now: () => number;
}
