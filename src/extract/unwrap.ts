import EmailForwardParser from "email-forward-parser";
import { isOwnAddress, parseAddressText } from "./address.js";
import { toLines } from "./body.js";
import { findHeaderBlock, unquoteLines, type HeaderBlock } from "./forward.js";
import { htmlToText } from "./html.js";
import { parseMime, type Address, type ParsedMessage } from "./mime.js";
import { FORWARD_SUBJECT } from "./vocabulary.js";

/** Forward levels followed; real chains rarely pass three. */
const MAX_FORWARD_DEPTH = 6;

/** One author's part of a message: the outer mail, or a forwarded or attached message inside it. */
export interface Layer {
  sender: Address;
  subject: string;
  lines: string[];
  /** Source of this layer: the outer message, an inline forward or an attached message. */
  via: "message" | "inline" | "attached";
  /** Mail client whose forward layout revealed this layer, when known. */
  client: string | null;
  messageId: string | null;
  /** The parsed message for the outer mail and attached messages. */
  message: ParsedMessage | null;
}

export interface UnwrapOptions {
  ownDomains: string[];
  ownAddresses: string[];
}

let forwardParser: EmailForwardParser | null = null;

/** Plain text of a message: the text part, or the HTML converted when there is no usable text. */
export function bodyText(message: ParsedMessage): string {
  const text = message.text.trim();
  if (text.length >= 20 || !message.html) return message.text;
  return htmlToText(message.html);
}

/**
 * Samsung Email and the Android mail apps: eight dashes around "Original message" in the
 * user's language. NOTE: older Thunderbird writes "Original Message" with a capital M, and
 * only that case tells the two apart.
 */
const MOBILE_ORIGINAL = /^-{8} ?(Original message|Originalnachricht|Originalmeddelande|Originalmelding|Opprinnelig melding|Oprindelig meddelelse|Oprindelig besked|Oorspronkelijk bericht|Origineel bericht)/;

/**
 * Names the mail client from the separator line above a forward's header block: Gmail
 * writes ten dashes, Thunderbird eight around "Forwarded Message", Samsung and Android
 * eight around "Original message", Apple Mail a "Begin forwarded message:" line without
 * dashes, Yahoo five dashes around "Forwarded Message", and Outlook
 * "-----Original Message-----", a rule of underscores or nothing.
 */
export function clientOfSeparator(separator: string | null): string {
  const line = (separator ?? "").trim();
  if (line === "" || /^[_-]+$/.test(line)) return "Outlook";
  if (/^-{10} ?\p{L}/u.test(line)) return "Gmail";
  if (/^-{5} Forwarded Message -{5}$/.test(line)) return "Yahoo Mail";
  if (MOBILE_ORIGINAL.test(line)) return "Samsung/Android";
  if (/^-{6,9} ?\p{L}/u.test(line)) return "Thunderbird";
  if (/^\p{L}/u.test(line)) return "Apple Mail";
  return "Outlook";
}

/** Decides whether a header block inside a layer is a forward to unwrap rather than quoted reply history. */
function isForward(layer: Layer, block: HeaderBlock, options: UnwrapOptions): boolean {
  if (block.separator && !/^[_-]+$/.test(block.separator)) return !/original|ursprüngliche|oorspronkelijk|oprindelig|opprinnelig|ursprungligt/i.test(block.separator) || FORWARD_SUBJECT.test(layer.subject);
  if (FORWARD_SUBJECT.test(layer.subject)) return true;
  if (isOwnAddress(layer.sender.address, options.ownDomains, options.ownAddresses)) return true;
  const before = layer.lines.slice(0, block.start).filter((line) => line.trim() !== "");
  return before.length === 0;
}

/**
 * Unwraps a message into its layers, outermost first: inline forwards in any common
 * client's layout, message/rfc822 attachments and nested forwards. Quoted reply history
 * stays inside its layer and is cut later.
 */
export async function unwrapMessage(message: ParsedMessage, sender: Address, options: UnwrapOptions): Promise<Layer[]> {
  const top: Layer = {
    sender,
    subject: message.subject,
    lines: toLines(bodyText(message)),
    via: "message",
    client: null,
    messageId: message.messageId,
    message,
  };
  const layers: Layer[] = [top];
  await unwrapInto(layers, options, 0);

  // Some clients put the forward header only in the HTML part.
  if (layers.length === 1 && message.html && message.text.trim() !== "" && (FORWARD_SUBJECT.test(message.subject) || isOwnAddress(sender.address, options.ownDomains, options.ownAddresses))) {
    const retry: Layer = { ...top, lines: toLines(htmlToText(message.html)) };
    const fromHtml: Layer[] = [retry];
    await unwrapInto(fromHtml, options, 0);
    if (fromHtml.length > 1) return fromHtml;
  }
  return layers;
}

async function unwrapInto(layers: Layer[], options: UnwrapOptions, depth: number): Promise<void> {
  if (depth >= MAX_FORWARD_DEPTH) return;
  const layer = layers[layers.length - 1]!;

  const attached = layer.message?.attachedMessages[0];
  if (attached) {
    const inner = await parseMime(attached).catch(() => null);
    if (inner && inner.from) {
      layers.push({
        sender: inner.from,
        subject: inner.subject,
        lines: toLines(bodyText(inner)),
        via: "attached",
        client: "attached message",
        messageId: inner.messageId,
        message: inner,
      });
      await unwrapInto(layers, options, depth + 1);
      return;
    }
  }

  const block = findHeaderBlock(layer.lines);
  if (block && (block.from.address !== "" || block.from.name !== "") && isForward(layer, block, options)) {
    const inner = unquoteLines(layer.lines.slice(block.end), block.quoteDepth);
    layer.lines = layer.lines.slice(0, block.start);
    layers.push({
      sender: block.from,
      subject: block.fields.subject ?? "",
      lines: inner,
      via: "inline",
      client: clientOfSeparator(block.separator),
      messageId: null,
      message: null,
    });
    await unwrapInto(layers, options, depth + 1);
    return;
  }

  if (!block && FORWARD_SUBJECT.test(layer.subject)) {
    forwardParser ??= new EmailForwardParser();
    const result = forwardParser.read(layer.lines.join("\n"), layer.subject);
    const from = result.email?.from;
    if (result.forwarded && from && (from.address || from.name)) {
      layer.lines = toLines(result.message ?? "");
      layers.push({
        sender: parseAddressText(`${from.name ?? ""} <${from.address ?? ""}>`),
        subject: result.email?.subject ?? "",
        lines: toLines(result.email?.body ?? ""),
        via: "inline",
        client: null,
        messageId: null,
        message: null,
      });
      await unwrapInto(layers, options, depth + 1);
    }
  }
}
