import type { AxiosInstance } from "axios";
import type { Logger } from "pino";
import { LeaddError } from "../../errors.js";
import type { SiteLocation } from "../base-url.js";
import type { SuperOfficeOptions } from "../options.js";
import type { AuthClock, AuthProvider } from "./provider.js";
import { RefreshTokenAuth } from "./refresh-token.js";
import { createStaticAuth } from "./static.js";
import { SystemUserAuth } from "./system-user.js";

export type { AuthProvider } from "./provider.js";

/** Creates the provider for `superoffice.auth.type`. */
export function createAuthProvider(
  options: SuperOfficeOptions,
  site: SiteLocation,
  loginBase: string,
  http: AxiosInstance,
  clock: AuthClock,
  log: Logger,
): AuthProvider {
  const auth = options.auth;
  const appToken = options.appToken ?? null;
  switch (auth.type) {
    case "basic":
    case "soticket":
    case "bearer":
      return createStaticAuth(auth, appToken);
    case "systemuser": {
      const contextIdentifier = auth.contextIdentifier ?? site.contextIdentifier;
      if (!contextIdentifier) {
        throw new LeaddError(
          "CONFIG_INVALID",
          `superoffice.auth.contextIdentifier is missing and superoffice.url "${options.url}" does not end with a tenant id such as Cust12345.`,
        );
      }
      return new SystemUserAuth(
        {
          systemToken: auth.systemToken,
          privateKey: auth.privateKey,
          clientSecret: auth.clientSecret,
          contextIdentifier,
          appToken: appToken ?? auth.clientSecret,
          loginBase,
          timeoutMs: options.timeoutMs,
        },
        http,
        clock,
        log,
      );
    }
    case "refreshtoken":
      return new RefreshTokenAuth(
        {
          clientId: auth.clientId,
          clientSecret: auth.clientSecret,
          refreshToken: auth.refreshToken,
          appToken,
          loginBase,
          timeoutMs: options.timeoutMs,
        },
        http,
        clock,
        log,
      );
  }
}
