import type { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import { openImapClient, type ImapOptions } from "../fetch/imap-client.js";

/** First wait before reconnecting a dropped IDLE connection; doubled up to the maximum. */
const RECONNECT_BASE_MS = 1_000;
/** Maximum wait between reconnects: the cron schedule still picks mail up meanwhile. */
const RECONNECT_MAX_MS = 300_000;
/** RFC 2177 requires clients to re-issue IDLE at least every 29 minutes, so leadd restarts it sooner. */
const IDLE_RESTART_MS = 25 * 60_000;

export interface IdleWatch {
  stop(): Promise<void>;
}

/**
 * Watch one folder with IMAP IDLE on a connection of its own and call `onNewMail` when the
 * server reports new messages, so they are processed within seconds. The cron schedule stays
 * the fallback: a failed or dropped watch is logged and reconnected with backoff.
 */
export function watchFolder(options: ImapOptions, folder: string, onNewMail: () => void, log: Logger): IdleWatch {
  const watchLog = log.child({ component: "idle", folder });
  let client: ImapFlow | null = null;
  let stopped = false;
  let failures = 0;

  const loop = async () => {
    while (!stopped) {
      try {
        client = await openImapClient(options, watchLog);
        const current = client;
        await current.mailboxOpen(folder, { readOnly: true });
        current.on("exists", (data: { count: number; prevCount: number }) => {
          if (data.count > data.prevCount) {
            watchLog.debug({ count: data.count, previous: data.prevCount }, "IDLE reported new mail");
            onNewMail();
          }
        });
        failures = 0;
        watchLog.info("IDLE watch started");
        // Mail that arrived while the watch was starting or reconnecting raised no event.
        onNewMail();
        while (!stopped && current.usable) {
          const restart = setTimeout(() => void current.noop().catch(() => {}), IDLE_RESTART_MS);
          try {
            await current.idle();
          } finally {
            clearTimeout(restart);
          }
        }
        if (!stopped) throw new Error("the IDLE connection closed");
      } catch (error) {
        if (stopped) break;
        failures++;
        const delay = Math.min(RECONNECT_BASE_MS * 2 ** (failures - 1), RECONNECT_MAX_MS);
        watchLog.warn({ err: error, retryInMs: delay }, "IDLE watch failed; the schedule still polls, reconnecting");
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      } finally {
        const closing = client;
        client = null;
        if (closing && !stopped) closing.close();
      }
    }
  };
  const running = loop();

  return {
    async stop() {
      stopped = true;
      const closing = client;
      client = null;
      if (closing) await closing.logout().catch(() => closing.close());
      await running;
    },
  };
}
