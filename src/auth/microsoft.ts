import { AuthError, ConfidentialClientApplication, LogLevel, type Configuration } from "@azure/msal-node";
import type { Logger } from "pino";

import { LeaddError } from "../errors.js";
import { loadClientCertificate, type ClientCertificate } from "./certificate.js";
import { TimedNetworkClient } from "./msal-network.js";
import { TokenCache } from "./token-cache.js";
import { oauthError, TOKEN_REQUEST_TIMEOUT_MS, type ErrorHints } from "./token-endpoint.js";
import type { Clock, CredentialExpiry, IssuedToken, TokenProvider } from "./types.js";

/** Scope of the Exchange Online resource, which covers the IMAP.AccessAsApp and SMTP.SendAsApp permissions. */
export const OUTLOOK_SCOPE = "https://outlook.office365.com/.default";

/** Microsoft Entra ID sign-in host of the global cloud. */
export const MICROSOFT_AUTHORITY_HOST = "https://login.microsoftonline.com";

export interface MicrosoftOptions {
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  /** PEM text with the private key, optionally followed by its certificate. */
  certificate?: string;
  /** SHA-1 or SHA-256 hex thumbprint, optional when `certificate` contains the certificate. */
  certificateThumbprint?: string;
  /** Sign-in host for national clouds, e.g. `https://login.microsoftonline.us`. */
  authorityHost?: string;
  /**
   * Token endpoint to POST to in place of the one msal-node derives from the authority.
   * With it, msal-node makes no discovery requests, so an endpoint on 127.0.0.1 can stand in.
   */
  tokenUrl?: string;
  /** Config path of the auth block, for error messages. */
  configPath: string;
  now?: Clock;
  timeoutMs?: number;
}

/** Hints per AADSTS code, for the Entra ID errors an administrator meets when setting up. */
const AADSTS_HINTS: Record<string, string> = {
  "7000215": "The client secret is wrong: use the secret's Value, not its Secret ID.",
  "7000222": "The client secret has expired: create a new one in the app registration and update clientSecret.",
  "700016": "No application with this clientId exists in the tenant: check clientId and tenantId.",
  "90002": "The tenant was not found: check tenantId (a GUID or a domain such as contoso.onmicrosoft.com).",
  "700027": "The certificate is not registered for this app or the thumbprint is wrong: upload the certificate to the app registration.",
  "7000274": "The certificate is not registered for this app: upload it to the app registration's Certificates & secrets page.",
};

/** Fetches Exchange Online tokens with the client-credentials grant (app-only access). */
export class MicrosoftProvider implements TokenProvider {
  private readonly app: ConfidentialClientApplication;
  private readonly network: TimedNetworkClient;
  private readonly certificate: ClientCertificate | null;
  private readonly cache: TokenCache;
  private readonly now: Clock;
  private readonly hints: ErrorHints;
  private readonly endpointLabel: string;

  constructor(
    private readonly options: MicrosoftOptions,
    log: Logger,
  ) {
    const hasSecret = options.clientSecret !== undefined && options.clientSecret !== "";
    const hasCertificate = options.certificate !== undefined && options.certificate !== "";
    if (hasSecret === hasCertificate) {
      throw new LeaddError(
        "CONFIG_INVALID",
        `${options.configPath}: set either clientSecret or certificateFile (with certificateThumbprint) for type microsoft, not ${hasSecret ? "both" : "neither"}.`,
      );
    }

    this.now = options.now ?? (() => new Date());
    this.network = new TimedNetworkClient(options.timeoutMs ?? TOKEN_REQUEST_TIMEOUT_MS);
    this.certificate = hasCertificate
      ? loadClientCertificate(options.certificate as string, options.certificateThumbprint, options.configPath)
      : null;

    const authorityHost = (options.authorityHost ?? MICROSOFT_AUTHORITY_HOST).replace(/\/+$/, "");
    this.endpointLabel = options.tokenUrl ?? `${authorityHost}/${options.tenantId}`;
    this.app = new ConfidentialClientApplication(this.buildConfiguration(authorityHost, log));
    this.cache = new TokenCache(() => this.fetchToken(), this.now, log);
    this.hints = {
      invalid_client: `Check ${options.configPath}.clientId, tenantId and the ${hasSecret ? "client secret" : "certificate"}.`,
      unauthorized_client: "Check that the app registration is enabled and has admin consent for IMAP.AccessAsApp.",
      invalid_scope: `Check that the app has the Office 365 Exchange Online application permissions for ${OUTLOOK_SCOPE}.`,
      default: `Check ${options.configPath}: tenantId, clientId and the ${hasSecret ? "client secret" : "certificate"}.`,
    };
  }

  getAccessToken(): Promise<string> {
    return this.cache.get();
  }

  expiresAt(): Date | null {
    return this.cache.expiresAt();
  }

  describe(): string {
    const credential = this.certificate ? `certificate ${this.certificate.thumbprint.slice(0, 8)}…` : "client secret";
    return `microsoft client ${this.options.clientId} tenant ${this.options.tenantId} (${credential})`;
  }

  credentialExpiry(): CredentialExpiry | null {
    return this.certificate?.notAfter ? { kind: "certificate", expiresAt: this.certificate.notAfter } : null;
  }

  private buildConfiguration(authorityHost: string, log: Logger): Configuration {
    const options = this.options;
    const auth: Configuration["auth"] = { clientId: options.clientId, authority: `${authorityHost}/${options.tenantId}` };

    if (this.certificate) {
      auth.clientCertificate =
        this.certificate.algorithm === "sha1"
          ? { thumbprint: this.certificate.thumbprint, privateKey: this.certificate.privateKey }
          : { thumbprintSha256: this.certificate.thumbprint, privateKey: this.certificate.privateKey };
    } else {
      auth.clientSecret = options.clientSecret;
    }

    if (options.tokenUrl) {
      // msal-node only accepts https authorities and otherwise fetches cloud discovery and
      // OpenID metadata first. Handing it both documents makes the token POST its only request.
      const host = new URL(options.tokenUrl).host;
      const authority = `https://${host}/${options.tenantId}`;
      auth.authority = authority;
      auth.knownAuthorities = [host];
      auth.cloudDiscoveryMetadata = JSON.stringify({
        tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
        "api-version": "1.1",
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      });
      auth.authorityMetadata = JSON.stringify({
        token_endpoint: options.tokenUrl,
        issuer: `${authority}/v2.0`,
        authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
        jwks_uri: `${authority}/discovery/v2.0/keys`,
      });
    }

    return {
      auth,
      system: {
        networkClient: this.network,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (_level, message) => log.debug({ component: "msal" }, message),
        },
      },
    };
  }

  private async fetchToken(): Promise<IssuedToken> {
    const requestedAt = this.now();
    let result;
    try {
      // skipCache because this provider's TokenCache decides when to refresh, on the injected clock.
      result = await this.app.acquireTokenByClientCredential({ scopes: [OUTLOOK_SCOPE], skipCache: true });
    } catch (error) {
      throw this.toLeaddError(error);
    }
    if (!result?.accessToken) {
      throw new LeaddError("OAUTH_FAILED", `microsoft token request to ${this.endpointLabel} returned no access token. ${this.hints.default}`, {
        details: { provider: "microsoft", step: "token-response" },
      });
    }

    // msal-node computes expiresOn from the real clock; the lifetime is re-based on the
    // injected clock so that refresh timing follows it.
    const lifetimeMs = result.expiresOn ? result.expiresOn.getTime() - Date.now() : 0;
    return { accessToken: result.accessToken, expiresAt: new Date(requestedAt.getTime() + Math.max(lifetimeMs, 0)) };
  }

  private toLeaddError(error: unknown): LeaddError {
    const failure = this.network.lastFailure;
    if (failure) {
      return new LeaddError(
        "OAUTH_FAILED",
        `microsoft token endpoint ${withoutQuery(failure.url)} is unreachable: the request ${failure.reason}. ` +
          "Check DNS, the firewall and any HTTPS proxy between this host and the endpoint.",
        { cause: failure.error, details: { provider: "microsoft", step: "token-endpoint-unreachable" } },
      );
    }

    if (error instanceof AuthError) {
      const aadsts = /AADSTS(\d+)/.exec(error.errorMessage)?.[1];
      // The same app may sign in to IMAP and SMTP, so the hint names the config block to fix.
      const aadstsHint = aadsts && AADSTS_HINTS[aadsts] ? `${AADSTS_HINTS[aadsts]} Fix it in ${this.options.configPath}.` : undefined;
      const hints = aadstsHint ? { ...this.hints, [error.errorCode]: aadstsHint } : this.hints;
      const status = (error as { status?: number }).status;
      // msal-node prefixes the server's description with "Error(s): … - Description: ".
      const description = error.errorMessage.replace(/^Error\(s\):[\s\S]*?Description:\s*/, "");
      const converted = oauthError("microsoft", this.endpointLabel, status, error.errorCode, description, hints);
      return new LeaddError(converted.code, converted.message, { cause: error, details: { ...converted.details, aadsts } });
    }

    return new LeaddError("OAUTH_FAILED", `microsoft token request to ${this.endpointLabel} failed: ${String(error)}. ${this.hints.default}`, {
      cause: error,
      details: { provider: "microsoft", step: "token-grant" },
    });
  }
}

/** Drops the query string msal-node adds (client-request-id), which only clutters a message. */
function withoutQuery(url: string): string {
  const index = url.indexOf("?");
  return index < 0 ? url : url.slice(0, index);
}
