import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isLeaddError } from "../../src/errors.js";
import { analyzeMessage } from "../../src/extract/analyze.js";
import { corpusOptions, silentLog } from "../unit/extract/options.js";

const FIXTURES = join(import.meta.dirname, "../fixtures");
const CORPUS = join(import.meta.dirname, "..", "..", "..", "shared", "corpus", "enquiries");

function message(body: string, headers = "", contentType = "text/plain; charset=utf-8"): Buffer {
  return Buffer.from(`From: Anna Berg <anna@berg.example.se>\r\nTo: leads@aurora.example.com\r\nSubject: Offert\r\nMessage-ID: <h@berg.example.se>\r\n${headers}Content-Type: ${contentType}\r\n\r\n${body}`);
}

function seeds(): Buffer[] {
  const dirs = [FIXTURES];
  try {
    readdirSync(CORPUS);
    dirs.push(CORPUS);
  } catch {
    // The shared corpus is only present on development machines; the fixtures suffice.
  }
  return dirs.flatMap((dir) => readdirSync(dir).filter((name) => name.endsWith(".eml")).map((name) => readFileSync(join(dir, name))));
}

describe("analyzeMessage hostile input", async () => {
  const options = await corpusOptions();

  it("handles a megabyte line without newlines", async () => {
    const analysis = await analyzeMessage(message("On ".repeat(350_000)), options, silentLog);
    expect(analysis.isLead).toBe(true);
    expect(analysis.lead.description.length).toBeLessThanOrEqual(256 * 1024);
  });

  it("handles many header-like lines", async () => {
    const body = "From: x\r\nSent: y\r\n".repeat(20_000);
    const analysis = await analyzeMessage(message(body, "", "text/plain"), options, silentLog);
    expect(analysis.isLead).toBe(true);
  });

  it("handles deeply nested HTML", async () => {
    const html = `${"<div>".repeat(20_000)}Hello we need rooms${"</div>".repeat(20_000)}<script>alert(1)</script>`;
    const analysis = await analyzeMessage(message(html, "", "text/html; charset=utf-8"), options, silentLog);
    expect(analysis.lead.description).not.toContain("alert");
  });

  it("skips a large attachment without keeping it", async () => {
    const attachment = Buffer.alloc(8 * 1024 * 1024, 7).toString("base64").replace(/(.{76})/g, "$1\r\n");
    const body = [
      "--b",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Hei, vi vill ha en offert på 10 rum.",
      "",
      "--b",
      "Content-Type: application/octet-stream",
      "Content-Transfer-Encoding: base64",
      "Content-Disposition: attachment; filename=big.bin",
      "",
      attachment,
      "--b--",
      "",
    ].join("\r\n");
    const analysis = await analyzeMessage(message(body, "", 'multipart/mixed; boundary="b"'), options, silentLog);
    expect(analysis.lead.description).toContain("offert på 10 rum");
  });

  it("handles deeply nested multiparts", async () => {
    let body = "Content-Type: text/plain\r\n\r\nInnermost text\r\n";
    for (let depth = 0; depth < 200; depth++) body = `Content-Type: multipart/mixed; boundary="b${depth}"\r\n\r\n--b${depth}\r\n${body}--b${depth}--\r\n`;
    const raw = Buffer.from(`From: a@example.se\r\nSubject: x\r\n${body}`);
    const analysis = await analyzeMessage(raw, options, silentLog);
    expect(typeof analysis.isLead).toBe("boolean");
  });

  it("handles attached messages nested in each other", async () => {
    let inner = "From: Deep <deep@example.se>\r\nSubject: x\r\nContent-Type: text/plain\r\n\r\nWe want rooms.\r\n";
    for (let depth = 0; depth < 30; depth++) {
      inner = `From: Staff <s${depth}@aurora.example.com>\r\nSubject: Fwd: x\r\nContent-Type: multipart/mixed; boundary="m${depth}"\r\n\r\n--m${depth}\r\nContent-Type: message/rfc822\r\n\r\n${inner}\r\n--m${depth}--\r\n`;
    }
    const analysis = await analyzeMessage(Buffer.from(inner), options, silentLog);
    expect(analysis.isLead).toBe(true);
  });

  it("rejects bytes that are not mail", async () => {
    await expect(analyzeMessage(Buffer.from([0, 159, 146, 150, 0, 0]), options, silentLog)).rejects.toMatchObject({ code: "MESSAGE_UNREADABLE" });
  });

  it("survives mutated corpus bytes", async () => {
    const inputs = seeds();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: inputs.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("flip", "cut", "insert")), { minLength: 1, maxLength: 8 }),
        async (index, edits) => {
          let bytes = Buffer.from(inputs[index]!);
          for (const [position, value, kind] of edits) {
            const at = bytes.length === 0 ? 0 : position % bytes.length;
            if (kind === "flip") bytes[at] = value;
            else if (kind === "cut") bytes = bytes.subarray(0, at);
            else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([value, 0x0a, value]), bytes.subarray(at)]);
          }
          try {
            const analysis = await analyzeMessage(bytes, options, silentLog);
            expect(typeof analysis.isLead).toBe("boolean");
          } catch (error) {
            if (!isLeaddError(error, "MESSAGE_UNREADABLE")) throw error;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
