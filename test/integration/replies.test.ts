import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { isLeaddError } from "../../src/errors.js";
import { planReplies } from "../../src/reply/plan.js";
import { createReplySender } from "../../src/reply/send.js";
import type { ReplyPlan, SmtpOptions } from "../../src/reply/types.js";
import { startSmtpCapture, type SmtpCapture } from "../support/smtp-capture.js";
import { makeInput, memoryLedger } from "../unit/reply/fixtures.js";

const USER = "leads@aurora.example.com";
const PASSWORD = "s3cret-smtp-password";

let capture: SmtpCapture;
const logLines: string[] = [];
const log = pino({ level: "debug" }, { write: (line: string) => logLines.push(line) });

function options(overrides: Partial<SmtpOptions> = {}): SmtpOptions {
  return { host: capture.host, port: capture.port, secure: false, user: USER, password: PASSWORD, tlsRejectUnauthorized: true, ...overrides };
}

function createdPlan(): ReplyPlan {
  const [plan] = planReplies(makeInput(), memoryLedger(), new Date());
  if (plan === undefined) {
    throw new Error("expected a created reply plan");
  }
  return plan;
}

beforeAll(async () => {
  capture = await startSmtpCapture({ auth: { user: USER, password: PASSWORD } });
});

afterAll(async () => {
  await capture.stop();
});

describe("reply sender over SMTP", () => {
  it("sends a created reply with threading and loop headers", async () => {
    const sender = createReplySender(options(), log);
    const sent = await sender.send(createdPlan());
    const [message] = await capture.waitFor(1);

    expect(message?.authUser).toBe(USER);
    expect(message?.envelope.mailFrom).toBe("leads@aurora.example.com");
    expect(message?.envelope.rcptTo).toEqual(["kari.nordmann@aurora.example.com"]);

    const parsed = message?.parsed;
    expect(parsed?.messageId).toBe(sent.messageId);
    expect(parsed?.inReplyTo).toBe("<fwd-1@aurora.example.com>");
    expect(parsed?.references).toEqual(["<root@aurora.example.com>", "<fwd-1@aurora.example.com>"]);
    expect(parsed?.subject).toBe("Re: Price for 20 licences");
    expect(parsed?.headers.get("auto-submitted")).toBe("auto-replied");
    expect(parsed?.headers.get("x-auto-response-suppress")).toBe("All");
    expect(parsed?.headers.get("x-leadd-reply")).toBe("1");
    expect(parsed?.text).toContain("Imelda Effertz");
    expect(parsed?.html).toContain("Imelda Effertz");
  });

  it("returns the bytes that were sent", async () => {
    const sender = createReplySender(options(), log);
    const before = capture.messages.length;
    const sent = await sender.send(createdPlan());
    const messages = await capture.waitFor(before + 1);
    const captured = messages[before]?.raw.toString("utf8").replace(/\r\n$/, "");
    expect(captured).toBe(sent.raw.toString("utf8").replace(/\r\n$/, ""));
  });

  it("verifies the login", async () => {
    await expect(createReplySender(options(), log).verify()).resolves.toBeUndefined();
  });

  it("reports a failed login without the password", async () => {
    const sender = createReplySender(options({ password: "wrong-password" }), log);
    let caught: unknown;
    try {
      await sender.verify();
    } catch (error) {
      caught = error;
    }
    expect(isLeaddError(caught, "SMTP_FAILED")).toBe(true);
    const message = (caught as Error).message;
    expect(message).toContain(`127.0.0.1:${capture.port}`);
    expect(message).not.toContain("wrong-password");
    expect(message).not.toContain(PASSWORD);
  });

  it("reports a rejected message as SMTP_FAILED", async () => {
    capture.failNext(1, 451);
    const sender = createReplySender(options(), log);
    await expect(sender.send(createdPlan())).rejects.toMatchObject({ code: "SMTP_FAILED", details: { host: "127.0.0.1", port: capture.port } });
  });

  it("reports a closed port as SMTP_FAILED", async () => {
    const closed = await startSmtpCapture();
    const port = closed.port;
    await closed.stop();
    const sender = createReplySender(options({ port }), log);
    await expect(sender.send(createdPlan())).rejects.toThrow(`127.0.0.1:${port}`);
  });

  it("never logs the password", () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join("\n")).not.toContain(PASSWORD);
  });
});
