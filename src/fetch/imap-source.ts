/**
 * Streams one raw message from the selected folder, bounded by a size cap so a huge message
 * is rejected before it is read and never held in memory past the cap.
 */
import type { ImapFlow } from "imapflow";
import { LeaddError } from "../errors.js";

export interface SourceRequest {
  folder: string;
  uid: number;
  maxBytes: number;
  /** Builds the error for a UID that is no longer in the folder. */
  vanished: () => LeaddError;
}

/** imapflow's error code when the message was expunged while its chunks were being fetched. */
const DOWNLOAD_INCOMPLETE = "DownloadIncomplete";

function tooLarge(request: SourceRequest, size: number | null): LeaddError {
  const measured = size === null ? `more than ${request.maxBytes} bytes` : `${size} bytes`;
  return new LeaddError(
    "MESSAGE_TOO_LARGE",
    `Message UID ${request.uid} in ${request.folder} is ${measured}, over the limit of ${request.maxBytes} bytes. Raise limits.maxMessageBytes to process it.`,
    { details: { folder: request.folder, uid: request.uid, size, maxBytes: request.maxBytes } },
  );
}

/** Returns the message bytes; the folder must be selected (held by a mailbox lock) by the caller. */
export async function readSource(client: ImapFlow, request: SourceRequest): Promise<Buffer> {
  const { uid, maxBytes } = request;

  // RFC822.SIZE first: a message over the cap is rejected without downloading any of it.
  const meta = await client.fetchOne(String(uid), { uid: true, size: true }, { uid: true });
  if (meta === false) {
    throw request.vanished();
  }
  if (meta.size !== undefined && meta.size > maxBytes) {
    throw tooLarge(request, meta.size);
  }

  // One byte over the cap is asked for, so a server whose RFC822.SIZE understates the real
  // size still ends in MESSAGE_TOO_LARGE instead of a silently cut message.
  const download = await client.download(String(uid), undefined, { uid: true, maxBytes: maxBytes + 1 });
  if (download.content === undefined) {
    throw request.vanished();
  }

  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of download.content) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      total += buffer.length;
      if (total > maxBytes) {
        // Stops the chunked FETCH loop: imapflow ends the download when its stream is destroyed.
        download.content.destroy();
        throw tooLarge(request, null);
      }
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof Error && (error as { code?: unknown }).code === DOWNLOAD_INCOMPLETE) {
      throw request.vanished();
    }
    throw error;
  }
  return Buffer.concat(chunks, total);
}
