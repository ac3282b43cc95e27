import { MailParser, type AddressObject, type EmailAddress, type HeaderValue, type Headers } from "mailparser";
import { LeaddError } from "../errors.js";
import { fixC1Controls, repairHeaderBytes } from "./charset.js";

/** Largest attached message/rfc822 part kept for unwrapping; bigger ones are skipped unread. */
const MAX_ATTACHED_MESSAGE_BYTES = 2 * 1024 * 1024;
/** Attached messages kept per message; a forward carries one, more is noise. */
const MAX_ATTACHED_MESSAGES = 3;
/** Text analysed per message: enquiries are short, and this bounds the work on hostile input. */
export const MAX_TEXT_CHARS = 256 * 1024;

export interface Address {
  name: string;
  address: string;
}

/** The parts of one MIME message that classification and extraction read. */
export interface ParsedMessage {
  headers: Headers;
  /** Header values as text, lower-cased names, first occurrence. */
  headerText: Record<string, string>;
  from: Address | null;
  replyTo: Address | null;
  to: Address[];
  subject: string;
  messageId: string | null;
  contentType: string;
  text: string;
  html: string;
  attachedMessages: Buffer[];
  /** Content types of all attachments, attached messages included. */
  attachmentTypes: string[];
}

/**
 * Parses raw message bytes with mailparser's streaming parser. Attachments other than
 * message/rfc822 are drained without being kept, so huge attachments cost no memory.
 */
export async function parseMime(raw: Buffer): Promise<ParsedMessage> {
  const source = repairHeaderBytes(raw);
  if (!looksLikeMail(source)) {
    throw new LeaddError("MESSAGE_UNREADABLE", "The input is not an e-mail message: no header lines found. Pass an RFC 5322 .eml file.");
  }

  const parser = new MailParser({
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
  });

  let headers: Headers = new Map();
  let headerLines: { key: string; line: string }[] = [];
  let text = "";
  let html = "";
  const attachedMessages: Buffer[] = [];
  const attachmentTypes: string[] = [];
  const pending: Promise<void>[] = [];

  parser.on("headers", (value: Headers) => {
    headers = value;
  });
  parser.on("headerLines", (lines: { key: string; line: string }[]) => {
    headerLines = lines;
  });
  parser.on("data", (data) => {
    if (data.type === "text") {
      text = typeof data.text === "string" ? data.text : "";
      html = typeof data.html === "string" ? data.html : "";
      return;
    }
    const contentType = String(data.contentType ?? "").toLowerCase();
    attachmentTypes.push(contentType);
    if (contentType === "message/rfc822" && attachedMessages.length < MAX_ATTACHED_MESSAGES) {
      pending.push(collect(data.content, MAX_ATTACHED_MESSAGE_BYTES).then((bytes) => {
        if (bytes) attachedMessages.push(bytes);
        data.release?.();
      }));
    } else {
      data.content.on("data", () => undefined);
      data.content.on("end", () => data.release?.());
      data.content.resume();
    }
  });

  await new Promise<void>((resolve, reject) => {
    parser.on("end", () => resolve());
    parser.on("error", (error: unknown) => reject(error));
    parser.end(source);
  }).catch((error: unknown) => {
    throw new LeaddError("MESSAGE_UNREADABLE", `The MIME structure could not be parsed: ${String(error)}. The message is quarantined.`, { cause: error });
  });
  await Promise.all(pending);

  return {
    headers,
    headerText: headerTextOf(headerLines),
    from: firstAddress(headers.get("from")),
    replyTo: firstAddress(headers.get("reply-to")),
    to: allAddresses(headers.get("to")),
    subject: fixC1Controls(String(headers.get("subject") ?? "")),
    messageId: typeof headers.get("message-id") === "string" ? (headers.get("message-id") as string) : null,
    contentType: contentTypeOf(headers),
    text: fixC1Controls(text.slice(0, MAX_TEXT_CHARS)),
    html: fixC1Controls(html.slice(0, MAX_TEXT_CHARS * 2)),
    attachedMessages,
    attachmentTypes,
  };
}

function looksLikeMail(raw: Buffer): boolean {
  const head = raw.subarray(0, 4096).toString("latin1");
  return /^[!-9;-~]+[ \t]*:/m.test(head);
}

async function collect(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooBig = false;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limit) tooBig = true;
    if (!tooBig) chunks.push(buffer);
  }
  return tooBig ? null : Buffer.concat(chunks);
}

/** Raw header values by lower-cased name (first occurrence), unfolded, encoded words left as they are. */
function headerTextOf(lines: { key: string; line: string }[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const { key, line } of lines) {
    const name = key.toLowerCase();
    if (name in result) continue;
    const colon = line.indexOf(":");
    result[name] = line.slice(colon + 1).replace(/\r?\n[ \t]+/g, " ").trim();
  }
  return result;
}

function contentTypeOf(headers: Headers): string {
  const value = headers.get("content-type");
  if (value && typeof value === "object" && "value" in value) return String((value as { value: unknown }).value).toLowerCase();
  return "text/plain";
}

function flatten(list: EmailAddress[]): Address[] {
  const result: Address[] = [];
  for (const entry of list) {
    if (entry.group) result.push(...flatten(entry.group));
    else if (entry.address) result.push({ name: fixC1Controls(entry.name ?? "").trim(), address: entry.address.trim().toLowerCase() });
  }
  return result;
}

function allAddresses(value: HeaderValue | undefined): Address[] {
  if (!value || typeof value !== "object") return [];
  const objects = (Array.isArray(value) ? value : [value]) as AddressObject[];
  return objects.flatMap((object) => (object && Array.isArray(object.value) ? flatten(object.value) : []));
}

function firstAddress(value: HeaderValue | undefined): Address | null {
  return allAddresses(value)[0] ?? null;
}
