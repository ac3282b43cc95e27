import type { Logger } from "pino";
import { isLeaddError } from "../errors.js";
import type { Outcome } from "../types.js";
import { processMessage, type MessageResult } from "./process-message.js";
import { recoverFolder } from "./recover.js";
import type { MailboxRuntime, Runtime } from "./runtime.js";

export interface MailboxCycleResult {
  mailbox: string;
  ok: boolean;
  error?: string;
  counts: Partial<Record<MessageResult, number>>;
}

export interface CycleResult {
  ok: boolean;
  durationMs: number;
  mailboxes: MailboxCycleResult[];
}

/**
 * Run one poll cycle over every mailbox. Mailboxes run side by side and independently: one
 * that cannot log in does not stop the others. Logs one start and one finish line.
 */
export async function runCycle(rt: Runtime): Promise<CycleResult> {
  const started = Date.now();
  rt.log.info({ mailboxes: rt.mailboxes.map((mb) => mb.name), dryRun: rt.dryRun !== null }, "cycle started");
  rt.crm.startCycle();

  const mailboxes = await Promise.all(rt.mailboxes.map((mb) => runMailbox(rt, mb)));
  const durationMs = Date.now() - started;
  const counts: Partial<Record<MessageResult, number>> = {};
  for (const result of mailboxes) {
    for (const [outcome, n] of Object.entries(result.counts)) counts[outcome as MessageResult] = (counts[outcome as MessageResult] ?? 0) + (n ?? 0);
  }
  const failed = mailboxes.filter((result) => !result.ok);
  const fields = { durationMs, counts, failedMailboxes: failed.map((result) => result.mailbox) };
  if (failed.length > 0) rt.log.warn(fields, "cycle finished with failed mailboxes");
  else rt.log.info(fields, "cycle finished");
  return { ok: failed.length === 0, durationMs, mailboxes };
}

async function runMailbox(rt: Runtime, mb: MailboxRuntime): Promise<MailboxCycleResult> {
  const log = rt.log.child({ mailbox: mb.name });
  const counts: Partial<Record<MessageResult, number>> = {};
  try {
    await mb.mailbox.connect();
    await mb.mailbox.ensureFolders(mb.outcomeFolders);
    for (const folder of mb.folders) {
      if (rt.stopping.requested) break;
      await runFolder(rt, mb, folder, counts, log);
    }
    rt.observer.cycleSucceeded?.(mb.name, rt.now());
    return { mailbox: mb.name, ok: true, counts };
  } catch (error) {
    const message = isLeaddError(error) ? error.message : (error as Error).message;
    log.error({ err: error, code: isLeaddError(error) ? error.code : undefined }, "mailbox cycle failed; it is tried again next cycle");
    rt.observer.imapError?.(mb.name);
    rt.observer.cycleFailed?.(mb.name, message, rt.now());
    return { mailbox: mb.name, ok: false, error: message, counts };
  } finally {
    await mb.mailbox.close().catch((error: unknown) => log.debug({ err: error }, "closing the IMAP connection failed"));
  }
}

async function runFolder(rt: Runtime, mb: MailboxRuntime, folder: string, counts: Partial<Record<MessageResult, number>>, log: Logger): Promise<void> {
  const excluded = excludedKeywords(mb);
  let { uidValidity, messages } = await mb.mailbox.listPending(folder, excluded);
  const recovered = rt.dryRun ? 0 : await recoverFolder(rt, mb, folder, uidValidity);
  // Recovery moved or flagged some of the listed messages; list again so they are not handled twice.
  if (recovered > 0) ({ uidValidity, messages } = await mb.mailbox.listPending(folder, excluded));
  log.debug({ folder, pending: messages.length, recovered }, "folder listed");

  const batch = messages.slice(0, rt.settings.maxMessagesPerCycle);
  if (messages.length > batch.length) {
    log.info({ folder, pending: messages.length, limit: rt.settings.maxMessagesPerCycle }, "more messages than limits.maxMessagesPerCycle; the rest wait for the next cycle");
  }

  for (const message of batch) {
    if (rt.stopping.requested) {
      log.info("stop requested; leaving the remaining messages for the next run");
      return;
    }
    let result: MessageResult;
    try {
      result = await processMessage(rt, mb, folder, uidValidity, message);
    } catch (error) {
      if (isLeaddError(error) && error.code.startsWith("IMAP_")) throw error;
      if (isLeaddError(error, "STATE_FAILED")) throw error;
      // A bug or an unexpected failure on one message must not stop the others.
      log.error({ err: error, uid: message.uid }, "message processing failed; it is tried again next cycle");
      result = "deferred";
    }
    counts[result] = (counts[result] ?? 0) + 1;
  }
}

/** Keywords that mark a message as finished; failed messages stay listed so later cycles retry them. */
function excludedKeywords(mb: MailboxRuntime): string[] {
  const keywords = new Set<string>();
  for (const [outcome, action] of Object.entries(mb.actions) as Array<[Outcome, { keyword: string }]>) {
    if (outcome !== "failed") keywords.add(action.keyword);
  }
  keywords.delete(mb.actions.failed.keyword);
  return [...keywords];
}
