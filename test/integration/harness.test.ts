import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DovecotServer, dovecotSkipReason, startDovecot } from "../support/dovecot.js";
import { type SmtpCapture, startSmtpCapture } from "../support/smtp-capture.js";

describe("smtp capture", () => {
  let capture: SmtpCapture;

  beforeAll(async () => {
    capture = await startSmtpCapture({ auth: { user: "sender@example.com", password: "smtp-test-password" } });
  });

  afterAll(async () => {
    await capture?.stop();
  });

  it("captures a nodemailer message", async () => {
    const transport = nodemailer.createTransport({
      host: capture.host,
      port: capture.port,
      secure: false,
      ignoreTLS: true,
      auth: { user: "sender@example.com", pass: "smtp-test-password" },
    });
    await transport.sendMail({
      from: "Sender <sender@example.com>",
      to: "lead@example.org",
      subject: "Takk for henvendelsen",
      text: "Hei Kari, vi tar kontakt.",
      headers: { "X-Leadd-Reply": "1" },
    });

    const [message] = await capture.waitFor(1);
    expect(message?.envelope.mailFrom).toBe("sender@example.com");
    expect(message?.envelope.rcptTo).toEqual(["lead@example.org"]);
    expect(message?.authUser).toBe("sender@example.com");
    expect(message?.parsed.subject).toBe("Takk for henvendelsen");
    expect(message?.parsed.headers.get("x-leadd-reply")).toBe("1");
    expect(message?.raw.toString("utf8")).toContain("Hei Kari");
  });

  it("rejects wrong credentials", async () => {
    const transport = nodemailer.createTransport({
      host: capture.host,
      port: capture.port,
      secure: false,
      ignoreTLS: true,
      auth: { user: "sender@example.com", pass: "wrong" },
    });
    await expect(transport.sendMail({ from: "sender@example.com", to: "a@example.org", text: "x" })).rejects.toMatchObject({
      code: "EAUTH",
    });
  });

  it("fails the next message on request", async () => {
    capture.failNext(1, 451);
    const transport = nodemailer.createTransport({
      host: capture.host,
      port: capture.port,
      secure: false,
      ignoreTLS: true,
      auth: { user: "sender@example.com", pass: "smtp-test-password" },
    });
    const before = capture.messages.length;
    await expect(transport.sendMail({ from: "sender@example.com", to: "a@example.org", text: "x" })).rejects.toMatchObject({
      responseCode: 451,
    });
    expect(capture.messages.length).toBe(before);
  });

  it("waitFor times out with a count", async () => {
    await expect(capture.waitFor(capture.messages.length + 1, 50)).rejects.toThrow(/received \d+ of \d+ messages within 50 ms/);
  });
});

const skipReason = dovecotSkipReason();

describe.skipIf(skipReason !== null)("dovecot harness", () => {
  let server: DovecotServer;

  beforeAll(async () => {
    server = await startDovecot();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("appends and lists with keywords", async () => {
    const raw = "From: a@example.org\r\nTo: leads@example.com\r\nSubject: Hello\r\nMessage-ID: <harness-1@example.org>\r\n\r\nBody\r\n";
    const uid = await server.appendMessage("INBOX", raw, ["$LeadCreated", "\\Seen"]);

    const messages = await server.listMessages("INBOX");
    expect(messages).toEqual([{ uid, flags: ["$LeadCreated", "\\Seen"], messageId: "<harness-1@example.org>" }]);
  });

  it("creates nested folders", async () => {
    await server.createFolder("Leads/Done");
    await server.appendMessage("Leads/Done", "Subject: x\r\n\r\ny\r\n");
    expect(await server.listMessages("Leads/Done")).toHaveLength(1);
  });

  it("keeps mail across restart", async () => {
    const before = await server.listMessages("INBOX");
    await server.restart();
    expect(await server.listMessages("INBOX")).toEqual(before);
  });

  it("kicks connections without error", async () => {
    await expect(server.kickConnections()).resolves.toBeUndefined();
  });
});
