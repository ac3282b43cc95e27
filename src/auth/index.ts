import type { Logger } from "pino";

import { LeaddError } from "../errors.js";
import type { MailAuthConfig } from "./config.js";
import { GoogleRefreshTokenProvider, GoogleServiceAccountProvider } from "./google.js";
import { MicrosoftProvider } from "./microsoft.js";
import type { Clock, TokenProvider } from "./types.js";

export type { MailAuthConfig } from "./config.js";
export type { Clock, CredentialExpiry, TokenProvider } from "./types.js";

export interface TokenProviderContext {
  /** Config path of the auth block, e.g. `mailboxes[0].imap.auth`, for error messages. */
  configPath: string;
  now?: Clock;
  timeoutMs?: number;
}

/**
 * Creates the token provider for an `imap.auth` or `replies.smtp.auth` block, or returns null
 * for password logins (type `password` or no block). `user` is the mailbox that logs in; Google
 * service accounts impersonate it.
 */
export function createTokenProvider(
  authConfig: MailAuthConfig | undefined,
  user: string,
  log: Logger,
  context: TokenProviderContext,
): TokenProvider | null {
  if (!authConfig || authConfig.type === "password") {
    return null;
  }

  const providerLog = log.child({ component: "oauth", provider: authConfig.type });
  const common = { configPath: context.configPath, now: context.now, timeoutMs: context.timeoutMs };

  if (authConfig.type === "microsoft") {
    return new MicrosoftProvider({ ...authConfig, ...common }, providerLog);
  }

  if (authConfig.serviceAccount !== undefined) {
    return new GoogleServiceAccountProvider({ serviceAccount: authConfig.serviceAccount, user, tokenUrl: authConfig.tokenUrl, ...common }, providerLog);
  }
  if (authConfig.clientId && authConfig.clientSecret && authConfig.refreshToken) {
    return new GoogleRefreshTokenProvider(
      {
        clientId: authConfig.clientId,
        clientSecret: authConfig.clientSecret,
        refreshToken: authConfig.refreshToken,
        user,
        tokenUrl: authConfig.tokenUrl,
        ...common,
      },
      providerLog,
    );
  }
  throw new LeaddError(
    "CONFIG_INVALID",
    `${context.configPath}: type google needs serviceAccountFile, or clientId, clientSecret and refreshToken.`,
  );
}
