import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { LeaddError } from "../../../src/errors.js";
import { isConnectionLost, toLeaddError } from "../../../src/fetch/imap-errors.js";
import { withParents } from "../../../src/fetch/imap-folders.js";
import { createImapflowLogger } from "../../../src/fetch/imap-logger.js";
import { toSequenceSet } from "../../../src/fetch/mailbox.js";

const context = { host: "imap.example.com", port: 993, user: "leads@example.com", authType: "password" as const, operation: "connect" };

function imapflowError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error("Command failed"), fields);
}

describe("toSequenceSet", () => {
  it.each([
    [[5], "5"],
    [[1, 2, 3, 5, 7, 8], "1:3,5,7:8"],
    [[9, 3, 2, 3, 1], "1:3,9"],
    [[], ""],
  ])("compacts %j", (uids, expected) => {
    expect(toSequenceSet(uids)).toBe(expected);
  });
});

describe("withParents", () => {
  it("lists parents first", () => {
    expect(withParents("Leads/Done/2026")).toEqual(["Leads", "Leads/Done", "Leads/Done/2026"]);
  });

  it("keeps a single level", () => {
    expect(withParents("INBOX.Leads")).toEqual(["INBOX.Leads"]);
  });
});

describe("toLeaddError", () => {
  it("maps authentication failure to login failed", () => {
    const error = toLeaddError(imapflowError({ authenticationFailed: true, serverResponseCode: "AUTHENTICATIONFAILED" }), context);
    expect(error.code).toBe("IMAP_LOGIN_FAILED");
    expect(error.message).toBe(
      "IMAP login failed for leads@example.com at imap.example.com:993: AUTHENTICATIONFAILED. Check imap.user and the password.",
    );
  });

  it("maps temporary auth failure to connection failed", () => {
    const error = toLeaddError(imapflowError({ authenticationFailed: true, serverResponseCode: "UNAVAILABLE" }), context);
    expect(error.code).toBe("IMAP_CONNECTION_FAILED");
    expect(isConnectionLost(error)).toBe(true);
  });

  it("maps a dropped session to connection failed", () => {
    const cause = imapflowError({ code: "NoConnection" });
    const error = toLeaddError(cause, { ...context, operation: "FETCH", folder: "INBOX", uid: 4 });
    expect(error.code).toBe("IMAP_CONNECTION_FAILED");
    expect(error.cause).toBe(cause);
  });

  it("maps a NO response to command failed", () => {
    const error = toLeaddError(
      imapflowError({ responseStatus: "NO", responseText: "Quota exceeded." }),
      { ...context, operation: "APPEND", folder: "Sent" },
    );
    expect(error.code).toBe("IMAP_COMMAND_FAILED");
    expect(error.message).toBe("IMAP APPEND failed in Sent at imap.example.com:993: Quota exceeded.");
  });

  it("passes a LeaddError through", () => {
    const original = new LeaddError("MESSAGE_TOO_LARGE", "too large");
    expect(toLeaddError(original, context)).toBe(original);
  });
});

describe("createImapflowLogger", () => {
  function capture() {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString("utf8"));
        callback();
      },
    });
    return { logger: createImapflowLogger(pino({ level: "trace" }, stream)), text: () => lines.join("") };
  }

  it("hides credentials on LOGIN lines", () => {
    const { logger, text } = capture();
    logger.debug({ src: "c", msg: '1 LOGIN "leads@example.com" "hunter2-secret"' });
    expect(text()).not.toContain("hunter2-secret");
    expect(text()).toContain("LOGIN (* credentials hidden *)");
  });

  it("hides AUTHENTICATE responses", () => {
    const { logger, text } = capture();
    logger.debug({ src: "c", msg: "2 AUTHENTICATE XOAUTH2 dXNlcj1sZWFkcwFhdXRoPUJlYXJlciB0b2tlbgEB" });
    expect(text()).not.toContain("dXNlcj1sZWFkcwFhdXRoPUJlYXJlciB0b2tlbgEB");
    expect(text()).toContain("AUTHENTICATE XOAUTH2 (* credentials hidden *)");
  });

  it("moves info to debug and keeps other lines", () => {
    const { logger, text } = capture();
    logger.info({ msg: "Connection established" });
    logger.debug({ src: "c", msg: "3 UID SEARCH ALL" });
    logger.error({ msg: "Failed to process server response" });

    const levels = new Map(text().trim().split("\n").map((line) => {
      const entry = JSON.parse(line) as { msg: string; level: number };
      return [entry.msg, entry.level] as const;
    }));
    expect(levels.get("Connection established")).toBe(20);
    expect(levels.get("3 UID SEARCH ALL")).toBe(20);
    expect(levels.get("Failed to process server response")).toBe(40);
  });
});
