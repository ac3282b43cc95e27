import iconv from "iconv-lite";

/** Bytes of the header section scanned for raw 8-bit text; headers are rarely longer. */
const MAX_HEADER_SECTION_BYTES = 64 * 1024;

/**
 * Re-encodes a header section that carries raw 8-bit bytes without a charset.
 * When those bytes are not valid UTF-8, they are read as windows-1252 (the usual sender
 * charset) and written back as UTF-8, which is what the MIME parser assumes.
 */
export function repairHeaderBytes(raw: Buffer): Buffer {
  const limit = Math.min(raw.length, MAX_HEADER_SECTION_BYTES);
  let end = -1;
  let has8bit = false;
  for (let i = 0; i < limit; i++) {
    const byte = raw[i]!;
    if (byte >= 0x80) has8bit = true;
    if (byte === 0x0a && (raw[i + 1] === 0x0a || (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a))) {
      end = i + 1;
      break;
    }
  }
  if (!has8bit || end < 0) return raw;

  const header = raw.subarray(0, end);
  if (isValidUtf8(header)) return raw;
  const fixed = Buffer.from(iconv.decode(header, "windows-1252"), "utf8");
  return Buffer.concat([fixed, raw.subarray(end)]);
}

function isValidUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** windows-1252 characters for the C1 range 0x80-0x9F; undefined positions stay as they are. */
const CP1252_C1 = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ";

const C1_PATTERN = /[\u0080-\u009f]/g;

/**
 * Maps C1 control characters to their windows-1252 meaning. Senders label windows-1252
 * text as iso-8859-1, so curly quotes, dashes and the euro sign arrive as C1 controls.
 */
export function fixC1Controls(text: string): string {
  if (!C1_PATTERN.test(text)) return text;
  C1_PATTERN.lastIndex = 0;
  return text.replace(C1_PATTERN, (char) => CP1252_C1[char.charCodeAt(0) - 0x80] ?? char);
}
