import type { Logger } from "pino";
import type { TokenProvider } from "../auth/index.js";
import type { LeaddConfig } from "../config/schema.js";
import { startOps, type Ops } from "../ops/index.js";
import { watchFolder, type IdleWatch } from "./idle-watch.js";

/** Services `leadd run` adds around its cycles: health, metrics, systemd notification and IDLE watches. */
export interface Operations extends Pick<Ops, "observer" | "watchTokens" | "ready" | "cycleDone" | "stopping" | "stop"> {
  /** Start an IMAP IDLE watch for every mailbox folder with `idle: true`; each calls `trigger` on new mail. */
  watchIdle(config: LeaddConfig, tokenProviders: Array<{ name: string; provider: TokenProvider }>, trigger: (mailbox: string) => void): { stop(): Promise<void> };
}

export async function startOperations(config: LeaddConfig, log: Logger): Promise<Operations> {
  const ops = await startOps(config, log);
  return {
    observer: ops.observer,
    watchTokens: (providers) => ops.watchTokens(providers),
    ready: () => ops.ready(),
    cycleDone: () => ops.cycleDone(),
    stopping: () => ops.stopping(),
    stop: () => ops.stop(),
    watchIdle(idleConfig, tokenProviders, trigger) {
      const watches: IdleWatch[] = [];
      for (const mailbox of idleConfig.mailboxes) {
        if (!mailbox.idle || !mailbox.imap) continue;
        const imap = mailbox.imap;
        const provider = tokenProviders.find((entry) => entry.name === `${mailbox.name}/imap`)?.provider;
        for (const folder of mailbox.folder) {
          const options = {
            name: mailbox.name,
            host: imap.host,
            port: imap.port,
            secure: imap.secure,
            user: imap.user,
            password: provider ? undefined : imap.password,
            accessToken: provider ? () => provider.getAccessToken() : undefined,
            tlsRejectUnauthorized: imap.tlsRejectUnauthorized,
          };
          watches.push(watchFolder(options, folder, () => trigger(mailbox.name), log.child({ mailbox: mailbox.name })));
        }
      }
      return { stop: async () => void (await Promise.all(watches.map((watch) => watch.stop()))) };
    },
  };
}
