/**
 * Decides which replies one processed message gets, to whom, and with what text.
 * Pure apart from reading templates and the ledger: sending is send.ts's job, so
 * dry-run can show the same plans without side effects.
 */
import type { Logger } from "pino";

import { LeaddError } from "../errors.js";
import type { Outcome } from "../types.js";
import { buildReplyContext } from "./context.js";
import { MAX_DISPLAY_NAME_CHARS, normalizeAddress, parseMailbox, toHeaderText } from "./header-safety.js";
import { messageBlockedReason, recipientBlockedReason } from "./loop-guard.js";
import { replySubject } from "./subject.js";
import { templateStoreFor } from "./templates.js";
import { buildThreadingHeaders } from "./threading.js";
import type { ReplyDecision, ReplyInput, ReplyLedger, ReplyPlan, ReplyRole, SkippedReply } from "./types.js";

/** The window of `replies.maxPerRecipientPerDay`. */
const CAP_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Outcomes that never get a reply, whatever the config says: not-lead mail is
 * automatic, bulk or leadd's own, and a quarantined message's headers could not be
 * read, so the loop checks would have nothing to go on.
 */
const NEVER_ANSWERED: ReadonlySet<Outcome> = new Set<Outcome>(["not-lead", "quarantined"]);

/** Headers every reply carries so that other robots, and leadd itself, do not reply to it (RFC 3834 section 5). */
export const LOOP_HEADERS: Readonly<Record<string, string>> = {
  "Auto-Submitted": "auto-replied",
  "X-Auto-Response-Suppress": "All",
  "X-Leadd-Reply": "1",
};

interface Recipient {
  address: string | null;
  name: string;
  /** The reason there is no address, used when `address` is null. */
  absentReason: string;
}

function recipientFor(role: ReplyRole, input: ReplyInput): Recipient {
  const { analysis } = input;
  if (role === "forwarder") {
    const creator = analysis.creator;
    const name = creator === null ? "" : `${creator.firstname} ${creator.lastname}`;
    return {
      address: creator === null || creator.email.trim() === "" ? null : creator.email,
      name: toHeaderText(name, MAX_DISPLAY_NAME_CHARS),
      // Direct and web-form mail has no forwarder. A reply to the sender would go to the
      // enquirer or to the form robot, which is the `lead` role's job or nobody's.
      absentReason: "no forwarder: the enquiry came directly or from a form",
    };
  }
  const { lead } = analysis;
  return {
    address: lead.email.trim() === "" ? null : lead.email,
    name: toHeaderText(`${lead.firstname} ${lead.lastname}`, MAX_DISPLAY_NAME_CHARS),
    absentReason: "no e-mail address was found for the enquirer",
  };
}

function threadingFor(role: ReplyRole, input: ReplyInput): Record<string, string> {
  const { analysis } = input;
  const headers = analysis.headers;
  // The enquirer never saw the forward, so a reply to them threads under their own
  // message when the forward carried its Message-ID, and under nothing otherwise.
  const threading =
    role === "lead" && analysis.creator !== null
      ? buildThreadingHeaders(analysis.originalMessageId, null, null)
      : buildThreadingHeaders(analysis.messageId, headers["references"], headers["in-reply-to"]);

  const result: Record<string, string> = {};
  if (threading.inReplyTo !== null) {
    result["In-Reply-To"] = threading.inReplyTo;
  }
  if (threading.references !== null) {
    result["References"] = threading.references;
  }
  return { ...result, ...LOOP_HEADERS };
}

function roleSwitchedOff(role: ReplyRole, input: ReplyInput): string | null {
  if (role === "forwarder" && !input.settings.toForwarder) {
    return "replies.toForwarder is false";
  }
  if (role === "lead" && !input.settings.toLead) {
    return "replies.toLead is false";
  }
  return null;
}

/**
 * Returns the replies to send for one message and the ones left out with the reason.
 * Throws LeaddError CONFIG_INVALID when `replies.from` is invalid or a template fails to render.
 */
export function decideReplies(input: ReplyInput, ledger: ReplyLedger, now: Date, log?: Logger): ReplyDecision {
  const { analysis, outcome, settings } = input;
  const sender = parseMailbox(settings.from);
  if (sender === null) {
    throw new LeaddError("CONFIG_INVALID", `replies.from "${settings.from}" is not a valid address. Use a form such as "Leads <leads@example.com>".`);
  }

  const plans: ReplyPlan[] = [];
  const skipped: SkippedReply[] = [];
  const ownAddresses = [...input.ownAddresses, sender.address];
  const messageReason = NEVER_ANSWERED.has(outcome) ? `leadd never answers ${outcome} messages` : messageBlockedReason(analysis);
  const store = templateStoreFor(settings.templatesDir);
  const language = store.chooseLanguage(analysis.language, settings.defaultLanguage);
  const since = new Date(now.getTime() - CAP_WINDOW_MS);

  for (const role of new Set(input.roles)) {
    const recipient = recipientFor(role, input);
    const to = normalizeAddress(recipient.address) ?? recipient.address?.trim() ?? "";
    const skip = (reason: string): void => {
      skipped.push({ role, to, reason });
      log?.debug({ role, to, outcome, reason }, "reply skipped");
    };

    const reason =
      roleSwitchedOff(role, input) ??
      messageReason ??
      (recipient.address === null ? recipient.absentReason : recipientBlockedReason(analysis, recipient.address, ownAddresses));
    if (reason !== null) {
      skip(reason);
      continue;
    }
    if (plans.some((plan) => plan.to === to)) {
      skip("the recipient already gets a reply for this message");
      continue;
    }

    const sentToday = ledger.countSince(to, since);
    if (sentToday >= settings.maxPerRecipientPerDay) {
      log?.info({ role, to, sentToday, cap: settings.maxPerRecipientPerDay }, "reply cap reached for recipient");
      skip(`${sentToday} replies in the last 24 hours reached replies.maxPerRecipientPerDay (${settings.maxPerRecipientPerDay})`);
      continue;
    }

    const templates = store.find(outcome, role, language);
    if (templates === null) {
      const path = store.pathOf(outcome, role, "en", "txt");
      log?.warn({ role, outcome, path }, "reply template missing");
      skip(`no reply template ${path}`);
      continue;
    }

    const context = buildReplyContext({
      analysis,
      outcome,
      language: templates.language,
      from: settings.from,
      reason: input.reason,
      crm: input.crm,
      duplicateOf: input.duplicateOf,
      folder: input.folder,
      willRetry: input.willRetry,
    });
    plans.push({
      role,
      outcome,
      to,
      toName: recipient.name,
      from: settings.from,
      subject: replySubject(analysis.subject),
      text: templates.text.render(context),
      html: templates.html === null ? null : templates.html.render(context),
      headers: threadingFor(role, input),
      language: templates.language,
      messageKey: analysis.messageId ?? `fingerprint:${analysis.fingerprint}`,
    });
  }
  return { plans, skipped };
}

/** Returns the replies to send for one message. decideReplies also returns the skipped ones with the reason. */
export function planReplies(input: ReplyInput, ledger: ReplyLedger, now: Date, log?: Logger): ReplyPlan[] {
  return decideReplies(input, ledger, now, log).plans;
}
