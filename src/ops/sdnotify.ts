import { execFile } from "node:child_process";

import type { Logger } from "pino";

/**
 * Limit for one systemd-notify run. The tool waits up to 5 s for PID 1 to process the
 * message (systemd 252, its notify barrier), so twice that only cuts off a hung run.
 */
export const NOTIFY_TIMEOUT_MS = 10_000;

/**
 * Sends sd_notify(3) messages (READY=1, STATUS=, STOPPING=1, WATCHDOG=1) to systemd.
 *
 * Node has no AF_UNIX datagram sockets, and the `sd-notify` package needs a native build
 * against libsystemd, so each message is sent by running `systemd-notify`, which ships with
 * systemd itself. Limits of that choice:
 * - The message comes from the systemd-notify process, not from leadd, so the unit needs
 *   `NotifyAccess=all`. systemd-notify waits until PID 1 has processed the message (it omits
 *   `--no-block`), which keeps it alive long enough for PID 1 to attribute it to the unit.
 * - Each message costs a process start (a few milliseconds), which is fine for one message
 *   per cycle and a watchdog ping every half WATCHDOG_USEC.
 * - The watchdog ping shows that the event loop runs, not that cycles succeed; /healthz and
 *   the staleness warnings cover that.
 * Without NOTIFY_SOCKET (not started by systemd, or Type= other than notify) every call is a
 * no-op.
 */
export class SystemdNotifier {
  private readonly env: NodeJS.ProcessEnv;
  private readonly command: string;
  private readonly pid: number;
  private queue: Promise<unknown> = Promise.resolve();
  private watchdogTimer: NodeJS.Timeout | null = null;
  private watchdogInFlight = false;
  private missingReported = false;

  constructor(
    private readonly log: Logger,
    options: { env?: NodeJS.ProcessEnv; command?: string; pid?: number } = {},
  ) {
    this.env = options.env ?? process.env;
    this.command = options.command ?? "systemd-notify";
    this.pid = options.pid ?? process.pid;
  }

  /** True when systemd expects notifications from this process. */
  get enabled(): boolean {
    return Boolean(this.env.NOTIFY_SOCKET);
  }

  ready(status?: string): Promise<boolean> {
    return this.send(status === undefined ? ["READY=1"] : ["READY=1", statusAssignment(status)]);
  }

  stopping(status?: string): Promise<boolean> {
    return this.send(status === undefined ? ["STOPPING=1"] : ["STOPPING=1", statusAssignment(status)]);
  }

  status(text: string): Promise<boolean> {
    return this.send([statusAssignment(text)]);
  }

  /**
   * Returns the watchdog ping interval (half of WATCHDOG_USEC, as sd_watchdog_enabled(3)
   * recommends), or null when the unit has no WatchdogSec= or the watchdog is meant for
   * another process (WATCHDOG_PID).
   */
  watchdogIntervalMs(): number | null {
    if (!this.enabled) {
      return null;
    }
    const usec = Number(this.env.WATCHDOG_USEC);
    if (!Number.isFinite(usec) || usec <= 0) {
      return null;
    }
    const watchdogPid = this.env.WATCHDOG_PID;
    if (watchdogPid !== undefined && watchdogPid !== "" && Number(watchdogPid) !== this.pid) {
      return null;
    }
    return Math.max(1, Math.floor(usec / 2000));
  }

  /** Pings the watchdog every half WATCHDOG_USEC until stopWatchdog(), and does nothing without a watchdog. */
  startWatchdog(): void {
    const intervalMs = this.watchdogIntervalMs();
    if (intervalMs === null || this.watchdogTimer) {
      return;
    }
    this.log.debug({ intervalMs }, "systemd watchdog enabled");
    this.watchdogTimer = setInterval(() => {
      // A ping still waiting for PID 1 makes another one pointless.
      if (this.watchdogInFlight) {
        return;
      }
      this.watchdogInFlight = true;
      void this.send(["WATCHDOG=1"]).finally(() => {
        this.watchdogInFlight = false;
      });
    }, intervalMs);
    this.watchdogTimer.unref();
  }

  stopWatchdog(): void {
    if (this.watchdogTimer) {
      clearInterval(this.watchdogTimer);
      this.watchdogTimer = null;
    }
  }

  /** Sends the assignments in order, one systemd-notify run each. Resolves false when sending failed. */
  private send(assignments: string[]): Promise<boolean> {
    if (!this.enabled) {
      return Promise.resolve(false);
    }
    const result = this.queue.then(() => this.run(assignments));
    this.queue = result;
    return result;
  }

  private run(assignments: string[]): Promise<boolean> {
    return new Promise((resolve) => {
      execFile(this.command, assignments, { env: this.env, timeout: NOTIFY_TIMEOUT_MS }, (error, _stdout, stderr) => {
        if (!error) {
          this.log.trace({ message: assignments.join(" ") }, "sd_notify sent");
          resolve(true);
          return;
        }
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
          if (!this.missingReported) {
            this.missingReported = true;
            this.log.error(
              { command: this.command },
              "NOTIFY_SOCKET is set but systemd-notify was not found; systemd will not see leadd as started. Install systemd or use Type=simple.",
            );
          }
        } else {
          this.log.warn({ err: error, stderr: stderr.trim(), message: assignments.join(" ") }, "systemd-notify failed");
        }
        resolve(false);
      });
    });
  }
}

/** Builds a STATUS= assignment. sd_notify messages are newline-separated, so newlines become spaces. */
function statusAssignment(text: string): string {
  return `STATUS=${text.replace(/[\r\n]+/g, " ").trim()}`;
}
