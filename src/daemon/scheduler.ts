import cron from "node-cron";
import type { Logger } from "pino";

/** Maximum wait for the message in hand after SIGTERM; the unit's TimeoutStopSec is set above it. */
export const SHUTDOWN_GRACE_MS = 60_000;

export interface SchedulerOptions {
  schedule: string;
  timezone?: string;
  /** Runs one cycle; `reason` names its trigger (schedule, start, idle). */
  runCycle: (reason: string) => Promise<void>;
  /** Asks the cycle in hand to stop after its current message. */
  requestStop: () => void;
  log: Logger;
}

/**
 * Run cycles on a cron schedule until SIGTERM or SIGINT. Never overlaps two cycles: a tick or
 * trigger that arrives during a cycle sets one pending run instead. Resolves when stopped.
 */
export class Scheduler {
  private running: Promise<void> | null = null;
  private pending: string | null = null;
  private stopped = false;
  private readonly options: SchedulerOptions;

  constructor(options: SchedulerOptions) {
    this.options = options;
  }

  /** Start a cycle now, or right after the one in progress. */
  trigger(reason: string): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending ??= reason;
      return;
    }
    this.running = this.options
      .runCycle(reason)
      .catch((error: unknown) => this.options.log.error({ err: error }, "cycle failed"))
      .finally(() => {
        this.running = null;
        const next = this.pending;
        this.pending = null;
        if (next && !this.stopped) this.trigger(next);
      });
  }

  async run(signal: { onStop: (listener: () => void) => void }): Promise<void> {
    const { log } = this.options;
    const task = cron.schedule(this.options.schedule, () => this.trigger("schedule"), {
      timezone: this.options.timezone,
      name: "leadd-poll",
    });
    log.info({ schedule: this.options.schedule, timezone: this.options.timezone }, "daemon started");
    this.trigger("start");

    await new Promise<void>((resolve) => signal.onStop(resolve));
    this.stopped = true;
    await task.stop();
    this.options.requestStop();

    if (this.running) {
      log.info({ graceMs: SHUTDOWN_GRACE_MS }, "stopping after the message in hand");
      const grace = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), SHUTDOWN_GRACE_MS).unref());
      const result = await Promise.race([this.running.then(() => "done" as const), grace]);
      if (result === "timeout") log.warn({ graceMs: SHUTDOWN_GRACE_MS }, "cycle did not finish within the grace period; exiting anyway, the journal lets the next start finish it");
    }
    log.info("daemon stopped");
  }
}
