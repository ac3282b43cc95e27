import type { CycleObserver } from "../daemon/runtime.js";
import type { Outcome } from "../types.js";
import type { Health } from "./health.js";
import type { CallResult, Metrics } from "./metrics.js";

const CALL_RESULTS: ReadonlySet<string> = new Set<CallResult>(["created", "matched", "ambiguous", "error"]);

/** Builds the cycle observer that feeds the metrics and the health state. */
export function createCycleObserver(metrics: Metrics, health: Health): CycleObserver {
  return {
    outcome(mailbox: string, outcome: Outcome) {
      metrics.recordOutcome(mailbox, outcome);
    },
    crmCall(result: string, seconds: number) {
      metrics.recordCall(CALL_RESULTS.has(result) ? (result as CallResult) : "error", seconds);
    },
    cycleSucceeded(mailbox: string, at: Date) {
      metrics.cycleSucceeded(mailbox, at);
      health.cycleSucceeded(mailbox, at);
    },
    cycleFailed(mailbox: string, reason: string, at: Date) {
      metrics.cycleFailed(mailbox);
      health.cycleFailed(mailbox, reason, at);
    },
    imapError(mailbox: string) {
      metrics.recordImapError(mailbox);
    },
    crmError(code: string) {
      metrics.recordCrmError(code);
    },
    crmRetry() {
      metrics.recordCrmRetry();
    },
  };
}
