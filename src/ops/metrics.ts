import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

import type { TokenProvider } from "../auth/index.js";
import { OUTCOMES, type Outcome } from "../types.js";

/**
 * Buckets for GenerateLead call duration, in seconds. A call normally takes well under a
 * second; the upper buckets show retries with backoff, which can reach a minute per wait.
 */
const CALL_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Result label of one GenerateLead call. */
export type CallResult = "created" | "matched" | "ambiguous" | "error";

/**
 * Prometheus metrics of one leadd process, in a registry of its own so that tests and
 * embedding programs never share the global one.
 */
export class Metrics {
  readonly registry = new Registry();

  private readonly messages = new Counter({
    name: "leadd_messages_total",
    help: "Messages processed, by mailbox and outcome.",
    labelNames: ["mailbox", "outcome"] as const,
    registers: [this.registry],
  });

  private readonly calls = new Counter({
    name: "leadd_generatelead_calls_total",
    help: "GenerateLead calls, by result. A call retried inside the client counts once.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });

  private readonly callDuration = new Histogram({
    name: "leadd_generatelead_duration_seconds",
    help: "Duration of GenerateLead calls including retries, in seconds.",
    buckets: CALL_DURATION_BUCKETS,
    registers: [this.registry],
  });

  private readonly crmRetries = new Counter({
    name: "leadd_crm_retries_total",
    help: "CRM requests repeated after a retryable failure (429, 5xx, timeout).",
    registers: [this.registry],
  });

  private readonly imapErrors = new Counter({
    name: "leadd_imap_errors_total",
    help: "IMAP connection, login and command failures, by mailbox.",
    labelNames: ["mailbox"] as const,
    registers: [this.registry],
  });

  private readonly crmErrors = new Counter({
    name: "leadd_crm_errors_total",
    help: "CRM failures, by error code.",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });

  private readonly cycleFailures = new Counter({
    name: "leadd_cycle_failures_total",
    help: "Poll cycles that failed for a mailbox.",
    labelNames: ["mailbox"] as const,
    registers: [this.registry],
  });

  private readonly lastSuccess = new Gauge({
    name: "leadd_last_successful_cycle_timestamp_seconds",
    help: "Unix time of the last successful poll cycle, by mailbox.",
    labelNames: ["mailbox"] as const,
    registers: [this.registry],
  });

  private readonly watchedProviders = new Map<string, TokenProvider>();

  private readonly tokenExpiry = new Gauge({
    name: "leadd_token_expiry_timestamp_seconds",
    help: "Unix time at which the cached OAuth access token expires, by provider.",
    labelNames: ["provider"] as const,
    registers: [this.registry],
    collect: () => this.collectTokenExpiry(),
  });

  constructor(options: { mailboxes?: string[]; defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
    }
    // Zero series from the start let rate() and increase() see the first event.
    for (const mailbox of options.mailboxes ?? []) {
      for (const outcome of OUTCOMES) {
        this.messages.inc({ mailbox, outcome }, 0);
      }
      this.imapErrors.inc({ mailbox }, 0);
      this.cycleFailures.inc({ mailbox }, 0);
    }
    this.crmRetries.inc(0);
  }

  recordOutcome(mailbox: string, outcome: Outcome): void {
    this.messages.inc({ mailbox, outcome });
  }

  recordCall(result: CallResult, seconds: number): void {
    this.calls.inc({ result });
    this.callDuration.observe(seconds);
  }

  recordCrmRetry(): void {
    this.crmRetries.inc();
  }

  recordImapError(mailbox: string): void {
    this.imapErrors.inc({ mailbox });
  }

  recordCrmError(code: string): void {
    this.crmErrors.inc({ code });
  }

  cycleSucceeded(mailbox: string, at: Date): void {
    this.lastSuccess.set({ mailbox }, at.getTime() / 1000);
  }

  /** Counts a failed cycle. The reason goes to the health state and the log, not into a label. */
  cycleFailed(mailbox: string): void {
    this.cycleFailures.inc({ mailbox });
  }

  /** Sets a provider's token expiry by hand, and removes the series for null. */
  setTokenExpiry(provider: string, expiresAt: Date | null): void {
    if (expiresAt) {
      this.tokenExpiry.set({ provider }, expiresAt.getTime() / 1000);
    } else {
      this.tokenExpiry.remove({ provider });
    }
  }

  /** Reads the provider's token expiry at every scrape, under label `provider=name`. */
  watchTokenProvider(name: string, provider: TokenProvider): void {
    this.watchedProviders.set(name, provider);
  }

  /** Returns the Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private collectTokenExpiry(): void {
    for (const [name, provider] of this.watchedProviders) {
      this.setTokenExpiry(name, provider.expiresAt());
    }
  }
}
