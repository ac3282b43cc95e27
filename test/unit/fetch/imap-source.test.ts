import { Readable } from "node:stream";
import type { ImapFlow } from "imapflow";
import { describe, expect, it } from "vitest";
import { LeaddError } from "../../../src/errors.js";
import { readSource } from "../../../src/fetch/imap-source.js";

/** Builds the two imapflow calls readSource makes, with a reported size and the real content. */
function fakeClient(reportedSize: number | false, content: Buffer | null, chunkSize = 1024): { client: ImapFlow; stream: () => Readable | null } {
  let stream: Readable | null = null;
  const client = {
    fetchOne: async () => (reportedSize === false ? false : { seq: 1, uid: 7, size: reportedSize }),
    download: async () => {
      if (content === null) {
        return {};
      }
      const chunks: Buffer[] = [];
      for (let offset = 0; offset < content.length; offset += chunkSize) {
        chunks.push(content.subarray(offset, offset + chunkSize));
      }
      stream = Readable.from(chunks);
      return { meta: {}, content: stream };
    },
  };
  return { client: client as unknown as ImapFlow, stream: () => stream };
}

function request(maxBytes: number) {
  return {
    folder: "INBOX",
    uid: 7,
    maxBytes,
    vanished: () => new LeaddError("IMAP_COMMAND_FAILED", "gone", { details: { vanished: true } }),
  };
}

describe("readSource", () => {
  it("returns the whole message under the cap", async () => {
    const content = Buffer.alloc(5000, "a");
    const { client } = fakeClient(5000, content);

    const source = await readSource(client, request(10_000));

    expect(source.equals(content)).toBe(true);
  });

  it("rejects by reported size before downloading", async () => {
    const { client, stream } = fakeClient(20_000, Buffer.alloc(20_000, "a"));

    await expect(readSource(client, request(10_000))).rejects.toMatchObject({ code: "MESSAGE_TOO_LARGE", details: { size: 20_000 } });
    expect(stream()).toBeNull();
  });

  it("stops reading when the content exceeds an understated size", async () => {
    const { client, stream } = fakeClient(100, Buffer.alloc(50_000, "a"));

    await expect(readSource(client, request(10_000))).rejects.toMatchObject({ code: "MESSAGE_TOO_LARGE", details: { size: null } });
    expect(stream()?.destroyed).toBe(true);
  });

  it("reports a missing uid as vanished", async () => {
    const { client } = fakeClient(false, null);

    await expect(readSource(client, request(10_000))).rejects.toMatchObject({ details: { vanished: true } });
  });

  it("reports a download without content as vanished", async () => {
    const { client } = fakeClient(100, null);

    await expect(readSource(client, request(10_000))).rejects.toMatchObject({ details: { vanished: true } });
  });
});
