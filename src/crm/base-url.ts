import { LeaddError } from "../errors.js";

/** SuperOffice Online hosts: environment name plus an optional load-balancing number (sod2, online3). */
const ONLINE_HOST = /^(sod|qaonline|stage|online)(\d*)\.superoffice\.com$/i;
const CONTEXT_IDENTIFIER = /^Cust\d+$/i;

/** Where one SuperOffice installation lives, derived from the configured URL. */
export interface SiteLocation {
  /** Site URL without trailing slash, /api or /api/v1, e.g. https://online.superoffice.com/Cust12345. */
  siteUrl: string;
  /** REST base, the site URL plus /api; request paths start with /v1/. */
  apiBase: string;
  /** Tenant id such as Cust12345 when the last path segment is one, else null. */
  contextIdentifier: string | null;
  /** Online environment (sod, qaonline, stage, online) when the host is a SuperOffice Online one, else null. */
  onlineEnvironment: string | null;
}

/**
 * Normalises a configured SuperOffice URL. Accepts the site URL with or without a trailing
 * slash, /api or /api/v1, and drops query and fragment.
 */
export function parseSiteUrl(input: string): SiteLocation {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch (error) {
    throw new LeaddError(
      "CONFIG_INVALID",
      `superoffice.url "${input}" is not a valid URL. Use the site URL, such as https://online.superoffice.com/Cust12345.`,
      { cause: error },
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new LeaddError("CONFIG_INVALID", `superoffice.url "${input}" must start with https:// or http://.`);
  }

  const segments = url.pathname.split("/").filter((segment) => segment !== "");
  const last = segments.at(-1)?.toLowerCase();
  if (last === "v1" && segments.at(-2)?.toLowerCase() === "api") {
    segments.splice(-2);
  } else if (last === "api") {
    segments.splice(-1);
  }

  const path = segments.length > 0 ? `/${segments.join("/")}` : "";
  const siteUrl = `${url.protocol}//${url.host}${path}`;
  const lastSegment = segments.at(-1) ?? "";
  const onlineMatch = ONLINE_HOST.exec(url.hostname);
  const location: SiteLocation = {
    siteUrl,
    apiBase: `${siteUrl}/api`,
    contextIdentifier: CONTEXT_IDENTIFIER.test(lastSegment) ? lastSegment : null,
    onlineEnvironment: onlineMatch?.[1]?.toLowerCase() ?? null,
  };

  if (isSuperOfficeOnline(url.hostname) && location.contextIdentifier === null) {
    throw new LeaddError(
      "CONFIG_INVALID",
      `superoffice.url "${input}" has no tenant id. SuperOffice Online URLs end with the tenant, such as https://online.superoffice.com/Cust12345.`,
    );
  }
  return location;
}

/** Tells whether a host name belongs to SuperOffice Online, where tenants move between hosts. */
export function isSuperOfficeOnline(hostname: string): boolean {
  return hostname.toLowerCase().endsWith(".superoffice.com");
}

/**
 * Returns the base of the SuperOffice Online services for a site: https://{env}.superoffice.com
 * (the host without its number, because numbered hosts serve only tenants). Other hosts keep
 * their own origin, which is where an onsite installation or a local stand-in serves them.
 */
export function serviceBaseFor(siteUrl: string, override?: string | null): string {
  if (override) {
    return override.replace(/\/+$/, "");
  }
  const url = new URL(siteUrl);
  const onlineMatch = ONLINE_HOST.exec(url.hostname);
  if (onlineMatch) {
    return `https://${onlineMatch[1]!.toLowerCase()}.superoffice.com`;
  }
  return url.origin;
}

/** Returns the tenant state URL, such as https://online.superoffice.com/api/state/Cust12345. */
export function stateUrlFor(site: SiteLocation, override?: string | null): string | null {
  if (site.contextIdentifier === null) {
    return null;
  }
  return `${serviceBaseFor(site.siteUrl, override)}/api/state/${site.contextIdentifier}`;
}

/** Converts the `Api` value of a tenant state response (…/Cust12345/api) into a site location. */
export function siteFromApiUrl(api: string): SiteLocation {
  return parseSiteUrl(api);
}
