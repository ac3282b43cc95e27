/**
 * Options of the SuperOffice client: the `superoffice` block of the config file, after
 * `${NAME}` substitution and `…File` keys have been read into the key without the suffix.
 */
export type SuperOfficeAuthOptions =
  | { type: "basic"; user: string; password: string }
  | { type: "soticket"; ticket: string }
  | { type: "bearer"; token: string }
  | {
      type: "systemuser";
      systemToken: string;
      /** PEM RSA private key of the partner application (from `privateKeyFile`). */
      privateKey: string;
      /** Application secret; also sent as SO-AppToken unless `appToken` is set. */
      clientSecret: string;
      /** Tenant id such as Cust12345; taken from `url` when absent. */
      contextIdentifier?: string;
    }
  | { type: "refreshtoken"; clientId: string; clientSecret: string; refreshToken: string };

export interface SuperOfficeRetryOptions {
  /** Total tries per call, the first one included. */
  attempts: number;
  baseDelayMs: number;
  /** Cap of one wait, Retry-After included. */
  maxDelayMs: number;
}

export interface SuperOfficeOptions {
  /** Site URL such as https://online.superoffice.com/Cust12345; a trailing /api or /api/v1 is accepted. */
  url: string;
  auth: SuperOfficeAuthOptions;
  /** Sent as SO-AppToken when set. */
  appToken?: string | null;
  timeoutMs: number;
  tlsRejectUnauthorized: boolean;
  retry: SuperOfficeRetryOptions;
  circuitBreaker: { failures: number };
  /**
   * false = a GenerateLead call whose result is unknown (timeout, reset, 500/502/504) is not
   * sent again within the call, because SuperOffice may already have made the lead.
   */
  retryUnknownSends?: boolean;
  /** Base of the tenant state service, e.g. https://sod.superoffice.com; derived from `url` when absent. */
  stateUrl?: string | null;
  /** Base of the SuperOffice Online login service, e.g. https://online.superoffice.com; derived from `url` when absent. */
  loginUrl?: string | null;
}

/** Defaults of the optional keys, as documented in the example config. */
export const SUPEROFFICE_DEFAULTS = {
  timeoutMs: 30_000,
  tlsRejectUnauthorized: true,
  retry: { attempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 },
  circuitBreaker: { failures: 5 },
  retryUnknownSends: false,
} as const;
