import type { Logger } from "pino";
import { isLeaddError } from "../errors.js";
import type { JournalEntry } from "../state/journal.js";
import type { MailboxRuntime, Runtime } from "../daemon/runtime.js";

/**
 * Finish a decided message: replies, outcome keyword, move; then mark it done. Each step is
 * idempotent, so a restart that repeats them after a crash does no harm. The journal stops a
 * reply from going out twice, a keyword set twice is one keyword, and moving a message that
 * already left its folder is a no-op.
 */
export async function applyOutcome(rt: Runtime, mb: MailboxRuntime, entry: JournalEntry, log: Logger): Promise<void> {
  const outcome = entry.outcome;
  if (!outcome) throw new Error(`journal entry ${entry.id} has no outcome to apply`);
  const action = mb.actions[outcome];
  const folder = entry.needsReview ? mb.reviewFolder : action.folder;

  if (mb.replies && entry.analysis && action.replies.length > 0) {
    try {
      const earlier = entry.duplicateOf === null ? null : rt.journal.findById(entry.duplicateOf);
      await mb.replies.sendReplies(
        {
          entryId: entry.id,
          analysis: entry.analysis,
          outcome,
          reason: entry.reason,
          crm: entry.crm,
          roles: action.replies,
          folder,
          duplicateOf: earlier ? { messageId: earlier.messageId, crm: earlier.crm } : null,
        },
        log,
      );
    } catch (error) {
      // A reply is a courtesy: its failure is logged, and the outcome still lands in the mailbox.
      log.error({ err: error, outcome }, "reply failed; the message is still flagged and moved");
    }
  }

  try {
    await mb.mailbox.addKeywords(entry.folder, entry.uid, [action.keyword]);
    if (folder && folder !== entry.folder) await mb.mailbox.move(entry.folder, entry.uid, folder);
  } catch (error) {
    if (isLeaddError(error, "IMAP_COMMAND_FAILED") && error.details.vanished === true) {
      log.info({ outcome }, "message vanished from its folder before its outcome was applied; another client moved or expunged it");
    } else {
      throw error;
    }
  }

  if (!rt.dryRun) rt.journal.markDone(entry.id);
  log.info({ outcome, keyword: action.keyword, destination: folder ?? entry.folder, reason: entry.reason ?? undefined }, "message finished");
  rt.observer.outcome?.(mb.name, outcome);
}

/** Set the failed keyword on a message that stays in its folder for a later retry. */
export async function flagForRetry(mb: MailboxRuntime, entry: JournalEntry): Promise<void> {
  try {
    await mb.mailbox.addKeywords(entry.folder, entry.uid, [mb.actions.failed.keyword]);
  } catch (error) {
    if (!(isLeaddError(error, "IMAP_COMMAND_FAILED") && error.details.vanished === true)) throw error;
  }
}
