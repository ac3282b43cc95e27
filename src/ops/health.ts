import type { Logger } from "pino";

import type { CredentialExpiry, TokenProvider } from "../auth/index.js";

/** While a mailbox stays stale, the warning is repeated this often so that it shows in recent logs. */
export const STALE_WARNING_INTERVAL_MS = 60 * 60_000;

/** Certificates are flagged this long before expiry: enough for a change request to renew one. */
export const CERTIFICATE_WARNING_MS = 7 * 24 * 60 * 60_000;

/**
 * Refresh tokens are flagged this long before expiry. Google's time-limited grants can last as
 * little as a week, so a longer window would warn for a token's whole life.
 */
export const REFRESH_TOKEN_WARNING_MS = 2 * 24 * 60 * 60_000;

/** A credential warning is repeated at most this often: daily is enough for a dated deadline. */
export const CREDENTIAL_WARNING_INTERVAL_MS = 24 * 60 * 60_000;

export interface HealthOptions {
  maxCycleAgeMinutes: number;
  /** Mailboxes expected to report. A mailbox without any cycle turns stale once the age passes. */
  mailboxes: string[];
  /** Process start; a mailbox with no cycle yet is measured from here. */
  startedAt: Date;
}

export interface MailboxHealth {
  mailbox: string;
  ok: boolean;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastError: string | null;
}

export interface CredentialHealth {
  name: string;
  kind: CredentialExpiry["kind"];
  expiresAt: string;
  expiringSoon: boolean;
}

export interface HealthStatus {
  ok: boolean;
  /** `ok`, or one line per stale mailbox saying since when and why. */
  reason: string;
  mailboxes: MailboxHealth[];
  credentials: CredentialHealth[];
}

interface MailboxState {
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  lastError: string | null;
  /** Stale state seen by the last checkStaleness call, and when it last logged. */
  reportedStale: boolean;
  lastWarnedAt: Date | null;
}

interface CredentialState {
  provider: TokenProvider;
  reportedExpiring: boolean;
  lastWarnedAt: Date | null;
}

/**
 * Health of the daemon: ok while the last cycle of every mailbox succeeded, within
 * `health.maxCycleAgeMinutes`. A mailbox whose last cycle failed is reported with its error
 * at once; staleness warnings in the log only start after the age has passed.
 */
export class Health {
  private readonly maxAgeMs: number;
  private readonly mailboxes = new Map<string, MailboxState>();
  private readonly credentials = new Map<string, CredentialState>();

  constructor(
    private readonly options: HealthOptions,
    private readonly log: Logger,
  ) {
    this.maxAgeMs = options.maxCycleAgeMinutes * 60_000;
    for (const mailbox of options.mailboxes) {
      this.state(mailbox);
    }
  }

  cycleSucceeded(mailbox: string, at: Date): void {
    this.state(mailbox).lastSuccessAt = at;
  }

  cycleFailed(mailbox: string, reason: string, at: Date): void {
    const state = this.state(mailbox);
    state.lastFailureAt = at;
    state.lastError = reason;
  }

  /** Watches the certificate or refresh token behind a token provider for expiry. */
  watchCredential(name: string, provider: TokenProvider): void {
    this.credentials.set(name, { provider, reportedExpiring: false, lastWarnedAt: null });
  }

  status(now: Date): HealthStatus {
    const mailboxes: MailboxHealth[] = [];
    const reasons: string[] = [];
    for (const [mailbox, state] of this.mailboxes) {
      const failedLast = state.lastFailureAt !== null && (state.lastSuccessAt === null || state.lastFailureAt > state.lastSuccessAt);
      const ok = !failedLast && !this.isStale(state, now);
      mailboxes.push({
        mailbox,
        ok,
        lastSuccessAt: state.lastSuccessAt?.toISOString() ?? null,
        lastFailureAt: state.lastFailureAt?.toISOString() ?? null,
        lastError: state.lastError,
      });
      if (this.isStale(state, now)) {
        reasons.push(this.describeStale(mailbox, state));
      } else if (failedLast) {
        reasons.push(`mailbox ${mailbox}: last cycle failed at ${state.lastFailureAt!.toISOString()}: ${state.lastError ?? "unknown error"}`);
      }
    }

    const credentials: CredentialHealth[] = [];
    for (const [name, state] of this.credentials) {
      const expiry = state.provider.credentialExpiry();
      if (expiry) {
        credentials.push({ name, kind: expiry.kind, expiresAt: expiry.expiresAt.toISOString(), expiringSoon: isExpiringSoon(expiry, now) });
      }
    }

    return { ok: reasons.length === 0, reason: reasons.length === 0 ? "ok" : reasons.join("\n"), mailboxes, credentials };
  }

  /**
   * Logs a warning when a mailbox turns stale and an info line when it recovers, repeating the
   * warning at most every STALE_WARNING_INTERVAL_MS while it stays stale. Also warns about
   * certificates and refresh tokens near expiry. Call it once per cycle or on a timer.
   */
  checkStaleness(now: Date): void {
    for (const [mailbox, state] of this.mailboxes) {
      const stale = this.isStale(state, now);
      if (stale && (!state.reportedStale || isDue(state.lastWarnedAt, now, STALE_WARNING_INTERVAL_MS))) {
        this.log.warn(
          {
            mailbox,
            lastSuccessAt: state.lastSuccessAt?.toISOString() ?? null,
            lastError: state.lastError,
            maxCycleAgeMinutes: this.options.maxCycleAgeMinutes,
          },
          "no successful cycle within health.maxCycleAgeMinutes",
        );
        state.lastWarnedAt = now;
      } else if (!stale && state.reportedStale) {
        this.log.info({ mailbox, lastSuccessAt: state.lastSuccessAt?.toISOString() ?? null }, "mailbox cycles succeed again");
        state.lastWarnedAt = null;
      }
      state.reportedStale = stale;
    }

    for (const [name, state] of this.credentials) {
      this.checkCredential(name, state, now);
    }
  }

  private checkCredential(name: string, state: CredentialState, now: Date): void {
    const expiry = state.provider.credentialExpiry();
    const expiring = expiry !== null && isExpiringSoon(expiry, now);
    if (expiry && expiring && (!state.reportedExpiring || isDue(state.lastWarnedAt, now, CREDENTIAL_WARNING_INTERVAL_MS))) {
      const expired = expiry.expiresAt.getTime() <= now.getTime();
      this.log.warn(
        { credential: name, kind: expiry.kind, expiresAt: expiry.expiresAt.toISOString(), provider: state.provider.describe() },
        expired ? `${expiry.kind} has expired; renew it` : `${expiry.kind} expires soon; renew it`,
      );
      state.lastWarnedAt = now;
    }
    state.reportedExpiring = expiring;
  }

  private isStale(state: MailboxState, now: Date): boolean {
    const reference = state.lastSuccessAt ?? this.options.startedAt;
    return now.getTime() - reference.getTime() > this.maxAgeMs;
  }

  private describeStale(mailbox: string, state: MailboxState): string {
    const since = state.lastSuccessAt
      ? `since ${state.lastSuccessAt.toISOString()}`
      : `since the start at ${this.options.startedAt.toISOString()}`;
    const error = state.lastError ? `; last error: ${state.lastError}` : "";
    return `mailbox ${mailbox}: no successful cycle ${since}${error}`;
  }

  private state(mailbox: string): MailboxState {
    let state = this.mailboxes.get(mailbox);
    if (!state) {
      state = { lastSuccessAt: null, lastFailureAt: null, lastError: null, reportedStale: false, lastWarnedAt: null };
      this.mailboxes.set(mailbox, state);
    }
    return state;
  }
}

function isExpiringSoon(expiry: CredentialExpiry, now: Date): boolean {
  const window = expiry.kind === "certificate" ? CERTIFICATE_WARNING_MS : REFRESH_TOKEN_WARNING_MS;
  return expiry.expiresAt.getTime() - now.getTime() <= window;
}

function isDue(last: Date | null, now: Date, intervalMs: number): boolean {
  return last === null || now.getTime() - last.getTime() >= intervalMs;
}
