/** Contracts shared by the mailbox OAuth2 token providers. */

/** Source of access tokens for XOAUTH2 logins (IMAP and SMTP). */
export interface TokenProvider {
  /** Returns a valid access token, fetching a new one when the cached one is near expiry. */
  getAccessToken(): Promise<string>;
  /** Expiry of the cached access token, or null before the first fetch. */
  expiresAt(): Date | null;
  /** Non-secret summary for logs, e.g. `microsoft client 1234… tenant contoso.onmicrosoft.com`. */
  describe(): string;
  /** Expiry of the long-lived credential behind the tokens (certificate or refresh token), when known. */
  credentialExpiry(): CredentialExpiry | null;
}

/** Expiry of a long-lived credential that an administrator must renew by hand. */
export interface CredentialExpiry {
  kind: "certificate" | "refresh-token";
  expiresAt: Date;
}

/** Current time; injected so that tests can advance it. */
export type Clock = () => Date;

/** An access token with its absolute expiry. */
export interface IssuedToken {
  accessToken: string;
  expiresAt: Date;
}
