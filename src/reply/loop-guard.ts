/**
 * Mail-loop safety for automatic replies, following RFC 3834 section 2: no reply to
 * automatic, bulk or list mail, bounces, system mailboxes, or leadd's own mail.
 */
import type { Analysis } from "../types.js";
import { normalizeAddress } from "./header-safety.js";

/** Precedence values of mass mail. leadd never replies to `junk`, not even from a group relay. */
const LIST_PRECEDENCE = new Set(["bulk", "list"]);

/**
 * Local parts of mailboxes that never read replies: bounce handlers and
 * no-reply senders, also with a tag or a prefix (`noreply+x`, `jira-noreply`).
 */
const SYSTEM_LOCAL_PART = /^(?:mailer-daemon|postmaster)(?:[+._-].*)?$|(?:^|[+._-])(?:no|do[-_.]?not)[-_.]?reply(?:$|[+._-])/i;

/** X-Auto-Response-Suppress values (Microsoft Exchange) that ask for no automatic replies. */
const SUPPRESS_VALUES = new Set(["all", "autoreply"]);

function header(analysis: Analysis, name: string): string | undefined {
  const value = analysis.headers[name];
  return value === undefined ? undefined : value.trim();
}

/** Returns why the message itself must get no reply, to any recipient, or null. */
export function messageBlockedReason(analysis: Analysis): string | null {
  if (header(analysis, "x-leadd-reply") !== undefined) {
    return "the message is a leadd reply (X-Leadd-Reply)";
  }

  const autoSubmitted = header(analysis, "auto-submitted");
  if (autoSubmitted !== undefined) {
    const keyword = (autoSubmitted.split(";")[0] ?? "").trim().toLowerCase();
    if (keyword !== "no") {
      return `the message is automatic (Auto-Submitted: ${keyword || "empty"})`;
    }
  }

  const returnPath = header(analysis, "return-path");
  if (returnPath !== undefined && /^<\s*>$/.test(returnPath)) {
    return "the message is a bounce or notification (empty Return-Path <>)";
  }

  const suppress = header(analysis, "x-auto-response-suppress");
  if (suppress !== undefined) {
    const values = suppress.toLowerCase().split(/[\s,]+/);
    if (values.some((value) => SUPPRESS_VALUES.has(value))) {
      return `the sender asked for no automatic replies (X-Auto-Response-Suppress: ${suppress})`;
    }
  }

  const precedence = header(analysis, "precedence")?.toLowerCase();
  if (precedence === "junk") {
    return "the message is marked as junk (Precedence: junk)";
  }

  const groupRelay = analysis.isLead && analysis.groupRelay === true;
  if (groupRelay) {
    return null;
  }
  if (precedence !== undefined && LIST_PRECEDENCE.has(precedence)) {
    return `the message is mass mail (Precedence: ${precedence})`;
  }
  if (header(analysis, "list-id") !== undefined) {
    return "the message came from a mailing list (List-Id)";
  }
  if (header(analysis, "list-unsubscribe") !== undefined) {
    return "the message is mass mail (List-Unsubscribe)";
  }
  return null;
}

/** Returns why `recipient` must not get a reply, or null when it may. */
export function recipientBlockedReason(
  analysis: Analysis,
  recipient: string,
  ownAddresses: readonly string[],
): string | null {
  const address = normalizeAddress(recipient);
  if (address === null) {
    return "the recipient address is missing or invalid";
  }

  const localPart = address.slice(0, address.lastIndexOf("@"));
  if (SYSTEM_LOCAL_PART.test(localPart)) {
    return "the recipient is a system or no-reply mailbox";
  }

  const own = new Set(ownAddresses.map((value) => normalizeAddress(value)).filter((value) => value !== null));
  if (own.has(address)) {
    return "the recipient is one of leadd's own addresses";
  }

  // Replies to a group relay go only to people, never to the list itself.
  const listPost = header(analysis, "list-post");
  const listAddress = listPost === undefined ? null : normalizeAddress(/<mailto:([^>?]+)/i.exec(listPost)?.[1]);
  if (listAddress !== null && listAddress === address) {
    return "the recipient is the mailing list itself (List-Post)";
  }
  return null;
}

/**
 * Returns why no automatic reply may go to `recipient` for this message, or null when one may.
 * The per-recipient daily cap is checked by the planner, which has the ledger.
 */
export function replyBlockedReason(analysis: Analysis, recipient: string, ownAddresses: readonly string[]): string | null {
  return messageBlockedReason(analysis) ?? recipientBlockedReason(analysis, recipient, ownAddresses);
}
