import { createHash } from "node:crypto";
import { EXIT } from "../../errors.js";
import { buildRuntime } from "../../daemon/build-runtime.js";
import { processMessage } from "../../daemon/process-message.js";
import { InstanceLock } from "../../state/instance-lock.js";
import type { Outcome } from "../../types.js";
import { setUp } from "./setup.js";

export interface ReplayOptions {
  config?: string;
  dryRun?: boolean;
  mailbox?: string;
  outcome: string[];
  id?: string[];
  list?: boolean;
}

/**
 * `leadd replay`: process the messages in the quarantine and failed folders again. Each one
 * found in the journal is reopened and goes through the whole pipeline from its current
 * folder, so it lands in the folder of its new outcome.
 */
export async function replayCommand(options: ReplayOptions): Promise<number> {
  const dryRun = options.dryRun === true;
  const { config, log } = await setUp(options.config, dryRun || options.list ? process.stderr : undefined);
  const outcomes = options.outcome as Outcome[];
  const ids = options.id ? new Set(options.id.map(Number)) : null;
  const lock = dryRun || options.list ? null : InstanceLock.acquire(config.state);
  const built = await buildRuntime(config, log, { dryRun: dryRun || options.list === true });
  const rt = built.runtime;

  try {
    const mailboxes = rt.mailboxes.filter((mb) => !options.mailbox || mb.name === options.mailbox);
    if (mailboxes.length === 0) {
      process.stderr.write(`No mailbox named "${options.mailbox}" in the config.\n`);
      return EXIT.usage;
    }

    if (options.list) {
      for (const mb of mailboxes) {
        for (const entry of rt.journal.listByOutcome(mb.name, outcomes)) {
          if (ids && !ids.has(entry.id)) continue;
          process.stdout.write(`${entry.id}\t${mb.name}\t${entry.outcome}\t${entry.messageId ?? "-"}\t${entry.reason ?? ""}\n`);
        }
      }
      return EXIT.ok;
    }

    let replayed = 0;
    for (const mb of mailboxes) {
      await mb.mailbox.connect();
      try {
        for (const outcome of outcomes) {
          const folder = mb.actions[outcome].folder;
          if (!folder) continue;
          const { uidValidity, messages } = await mb.mailbox.listPending(folder, []);
          for (const message of messages) {
            const raw = await mb.mailbox.fetchSource(folder, message.uid, Number.MAX_SAFE_INTEGER);
            const contentHash = createHash("sha256").update(raw).digest("hex");
            let entry = rt.journal.findByContent(mb.name, contentHash);
            if (!entry && message.messageId) {
              // Quarantined for its size, so never fetched: the journal has its Message-ID but no content hash.
              entry = rt.journal.findByMessageId(mb.name, message.messageId, [outcome]);
              if (entry) rt.journal.setContentHash(entry.id, contentHash);
            }
            if (ids && (!entry || !ids.has(entry.id))) continue;
            if (entry) {
              rt.journal.reopen(entry.id);
              rt.journal.relocate(entry.id, { mailbox: mb.name, folder, uidValidity, uid: message.uid });
            }
            const result = await processMessage(rt, mb, folder, uidValidity, message);
            log.info({ mailbox: mb.name, folder, uid: message.uid, journalId: entry?.id, result }, "message replayed");
            replayed++;
          }
        }
      } finally {
        await mb.mailbox.close();
      }
    }
    log.info({ replayed }, "replay finished");
    return EXIT.ok;
  } finally {
    await built.close();
    lock?.release();
  }
}
