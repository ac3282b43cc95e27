import type { Logger } from "pino";
import type { TokenProvider } from "../auth/index.js";
import type { LeaddConfig } from "../config/schema.js";
import { watchFolder, type IdleWatch } from "./idle-watch.js";
import type { CycleObserver, Runtime } from "./runtime.js";

/** What `leadd run` adds around the cycles: IDLE watches, and hooks for health, metrics and systemd. */
export interface Operations {
  observer: CycleObserver;
  watchTokens(providers: Array<{ name: string; provider: TokenProvider }>): void;
  watchIdle(config: LeaddConfig, runtime: Runtime, trigger: (mailbox: string) => void): Promise<{ stop(): Promise<void> }>;
  ready(): Promise<void>;
  cycleDone(): void;
  stopping(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOperations(_config: LeaddConfig, log: Logger): Promise<Operations> {
  return {
    observer: {},
    watchTokens: () => {},
    async watchIdle(config, _runtime, trigger) {
      const watches: IdleWatch[] = [];
      for (const mailbox of config.mailboxes) {
        if (!mailbox.idle || !mailbox.imap) continue;
        const imap = mailbox.imap;
        for (const folder of mailbox.folder) {
          watches.push(
            watchFolder(
              { name: mailbox.name, host: imap.host, port: imap.port, secure: imap.secure, user: imap.user, password: imap.password, tlsRejectUnauthorized: imap.tlsRejectUnauthorized },
              folder,
              () => trigger(mailbox.name),
              log.child({ mailbox: mailbox.name }),
            ),
          );
        }
      }
      return { stop: async () => void (await Promise.all(watches.map((watch) => watch.stop()))) };
    },
    ready: async () => {},
    cycleDone: () => {},
    stopping: async () => {},
    stop: async () => {},
  };
}
