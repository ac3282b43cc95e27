/** Backoff, Retry-After parsing and the retry loop shared by every SuperOffice call. */

/** Largest exponent used for backoff; 2^20 times the base is far beyond any sensible cap. */
const MAX_BACKOFF_EXPONENT = 20;

/**
 * Returns the wait before retry number `retry` (1 = first retry): exponential backoff with
 * full jitter, a random value between 0 and min(maxMs, baseMs * 2^(retry - 1)).
 */
export function backoffDelay(retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(retry - 1, 0), MAX_BACKOFF_EXPONENT);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/**
 * Parses a Retry-After header value into milliseconds from `nowMs`: either delta seconds
 * ("120") or an HTTP date. Returns null for a missing or unreadable value, and 0 for a date
 * in the past.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined) {
    return null;
  }
  const trimmed = value.trim();
  if (trimmed === "") {
    return null;
  }
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed) * 1000;
  }
  // Every HTTP date form names the month in letters, which tells a date from a malformed number such as "1.5".
  if (!/[a-z]/i.test(trimmed)) {
    return null;
  }
  const dateMs = Date.parse(trimmed);
  if (Number.isNaN(dateMs)) {
    return null;
  }
  return Math.max(0, dateMs - nowMs);
}

/** Returns the wait before a retry: the server's Retry-After when given, else backoff; both capped at maxMs. */
export function retryDelay(
  retry: number,
  retryAfterMs: number | null,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== null) {
    return Math.min(retryAfterMs, maxMs);
  }
  return backoffDelay(retry, baseMs, maxMs, random);
}

/** Decision of the retry loop on one failure. */
export interface RetryDecision {
  retry: boolean;
  /** Wait the server asked for, in milliseconds, or null. */
  retryAfterMs: number | null;
}

export interface RetryLoopOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
  decide: (error: unknown) => RetryDecision;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** Runs `task` until it succeeds, `decide` rejects a retry, or `attempts` tries are used up. */
export async function runWithRetry<T>(task: (attempt: number) => Promise<T>, options: RetryLoopOptions): Promise<T> {
  const attempts = Math.max(1, options.attempts);
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      const decision = options.decide(error);
      if (!decision.retry || attempt >= attempts) {
        throw error;
      }
      const delayMs = retryDelay(attempt, decision.retryAfterMs, options.baseDelayMs, options.maxDelayMs, options.random);
      options.onRetry?.({ attempt, delayMs, error });
      await options.sleep(delayMs);
    }
  }
}
