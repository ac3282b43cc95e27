import type { Logger } from "pino";

import type { TokenProvider } from "../auth/index.js";
import type { CycleObserver } from "../daemon/runtime.js";
import { Health } from "./health.js";
import { OpsHttpServer } from "./http.js";
import { Metrics } from "./metrics.js";
import { createCycleObserver } from "./observer.js";
import { SystemdNotifier } from "./sdnotify.js";

export { Health } from "./health.js";
export { Metrics } from "./metrics.js";
export { OpsHttpServer } from "./http.js";
export { SystemdNotifier } from "./sdnotify.js";

/**
 * How often staleness and credential expiry are checked besides after each cycle, so that a
 * cycle that hangs or never starts still gets reported.
 */
export const STALENESS_CHECK_INTERVAL_MS = 60_000;

/** The slice of the config that operations read. */
export interface OpsConfig {
  mailboxes: Array<{ name: string }>;
  health: { maxCycleAgeMinutes: number };
  http?: { host: string; port: number };
}

/** Health, metrics, the optional HTTP listener and systemd notification for `leadd run`. */
export interface Ops {
  observer: CycleObserver;
  metrics: Metrics;
  health: Health;
  notifier: SystemdNotifier;
  /** Address the HTTP listener is bound to, or null without `http.listen`. */
  httpAddress: { host: string; port: number } | null;
  /** Exports token expiry as metrics and warns before certificates and refresh tokens expire. */
  watchTokens(providers: Array<{ name: string; provider: TokenProvider }>): void;
  /** Tells systemd that leadd is ready and starts the watchdog and the staleness timer. */
  ready(): Promise<void>;
  /** Checks staleness and updates the systemd status line after a cycle. */
  cycleDone(): void;
  /** Tells systemd that leadd is stopping. */
  stopping(): Promise<void>;
  /** Stops the timers and the HTTP listener. */
  stop(): Promise<void>;
}

/** Creates the operations pieces and starts the HTTP listener when `http.listen` is set. */
export async function startOps(
  config: OpsConfig,
  log: Logger,
  options: { now?: () => Date; env?: NodeJS.ProcessEnv; notifyCommand?: string } = {},
): Promise<Ops> {
  const now = options.now ?? (() => new Date());
  const opsLog = log.child({ component: "ops" });
  const mailboxes = config.mailboxes.map((mailbox) => mailbox.name);

  const metrics = new Metrics({ mailboxes });
  const health = new Health({ maxCycleAgeMinutes: config.health.maxCycleAgeMinutes, mailboxes, startedAt: now() }, opsLog);
  const notifier = new SystemdNotifier(opsLog, { env: options.env, command: options.notifyCommand });
  const http = config.http ? new OpsHttpServer(config.http, { health, metrics, now }, opsLog) : null;
  const httpAddress = http ? await http.start() : null;

  let timer: NodeJS.Timeout | null = null;

  return {
    observer: createCycleObserver(metrics, health),
    metrics,
    health,
    notifier,
    httpAddress,

    watchTokens(providers) {
      for (const { name, provider } of providers) {
        metrics.watchTokenProvider(name, provider);
        health.watchCredential(name, provider);
      }
    },

    async ready() {
      await notifier.ready(`polling ${mailboxes.length} mailbox(es)`);
      notifier.startWatchdog();
      timer = setInterval(() => health.checkStaleness(now()), STALENESS_CHECK_INTERVAL_MS);
      timer.unref();
    },

    cycleDone() {
      const at = now();
      health.checkStaleness(at);
      const status = health.status(at);
      void notifier.status(status.ok ? `last cycle ${at.toISOString()}` : `unhealthy: ${status.reason}`);
    },

    async stopping() {
      await notifier.stopping();
    },

    async stop() {
      if (timer) {
        clearInterval(timer);
        timer = null;
      }
      notifier.stopWatchdog();
      await http?.stop();
    },
  };
}
