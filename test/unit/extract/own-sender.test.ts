import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { analyzeMessage } from "../../../src/extract/analyze.js";
import { corpusOptions } from "./options.js";

const log = pino({ level: "silent" });

function message(from: string, body: string, subject = "New customer"): Buffer {
  return Buffer.from(
    [`From: ${from}`, "To: leads@aurora.example.com", `Subject: ${subject}`, "Message-ID: <own-1@aurora.example.com>", "Content-Type: text/plain; charset=utf-8", "", body, ""].join("\r\n"),
  );
}

describe("analyzeMessage own senders", () => {
  it("does not make a colleague the lead", async () => {
    const options = await corpusOptions();
    const analysis = await analyzeMessage(
      message('"Kari Haugen" <kari.haugen@aurora.example.com>', "Hi, a customer called about desk booking. Please follow up.\r\n\r\nKari Haugen\r\nAurora Systems\r\n+47 22 33 44 55"),
      options,
      log,
    );
    expect(analysis.isLead).toBe(true);
    expect(analysis.missing).toContain("a lead outside our own domains (the sender is a colleague)");
  });

  it("keeps an outside sender complete", async () => {
    const options = await corpusOptions();
    const analysis = await analyzeMessage(
      message('"Ola Nordmann" <ola.nordmann@fjellkraft.example.no>', "Hei, vi ønsker et tilbud på møteromsbooking for 20 rom.\r\n\r\nMed vennlig hilsen\r\nOla Nordmann\r\nFjellkraft AS\r\n+47 912 34 567"),
      options,
      log,
    );
    expect(analysis.missing).toEqual([]);
  });
});
