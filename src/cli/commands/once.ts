import { EXIT } from "../../errors.js";
import { buildRuntime } from "../../daemon/build-runtime.js";
import { runCycle } from "../../daemon/cycle.js";
import { InstanceLock } from "../../state/instance-lock.js";
import { setUp } from "./setup.js";

/**
 * `leadd once`: one cycle over every mailbox. Exit 0 when the cycle ran, whatever the
 * outcomes; 1 when a mailbox could not be read (login, network).
 */
export async function onceCommand(options: { config?: string; dryRun?: boolean }): Promise<number> {
  const dryRun = options.dryRun === true;
  // Dry-run logs go to stderr so that its report on stdout stays readable.
  const { config, log } = await setUp(options.config, dryRun ? process.stderr : undefined);
  const lock = dryRun ? null : InstanceLock.acquire(config.state);
  const built = await buildRuntime(config, log, { dryRun });
  const stop = () => {
    log.info("stop requested; finishing the message in hand");
    built.runtime.stopping.requested = true;
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  try {
    const result = await runCycle(built.runtime);
    return result.ok ? EXIT.ok : EXIT.failed;
  } finally {
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
    await built.close();
    lock?.release();
  }
}
