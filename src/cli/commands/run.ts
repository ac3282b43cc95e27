import { buildRuntime } from "../../daemon/build-runtime.js";
import { runCycle } from "../../daemon/cycle.js";
import { Scheduler } from "../../daemon/scheduler.js";
import { EXIT } from "../../errors.js";
import { InstanceLock } from "../../state/instance-lock.js";
import { startOperations } from "../../daemon/operations.js";
import { setUp } from "./setup.js";

/** Time allowed for closing connections after the last cycle, before the process exits regardless. */
const FORCED_EXIT_MS = 10_000;

/** `leadd run`: the daemon. Exits 0 after SIGTERM or SIGINT once the message in hand is finished. */
export async function runCommand(options: { config?: string; dryRun?: boolean }): Promise<number> {
  const dryRun = options.dryRun === true;
  const { config, log } = await setUp(options.config, dryRun ? process.stderr : undefined);
  const lock = dryRun ? null : InstanceLock.acquire(config.state);
  const operations = await startOperations(config, log);
  const built = await buildRuntime(config, log, { dryRun, observer: operations.observer });
  operations.watchTokens(built.tokenProviders);

  const scheduler = new Scheduler({
    schedule: config.schedule,
    timezone: config.timezone,
    log,
    runCycle: async (reason) => {
      built.runtime.stopping.requested = false;
      log.debug({ reason }, "cycle triggered");
      await runCycle(built.runtime);
      operations.cycleDone();
    },
    requestStop: () => {
      built.runtime.stopping.requested = true;
    },
  });
  const idle = operations.watchIdle(config, built.tokenProviders, (mailbox) => scheduler.trigger(`idle:${mailbox}`));

  try {
    await operations.ready();
    await scheduler.run({
      onStop: (listener) => {
        const stop = (signal: NodeJS.Signals) => {
          log.info({ signal }, "stop requested");
          void operations.stopping();
          listener();
        };
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      },
    });
    return EXIT.ok;
  } finally {
    // Past this point the daemon is stopping: a socket that never closes (a hung IMAP logout,
    // say) must not keep the process alive beyond the unit's TimeoutStopSec.
    setTimeout(() => {
      log.warn({ afterMs: FORCED_EXIT_MS }, "shutdown did not finish; exiting anyway");
      process.exit(EXIT.ok);
    }, FORCED_EXIT_MS).unref();
    await idle.stop();
    await operations.stop();
    await built.close();
    lock?.release();
  }
}
