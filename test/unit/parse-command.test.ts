import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseCommand } from "../../src/cli/commands/parse.js";
import { corpusOptions, leadSettings, silentLog } from "./extract/options.js";

const FIXTURES = join(import.meta.dirname, "../fixtures");

async function run(paths: string[], json: boolean): Promise<{ status: number; output: string }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    const status = await parseCommand(paths, { json, analyze: await corpusOptions(), lead: leadSettings }, silentLog);
    return { status, output: chunks.join("") };
  } finally {
    spy.mockRestore();
  }
}

describe("parseCommand", () => {
  afterEach(() => vi.restoreAllMocks());

  it("prints one JSON line per message", async () => {
    const file = join(FIXTURES, "gmail-forward-norwegian.eml");
    const { status, output } = await run([file], true);
    expect(status).toBe(0);
    const lines = output.trim().split("\n");
    expect(lines).toHaveLength(1);
    const row = JSON.parse(lines[0]!);
    expect(row.source).toBe(file);
    expect(row.isLead).toBe(true);
    expect(row.reason).toMatch(/^forwarded enquiry \(Gmail, Norwegian\)$/);
    expect(Object.keys(row.request)).toHaveLength(12);
    expect(row.request.CreatorsContact).toBe("Aurora Systems");
    expect(row.evidence.LeadPersonEmail).toEqual({ value: "ola@fjordlager.example.no", from: "forwarded header", confidence: 0.95 });
  });

  it("reports an unreadable file", async () => {
    const { status, output } = await run(["/nonexistent/file.eml"], true);
    expect(status).toBe(0);
    const row = JSON.parse(output.trim());
    expect(row).toMatchObject({ source: "/nonexistent/file.eml", isLead: false, request: null });
    expect(row.reason).toMatch(/unreadable/);
  });

  it("reports bytes that are not mail", async () => {
    const dir = mkdtempSync(join(tmpdir(), "leadd-parse-"));
    writeFileSync(join(dir, "junk.eml"), Buffer.from([0, 1, 2, 3, 255, 254]));
    const { output } = await run([join(dir, "junk.eml")], true);
    expect(JSON.parse(output.trim()).reason).toMatch(/unreadable/);
  });

  it("reads every message of a folder and an mbox", async () => {
    const dir = mkdtempSync(join(tmpdir(), "leadd-parse-"));
    const message = "From: Anna Berg <anna@berg.example.se>\nSubject: Offert\nMessage-ID: <m@x>\n\nHej, vi vill ha en offert.\n";
    writeFileSync(join(dir, "box.mbox"), `From anna@berg.example.se Mon Nov  3 09:00:00 2025\n${message}\nFrom anna@berg.example.se Mon Nov  3 09:01:00 2025\n${message}`);
    writeFileSync(join(dir, "one.eml"), message);
    const { output } = await run([dir], true);
    const sources = output.trim().split("\n").map((line) => JSON.parse(line).source);
    expect(sources).toEqual([join(dir, "box.mbox#1"), join(dir, "box.mbox#2"), join(dir, "one.eml")]);
  });

  it("prints a readable table by default", async () => {
    const { output } = await run([join(FIXTURES, "dutch-web-form-text.eml")], false);
    expect(output).toContain("web form (generic)");
    expect(output).toMatch(/person:\s+Bram van der Meer\s+\[form field, 0\.95\]/);
    expect(output).toMatch(/phone:\s+\+31612345678/);
  });
});
