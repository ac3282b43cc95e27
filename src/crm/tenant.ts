import type { AxiosInstance } from "axios";
import { LeaddError } from "../errors.js";
import { parseSiteUrl, type SiteLocation } from "./base-url.js";
import { crmError, networkFailure, statusFailure } from "./http.js";

/** Body of GET https://{env}.superoffice.com/api/state/{CustNNNNN}. */
export interface TenantState {
  ContextIdentifier: string;
  /** Root of the installation, such as https://sod2.superoffice.com/Cust12345; it changes when the tenant moves. */
  Endpoint?: string;
  /** Running, OnlineMaintenance, OfflineMaintenance, Suspended, … */
  State: string;
  IsRunning: boolean;
  ValidUntil?: string;
  /** REST base, such as https://sod2.superoffice.com/Cust12345/api. */
  Api: string;
}

/**
 * Looks up where a SuperOffice Online tenant lives now. Throws CRM_UNAVAILABLE when the state
 * service cannot be reached or the tenant is not running (maintenance, suspended).
 */
export async function lookupTenant(
  http: AxiosInstance,
  stateUrl: string,
  timeoutMs: number,
  nowMs: number,
): Promise<{ state: TenantState; site: SiteLocation }> {
  let response;
  try {
    response = await http.get(stateUrl);
  } catch (error) {
    const failure = networkFailure(error, "GET", stateUrl, timeoutMs);
    failure.message = `${failure.message} The tenant state service is set by superoffice.stateUrl, or derived from superoffice.url.`;
    throw failure;
  }
  if (response.status !== 200) {
    throw statusFailure(response, "GET", stateUrl, nowMs);
  }

  const state = response.data as Partial<TenantState> | null;
  if (state === null || typeof state !== "object" || typeof state.Api !== "string") {
    throw crmError(
      "CRM_BAD_RESPONSE",
      `The tenant state service at ${stateUrl} returned no Api URL. Check superoffice.url and superoffice.stateUrl.`,
      { retryable: true, sendUnknown: false },
    );
  }
  if (state.IsRunning !== true) {
    throw crmError(
      "CRM_UNAVAILABLE",
      `SuperOffice tenant ${state.ContextIdentifier ?? stateUrl} is not running (state ${state.State ?? "unknown"}). Maintenance windows can last hours; leadd retries in the next cycles.`,
      { retryable: false, sendUnknown: false },
    );
  }

  let site: SiteLocation;
  try {
    site = parseSiteUrl(state.Api);
  } catch (error) {
    throw new LeaddError("CRM_BAD_RESPONSE", `The tenant state service at ${stateUrl} returned an unreadable Api URL "${state.Api}".`, {
      cause: error,
      details: { retryable: false, sendUnknown: false },
    });
  }
  return { state: state as TenantState, site };
}
