import https from "node:https";
import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import { LeaddError, type LeaddErrorCode } from "../errors.js";
import { describeErrorBody } from "./response.js";
import { parseRetryAfter } from "./retry.js";

/** Fields every CRM_* error from this module carries in `details`; the retry loop reads them. */
export interface CrmFailureDetails {
  /** true = trying the same call again may succeed. */
  retryable: boolean;
  /** true = the server may have processed the request although the call failed. */
  sendUnknown: boolean;
  status?: number;
  retryAfterMs?: number | null;
  /** Network error code such as ECONNRESET or ECONNABORTED. */
  networkCode?: string;
}

/** Network error codes that mean the request never reached the server. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ERR_INVALID_URL"]);
/** Certificate failures: retrying cannot help, the operator must fix the certificate or the trust settings. */
const TLS_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_)/;

/** Creates the axios instance for all SuperOffice calls; statuses are checked by the caller. */
export function createHttp(options: { timeoutMs: number; tlsRejectUnauthorized: boolean }): AxiosInstance {
  return axios.create({
    timeout: options.timeoutMs,
    httpsAgent: new https.Agent({ rejectUnauthorized: options.tlsRejectUnauthorized, keepAlive: true }),
    validateStatus: () => true,
    maxRedirects: 0,
    headers: { Accept: "application/json" },
  });
}

/**
 * Turns an axios network error into a LeaddError. The cause is a fresh Error holding only the
 * code and message, because an AxiosError carries the request config with its Authorization
 * header, and a logger serialising the cause chain would print it.
 */
export function networkFailure(error: unknown, method: string, url: string, timeoutMs: number): LeaddError {
  const code = errorCode(error);
  const cause = new Error(error instanceof Error ? error.message : String(error));
  Object.assign(cause, { code });

  if (code !== undefined && TLS_CODE.test(code)) {
    return crmError(
      "CRM_UNAVAILABLE",
      `TLS check failed for ${method} ${url}: ${code}. Install the server's CA certificate, or set superoffice.tlsRejectUnauthorized to false for a test server.`,
      { retryable: false, sendUnknown: false, networkCode: code },
      cause,
    );
  }
  if (code === "ECONNABORTED" || code === "ETIMEDOUT" || code === "ERR_CANCELED") {
    return crmError(
      "CRM_UNAVAILABLE",
      `${method} ${url} timed out after ${timeoutMs} ms. Check that SuperOffice is reachable, or raise superoffice.timeoutMs.`,
      { retryable: true, sendUnknown: true, networkCode: code },
      cause,
    );
  }
  const sent = code === undefined || !NOT_SENT_CODES.has(code);
  return crmError(
    "CRM_UNAVAILABLE",
    `${method} ${url} failed: ${code ?? cause.message}. Check the network path to SuperOffice and superoffice.url.`,
    { retryable: true, sendUnknown: sent, networkCode: code },
    cause,
  );
}

/**
 * Turns a non-2xx response into a LeaddError: 401/403 CRM_AUTH_FAILED, 429 and 5xx
 * CRM_UNAVAILABLE (retryable), other statuses CRM_REJECTED.
 */
export function statusFailure(response: AxiosResponse, method: string, url: string, nowMs: number): LeaddError {
  const status = response.status;
  const reason = describeErrorBody(response.data);
  // The server's own reason often ends in a full stop; the messages below add their own.
  const reasonSuffix = reason ? `: ${reason.replace(/[.\s]+$/, "")}` : "";

  if (status === 401 || status === 403) {
    return crmError(
      "CRM_AUTH_FAILED",
      `SuperOffice refused the credentials for ${method} ${url} (HTTP ${status})${reasonSuffix}. Check superoffice.auth and superoffice.appToken.`,
      { retryable: false, sendUnknown: false, status },
    );
  }
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(headerValue(response, "retry-after"), nowMs);
    return crmError(
      "CRM_UNAVAILABLE",
      `SuperOffice is ${status === 429 ? "throttling" : "unavailable for"} ${method} ${url} (HTTP ${status})${reasonSuffix}.`,
      { retryable: true, sendUnknown: false, status, retryAfterMs },
    );
  }
  if (status === 421) {
    return crmError(
      "CRM_UNAVAILABLE",
      `SuperOffice answered 421 Misdirected Request for ${method} ${url}${reasonSuffix}: the tenant has moved to another host.`,
      { retryable: false, sendUnknown: false, status },
    );
  }
  if (status >= 500) {
    const retryAfterMs = parseRetryAfter(headerValue(response, "retry-after"), nowMs);
    return crmError(
      "CRM_UNAVAILABLE",
      `SuperOffice failed on ${method} ${url} (HTTP ${status})${reasonSuffix}.`,
      { retryable: true, sendUnknown: true, status, retryAfterMs },
    );
  }
  const location = headerValue(response, "location");
  let hint = "";
  if (status === 404) {
    hint = " Check superoffice.url: it must be the site URL, such as https://online.superoffice.com/Cust12345.";
  } else if (status >= 300 && status < 400) {
    // Redirects are not followed, because a redirected POST can lose its body or its credentials.
    hint = ` The server redirects to ${location ?? "another address"}. Set superoffice.url to the final address.`;
  }
  return crmError(
    "CRM_REJECTED",
    `SuperOffice rejected ${method} ${url} (HTTP ${status})${reasonSuffix}.${hint}`,
    { retryable: false, sendUnknown: false, status },
  );
}

export function crmError(code: LeaddErrorCode, message: string, details: CrmFailureDetails, cause?: unknown): LeaddError {
  return new LeaddError(code, message, { cause, details: { ...details } });
}

/** Reads the retry fields of an error; errors from elsewhere count as not retryable. */
export function failureDetails(error: unknown): CrmFailureDetails {
  if (error instanceof LeaddError && typeof error.details.retryable === "boolean") {
    return error.details as unknown as CrmFailureDetails;
  }
  return { retryable: false, sendUnknown: true };
}

export function headerValue(response: AxiosResponse, name: string): string | undefined {
  const value: unknown = response.headers[name];
  if (Array.isArray(value)) {
    return typeof value[0] === "string" ? value[0] : undefined;
  }
  return typeof value === "string" ? value : undefined;
}

function errorCode(error: unknown): string | undefined {
  if (error !== null && typeof error === "object") {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") {
      return code;
    }
    const causeCode = (error as { cause?: { code?: unknown } }).cause?.code;
    if (typeof causeCode === "string") {
      return causeCode;
    }
  }
  return undefined;
}
