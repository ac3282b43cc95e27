import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { isLeaddError } from "../errors.js";
import type { MailboxMessage } from "../fetch/mailbox.js";
import { applyOutcome, flagForRetry } from "../outcome/actions.js";
import { parseMessageIds } from "../reply/header-safety.js";
import type { JournalEntry } from "../state/journal.js";
import type { Analysis } from "../types.js";
import { recoverEntry } from "./recover.js";
import type { MailboxRuntime, Runtime } from "./runtime.js";

/** Result of one message in this cycle, counted in the cycle's finish line. */
export type MessageResult = Exclude<JournalEntry["outcome"], null> | "retry" | "skipped" | "deferred";

/** Reason recorded when a crash left a send with an unknown result. */
export const UNKNOWN_SEND_REASON = "unknown whether the lead was created: leadd stopped while the GenerateLead call was in flight";

/** Reason recorded when the GenerateLead call itself ended without a known result. */
export const UNKNOWN_SEND_REASON_CALL = "unknown whether the lead was created: the GenerateLead call ended without a response";

/** Not-lead reason of mail written in reply to one of leadd's own replies. */
export const OWN_REPLY_REASON = "reply to leadd's own message";

const HOUR_MS = 3_600_000;

/**
 * Take one message of a folder through the pipeline: fetch, journal, analyse, decide, send,
 * apply the outcome. Every step is journalled before the next side effect starts.
 */
export async function processMessage(rt: Runtime, mb: MailboxRuntime, folder: string, uidValidity: string, message: MailboxMessage): Promise<MessageResult> {
  const key = { mailbox: mb.name, folder, uidValidity, uid: message.uid };
  const log = rt.log.child({ mailbox: mb.name, folder, uid: message.uid, messageId: message.messageId ?? undefined });
  if (rt.dryRun) rt.dryRun.message(`${mb.name}/${folder} uid ${message.uid} ${message.messageId ?? "(no Message-ID)"}`);

  let entry = rt.journal.find(key);
  if (entry && entry.step === "done") {
    // Finished but still here: the move did not happen (crash, or another client moved it back).
    return (await finishAgain(rt, mb, entry, log)) ?? "skipped";
  }

  if (message.size > rt.settings.maxMessageBytes) {
    entry ??= rt.journal.insertSeen(key, { messageId: message.messageId, contentHash: `size:${message.size}:${message.uid}` });
    return quarantine(rt, mb, entry, `message is ${message.size} bytes, over the limit of ${rt.settings.maxMessageBytes} (limits.maxMessageBytes)`, log);
  }

  let raw: Buffer;
  try {
    raw = await mb.mailbox.fetchSource(folder, message.uid, rt.settings.maxMessageBytes);
  } catch (error) {
    if (isLeaddError(error, "MESSAGE_TOO_LARGE")) {
      entry ??= rt.journal.insertSeen(key, { messageId: message.messageId, contentHash: `size:${message.size}:${message.uid}` });
      return quarantine(rt, mb, entry, error.message, log);
    }
    if (isLeaddError(error, "IMAP_COMMAND_FAILED") && error.details.vanished === true) {
      log.info("message vanished before it could be fetched; another client moved or expunged it");
      return "skipped";
    }
    throw error;
  }

  const contentHash = createHash("sha256").update(raw).digest("hex");
  if (!entry) {
    const known = rt.journal.findByContent(mb.name, contentHash);
    if (known) {
      // The same bytes under a new UID: UIDVALIDITY changed, or the message was copied back.
      log.info({ journalId: known.id, previousUid: known.uid, previousUidValidity: known.uidValidity }, "message already in the journal under another UID; continuing from its recorded step");
      rt.journal.relocate(known.id, key);
      entry = rt.journal.findById(known.id)!;
      if (entry.step === "done") return (await finishAgain(rt, mb, entry, log)) ?? "skipped";
      if (entry.step === "sending" || entry.step === "decided") {
        await recoverEntry(rt, mb, entry, log);
        return rt.journal.findById(entry.id)?.outcome ?? "skipped";
      }
    } else {
      entry = rt.journal.insertSeen(key, { messageId: message.messageId, contentHash });
    }
  }

  if (entry.step === "retry" && rt.now().getTime() - entry.firstSeenAt.getTime() > rt.settings.failedRetryHours * HOUR_MS) {
    rt.journal.recordOutcome(entry.id, "failed", { reason: `gave up after ${rt.settings.failedRetryHours} hours of retries: ${entry.reason ?? "CRM unavailable"}` });
    await applyOutcome(rt, mb, rt.journal.findById(entry.id)!, log);
    return "failed";
  }

  let analysis: Analysis;
  try {
    analysis = await mb.analyzer.analyze(raw);
  } catch (error) {
    const reason = isLeaddError(error) ? error.message : `parser error: ${(error as Error).message}`;
    return quarantine(rt, mb, entry, reason, log);
  }
  analysis = markAnswerToOwnReply(rt, analysis);
  rt.journal.recordExtraction(entry.id, analysis);
  if (rt.dryRun) rt.dryRun.line(`${analysis.isLead ? "lead" : "not a lead"}: ${analysis.reason}; subject ${JSON.stringify(analysis.subject)}`);
  log.debug({ isLead: analysis.isLead, reason: analysis.reason, evidence: analysis.evidence }, "message analysed");

  if (!analysis.isLead) return decide(rt, mb, entry.id, "not-lead", analysis.reason, log);
  if (analysis.missing.length > 0) {
    if (rt.dryRun) rt.dryRun.block("GenerateLead body (not sent: incomplete):", JSON.stringify(mb.buildRequest(analysis), null, 2));
    return decide(rt, mb, entry.id, "incomplete", `missing ${analysis.missing.join(", ")}`, log);
  }

  const request = mb.buildRequest(analysis);
  const lockKeys = [`email:${request.LeadPersonEmail.toLowerCase()}`, `company:${request.LeadContact.toLowerCase()}`];
  return rt.locks.run(lockKeys, async () => {
    const earlier = rt.journal.findEarlierLead(entry!.id, analysis.fingerprint, analysis.originalMessageId);
    if (earlier) {
      rt.journal.recordOutcome(entry!.id, "duplicate", { reason: `same enquiry as journal entry ${earlier.id} (${earlier.messageId ?? "no Message-ID"}), outcome ${earlier.outcome ?? "in flight"}`, duplicateOf: earlier.id, request });
      await applyOutcome(rt, mb, rt.journal.findById(entry!.id)!, log);
      return "duplicate";
    }
    return sendLead(rt, mb, entry!, request, log);
  });
}

/**
 * A colleague's reply to one of leadd's replies ("thanks, I'll call them") reads like an
 * enquiry but is not one: mail whose In-Reply-To or References names a reply leadd sent is
 * not a lead.
 */
function markAnswerToOwnReply(rt: Runtime, analysis: Analysis): Analysis {
  // A forward is a new enquiry even when a colleague sends it inside leadd's reply thread.
  if (!analysis.isLead || analysis.creator !== null) return analysis;
  const ids = [...parseMessageIds(analysis.headers["in-reply-to"]), ...parseMessageIds(analysis.headers["references"])];
  if (!rt.journal.isOwnReply(ids)) return analysis;
  return { ...analysis, isLead: false, reason: OWN_REPLY_REASON };
}

async function sendLead(rt: Runtime, mb: MailboxRuntime, entry: JournalEntry, request: ReturnType<MailboxRuntime["buildRequest"]>, log: Logger): Promise<MessageResult> {
  rt.journal.markSending(entry.id, request);
  const started = process.hrtime.bigint();
  try {
    const result = await rt.crm.generateLead(request);
    rt.observer.crmCall?.(result.outcome, secondsSince(started));
    rt.journal.recordOutcome(entry.id, result.outcome, { crm: result.response, sent: true });
  } catch (error) {
    if (!isLeaddError(error)) throw error;
    rt.observer.crmCall?.("error", secondsSince(started));
    rt.observer.crmError?.(error.code);

    if (error.details.circuitOpen === true || error.code === "CRM_AUTH_FAILED") {
      // No request left (circuit open) or the CRM refused our credentials: nothing about this
      // message is wrong, so it waits untouched for the next cycle.
      rt.journal.markNotSent(entry.id);
      log.warn({ code: error.code }, "CRM not called for this message; it stays for the next cycle");
      return "deferred";
    }
    if (error.details.sendUnknown === true && !rt.settings.retryUnknownSends) {
      // The request may have reached SuperOffice (timeout, reset, 500/502/504): sending it
      // again could make a second lead, so a person checks the CRM instead.
      rt.journal.recordOutcome(entry.id, "failed", { reason: `${UNKNOWN_SEND_REASON_CALL}: ${error.message}`, needsReview: true });
      await applyOutcome(rt, mb, rt.journal.findById(entry.id)!, log);
      return "failed";
    }
    if (error.code === "CRM_REJECTED") {
      rt.journal.recordOutcome(entry.id, "failed", { reason: error.message });
      await applyOutcome(rt, mb, rt.journal.findById(entry.id)!, log);
      return "failed";
    }
    rt.journal.markRetry(entry.id, error.message);
    await flagForRetry(mb, entry);
    log.warn({ code: error.code, err: error }, "GenerateLead failed for this cycle; the message will be retried");
    return "retry";
  }
  const decided = rt.journal.findById(entry.id)!;
  await applyOutcome(rt, mb, decided, log);
  return decided.outcome!;
}

async function decide(rt: Runtime, mb: MailboxRuntime, id: number, outcome: "not-lead" | "incomplete", reason: string, log: Logger): Promise<MessageResult> {
  rt.journal.recordOutcome(id, outcome, { reason });
  await applyOutcome(rt, mb, rt.journal.findById(id)!, log);
  return outcome;
}

async function quarantine(rt: Runtime, mb: MailboxRuntime, entry: JournalEntry, reason: string, log: Logger): Promise<MessageResult> {
  log.warn({ reason }, "message quarantined");
  rt.journal.recordOutcome(entry.id, "quarantined", { reason });
  await applyOutcome(rt, mb, rt.journal.findById(entry.id)!, log);
  return "quarantined";
}

/** Re-apply the keyword and move of a finished message that is still in a folder leadd reads. */
async function finishAgain(rt: Runtime, mb: MailboxRuntime, entry: JournalEntry, log: Logger): Promise<MessageResult | null> {
  if (!entry.outcome) return null;
  const folder = entry.needsReview ? mb.reviewFolder : mb.actions[entry.outcome].folder;
  if (!folder) return null;
  await mb.mailbox.addKeywords(entry.folder, entry.uid, [mb.actions[entry.outcome].keyword]);
  await mb.mailbox.move(entry.folder, entry.uid, folder);
  log.info({ outcome: entry.outcome, folder }, "finished message was still in its folder; moved it again");
  return null;
}

function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

