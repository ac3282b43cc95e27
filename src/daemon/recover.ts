import type { Logger } from "pino";
import { applyOutcome } from "../outcome/actions.js";
import type { JournalEntry } from "../state/journal.js";
import { UNKNOWN_SEND_REASON } from "./process-message.js";
import type { MailboxRuntime, Runtime } from "./runtime.js";

/**
 * Finish what a crash left between steps, for the entries of one folder whose UIDVALIDITY is
 * still current. A `decided` message gets its actions again; a `sending` message never gets a
 * second GenerateLead call unless `superoffice.retryUnknownSends` is on: it becomes `failed`
 * and goes to the review folder for a person to check the CRM.
 */
export async function recoverFolder(rt: Runtime, mb: MailboxRuntime, folder: string, uidValidity: string): Promise<number> {
  let recovered = 0;
  for (const entry of rt.journal.unfinished(mb.name)) {
    if (entry.folder !== folder || entry.uidValidity !== uidValidity) continue;
    const log = rt.log.child({ mailbox: mb.name, folder, uid: entry.uid, messageId: entry.messageId ?? undefined, journalId: entry.id });
    await recoverEntry(rt, mb, entry, log);
    recovered++;
  }
  return recovered;
}

export async function recoverEntry(rt: Runtime, mb: MailboxRuntime, entry: JournalEntry, log: Logger): Promise<void> {
  if (entry.step === "sending") {
    if (rt.settings.retryUnknownSends) {
      log.warn("previous GenerateLead call has an unknown result; sending again because superoffice.retryUnknownSends is on");
      rt.journal.markNotSent(entry.id);
      return;
    }
    log.warn({ reason: UNKNOWN_SEND_REASON }, "previous GenerateLead call has an unknown result; not sending again, moving to review");
    rt.journal.recordOutcome(entry.id, "failed", { reason: UNKNOWN_SEND_REASON, needsReview: true });
  } else {
    log.info({ outcome: entry.outcome }, "finishing a message whose outcome was recorded before leadd stopped");
  }
  await applyOutcome(rt, mb, rt.journal.findById(entry.id)!, log);
}
