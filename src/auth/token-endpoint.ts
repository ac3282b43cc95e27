import { LeaddError } from "../errors.js";
import type { Clock, IssuedToken } from "./types.js";

/**
 * Limit for one token request. Token endpoints answer in well under a second; thirty seconds
 * allows for a slow proxy without holding up the poll cycle for long.
 */
export const TOKEN_REQUEST_TIMEOUT_MS = 30_000;

/** Longest part of a server's error description that goes into an error message. */
const MAX_DESCRIPTION_CHARS = 300;

/** A successful token response body, with the fields leadd reads. */
export interface TokenResponse {
  access_token: string;
  expires_in: number;
  /** Google: lifetime of a time-limited refresh token grant, in seconds. */
  refresh_token_expires_in?: number;
}

/** What the caller tells the user to check for each OAuth error code (RFC 6749 section 5.2). */
export type ErrorHints = Partial<Record<string, string>> & { default: string };

/**
 * POSTs a form to a token endpoint and returns the issued token, or throws LeaddError
 * OAUTH_FAILED naming the step that failed: the endpoint could not be reached, it timed out,
 * it answered with an OAuth error (with the hint for that error) or with an unreadable body.
 */
export async function requestToken(
  url: string,
  form: Record<string, string>,
  options: { provider: string; hints: ErrorHints; now: Clock; timeoutMs?: number },
): Promise<IssuedToken & { response: TokenResponse }> {
  const timeoutMs = options.timeoutMs ?? TOKEN_REQUEST_TIMEOUT_MS;
  const requestedAt = options.now();

  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "error",
    });
  } catch (error) {
    throw transportError(url, error, timeoutMs, options.provider);
  }

  const text = await response.text().catch(() => "");
  let body: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    body = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    body = null;
  }

  if (body && typeof body.error === "string") {
    throw oauthError(options.provider, url, response.status, body.error, body.error_description, options.hints);
  }
  if (!response.ok || !body) {
    throw new LeaddError(
      "OAUTH_FAILED",
      `${options.provider} token endpoint ${url} returned HTTP ${response.status} without a readable OAuth response. ` +
        "Check the token URL and any proxy between leadd and the endpoint.",
      { details: { provider: options.provider, step: "token-response", status: response.status } },
    );
  }

  const accessToken = body.access_token;
  const expiresIn = Number(body.expires_in);
  if (typeof accessToken !== "string" || accessToken === "" || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new LeaddError(
      "OAUTH_FAILED",
      `${options.provider} token endpoint ${url} answered HTTP ${response.status} without access_token and expires_in. ` +
        "Check that the token URL points at an OAuth2 token endpoint.",
      { details: { provider: options.provider, step: "token-response", status: response.status } },
    );
  }

  const result: TokenResponse = { access_token: accessToken, expires_in: expiresIn };
  const refreshLifetime = Number(body.refresh_token_expires_in);
  if (Number.isFinite(refreshLifetime) && refreshLifetime > 0) {
    result.refresh_token_expires_in = refreshLifetime;
  }
  // The lifetime counts from the request, not the answer, so a slow response cannot stretch it.
  return { accessToken, expiresAt: new Date(requestedAt.getTime() + expiresIn * 1000), response: result };
}

/** Builds the error for an OAuth error response, with the caller's hint for that error code. */
export function oauthError(
  provider: string,
  url: string,
  status: number | undefined,
  code: string,
  description: unknown,
  hints: ErrorHints,
): LeaddError {
  // The sentence goes on with ". {hint}", so the server's own closing period is dropped.
  const text = typeof description === "string" ? truncate(firstLine(description)).replace(/[\s.]+$/, "") : "";
  const detail = text === "" ? "" : `: ${text}`;
  const hint = hints[code] ?? hints.default;
  const statusText = status === undefined ? "" : ` (HTTP ${status})`;
  return new LeaddError("OAUTH_FAILED", `${provider} token request to ${url} was rejected with ${code}${statusText}${detail}. ${hint}`, {
    details: { provider, step: "token-grant", oauthError: code, status },
  });
}

/** Builds the error for a token request that got no HTTP answer. */
export function transportError(url: string, error: unknown, timeoutMs: number, provider: string): LeaddError {
  const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
  const reason = timedOut ? `timed out after ${timeoutMs / 1000} s` : `failed: ${describeCause(error)}`;
  return new LeaddError(
    "OAUTH_FAILED",
    `${provider} token endpoint ${url} is unreachable: the request ${reason}. ` +
      "Check DNS, the firewall and any HTTPS proxy between this host and the endpoint.",
    { cause: error, details: { provider, step: "token-endpoint-unreachable" } },
  );
}

/** Returns the most specific reason of a fetch failure, e.g. `ECONNREFUSED`. */
export function describeCause(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" ? `${code} (${cause.message})` : cause.message;
  }
  return error.message;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? "";
}

function truncate(text: string): string {
  return text.length > MAX_DESCRIPTION_CHARS ? `${text.slice(0, MAX_DESCRIPTION_CHARS)}…` : text;
}
