import type { ParsedMessage } from "../extract/mime.js";
import { isOwnAddress } from "../extract/address.js";
import { AUTO_REPLY_SUBJECT, BOUNCE_SUBJECT } from "../extract/vocabulary.js";

/** What classification needs besides the message. */
export interface ClassifyOptions {
  ownDomains: string[];
  ownAddresses: string[];
}

const BOUNCE_SENDER = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|bounce|bounces)([-+.@]|$)/i;

/**
 * Decides whether a message is not a lead: auto-replies, bounces, bulk and list mail,
 * our own replies and spam-flagged mail. Returns the reason, or null for a possible lead.
 * `relayedEnquiry` is true when the message is a group relay of someone's enquiry, so
 * list headers added by the group do not count as bulk.
 */
export function notLeadReason(message: ParsedMessage, options: ClassifyOptions, relayedEnquiry: boolean): string | null {
  const header = (name: string): string => (message.headerText[name] ?? "").trim();
  const sender = message.from?.address ?? "";

  if (header("x-leadd-reply") !== "") return "own mail (X-Leadd-Reply)";
  if (isOwnAddress(sender, [], options.ownAddresses)) return `own mail (from ${sender})`;

  if (/^multipart\/report/.test(message.contentType) || message.attachmentTypes.includes("message/delivery-status")) {
    return "bounce (delivery status report)";
  }
  const localPart = sender.split("@")[0] ?? "";
  if (BOUNCE_SENDER.test(localPart) || BOUNCE_SENDER.test(sender)) return `bounce (from ${sender})`;
  if (BOUNCE_SUBJECT.test(message.subject) && (header("return-path") === "<>" || header("auto-submitted") !== "")) {
    return "bounce (subject)";
  }

  const autoSubmitted = header("auto-submitted").toLowerCase();
  if (autoSubmitted !== "" && autoSubmitted !== "no") return `auto-reply (Auto-Submitted: ${autoSubmitted})`;
  if (header("x-autoreply") !== "" || header("x-autorespond") !== "") return "auto-reply (X-Autoreply)";
  if (AUTO_REPLY_SUBJECT.test(message.subject)) return `auto-reply (subject: ${message.subject.slice(0, 60)})`;

  if (/^yes\b/i.test(header("x-spam-flag")) || /^yes\b/i.test(header("x-spam-status"))) return "spam (X-Spam-Flag: YES)";

  const precedence = header("precedence").toLowerCase();
  if (precedence === "bulk" || precedence === "junk") return `bulk (Precedence: ${precedence})`;
  if (!relayedEnquiry) {
    if (header("list-unsubscribe") !== "") return "bulk (List-Unsubscribe)";
    if (header("list-id") !== "") return "bulk (List-Id)";
    if (precedence === "list") return "bulk (Precedence: list)";
  }
  return null;
}
