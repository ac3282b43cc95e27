/** Turns a ReplyPlan into the exact RFC 5322 bytes that are sent and copied to the Sent folder. */
import { randomUUID } from "node:crypto";

import MailComposer from "nodemailer/lib/mail-composer";

import { LeaddError } from "../errors.js";
import { MAX_DISPLAY_NAME_CHARS, MAX_SUBJECT_CHARS, normalizeAddress, parseMailbox, toHeaderText } from "./header-safety.js";
import type { ReplyPlan } from "./types.js";

/** The subject carries "Re: " in front of up to MAX_SUBJECT_CHARS of the original. */
const MAX_REPLY_SUBJECT_CHARS = MAX_SUBJECT_CHARS + 4;

/** Header values are capped again here, in case a plan was built or edited elsewhere. */
const MAX_HEADER_VALUE_CHARS = 1000;

/** RFC 5646 4.4.1: implementations support language tags of at least 35 characters. */
const MAX_LANGUAGE_TAG_CHARS = 35;

export interface ComposedReply {
  messageId: string;
  from: string;
  to: string;
  raw: Buffer;
}

/**
 * Converts line ends to CRLF. MailComposer leaves body line ends as given, and the bytes
 * appended to the Sent folder must be canonical RFC 5322, like the ones SMTP delivers.
 */
function toCrlf(body: string): string {
  return body.replace(/\r?\n/g, "\r\n");
}

/** Builds the message once, so the same bytes go over SMTP and into the Sent folder. */
export async function composeReply(plan: ReplyPlan, date: Date = new Date()): Promise<ComposedReply> {
  const from = parseMailbox(plan.from);
  const to = normalizeAddress(plan.to);
  if (from === null) {
    throw new LeaddError("CONFIG_INVALID", `replies.from "${plan.from}" is not a valid address. Use a form such as "Leads <leads@example.com>".`);
  }
  if (to === null) {
    throw new LeaddError("SMTP_FAILED", `Reply recipient "${toHeaderText(plan.to, MAX_DISPLAY_NAME_CHARS)}" is not a valid address. The reply was not sent.`);
  }

  const domain = from.address.slice(from.address.lastIndexOf("@") + 1);
  const messageId = `<${randomUUID()}@${domain}>`;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(plan.headers)) {
    if (/^[A-Za-z0-9-]+$/.test(name)) {
      headers[name] = toHeaderText(value, MAX_HEADER_VALUE_CHARS);
    }
  }

  const composer = new MailComposer({
    from: { name: from.name, address: from.address },
    to: { name: toHeaderText(plan.toName, MAX_DISPLAY_NAME_CHARS), address: to },
    subject: toHeaderText(plan.subject, MAX_REPLY_SUBJECT_CHARS),
    messageId,
    date,
    text: toCrlf(plan.text),
    ...(plan.html === null ? {} : { html: toCrlf(plan.html) }),
    headers: { ...headers, "Content-Language": toHeaderText(plan.language, MAX_LANGUAGE_TAG_CHARS) },
  });
  const raw = await composer.compile().build();
  return { messageId, from: from.address, to, raw };
}
