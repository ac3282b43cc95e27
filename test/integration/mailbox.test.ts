import { createServer, type Server } from "node:http";
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LeaddError } from "../../src/errors.js";
import { type ImapOptions, type Mailbox, createImapMailbox } from "../../src/fetch/mailbox.js";
import { type DovecotServer, dovecotSkipReason, startDovecot } from "../support/dovecot.js";
import { getFreePort } from "../support/ports.js";

/** Creates a pino logger at trace level that keeps its JSON lines for assertions. */
function captureLog(): { log: Logger; lines: () => string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString("utf8").split("\n").filter((line) => line !== ""));
      callback();
    },
  });
  return { log: pino({ level: "trace" }, stream), lines: () => lines };
}

function message(id: string, body = "Hello, I would like a quote for 20 licences.\r\n"): string {
  return [
    "From: Kari Nordmann <kari@example.org>",
    "To: leads@example.com",
    `Subject: Enquiry ${id}`,
    `Message-ID: <${id}@example.org>`,
    "Date: Fri, 04 Dec 2026 10:00:00 +0100",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    body,
  ].join("\r\n");
}

/** Expects the promise to reject with a LeaddError and returns it for further checks. */
async function leaddErrorOf(promise: Promise<unknown>): Promise<LeaddError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(LeaddError);
  return error as LeaddError;
}

const skipReason = dovecotSkipReason();

describe.skipIf(skipReason !== null)("imap mailbox", () => {
  let server: DovecotServer;
  let mailbox: Mailbox;
  let logged: ReturnType<typeof captureLog>;
  const opened: Mailbox[] = [];
  let folderCounter = 0;

  function options(overrides: Partial<ImapOptions> = {}): ImapOptions {
    return {
      name: "leads",
      host: server.host,
      port: server.port,
      secure: false,
      user: server.user,
      password: server.password,
      tlsRejectUnauthorized: true,
      reconnect: { attempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 },
      ...overrides,
    };
  }

  function open(overrides: Partial<ImapOptions> = {}, log: Logger = logged.log): Mailbox {
    const created = createImapMailbox(options(overrides), log);
    opened.push(created);
    return created;
  }

  /** Creates a folder for one test, so UIDs and counts of other tests do not mix in. */
  async function freshFolder(): Promise<string> {
    folderCounter++;
    const folder = `Test${folderCounter}`;
    await server.createFolder(folder);
    return folder;
  }

  beforeAll(async () => {
    server = await startDovecot();
    logged = captureLog();
    mailbox = open();
    await mailbox.connect();
  });

  afterEach(async (context) => {
    if (context.task.result?.state === "fail") {
      console.error(`Dovecot log of the failed test:\n${await server.readLog()}`);
    }
  });

  afterAll(async () => {
    for (const each of opened) {
      await each.close();
    }
    await server?.stop();
  });

  it("listPending excludes keywords and deleted mail", async () => {
    const folder = await freshFolder();
    const plain = await server.appendMessage(folder, message("plain"));
    await server.appendMessage(folder, message("created"), ["$LeadCreated"]);
    await server.appendMessage(folder, message("review"), ["$LeadReview", "\\Seen"]);
    await server.appendMessage(folder, message("deleted"), ["\\Deleted"]);
    const seen = await server.appendMessage(folder, message("seen"), ["\\Seen"]);

    const pending = await mailbox.listPending(folder, ["$LeadCreated", "$LeadReview"]);

    expect(pending.uidValidity).toMatch(/^\d+$/);
    expect(pending.messages.map((entry) => entry.uid)).toEqual([plain, seen]);
    const first = pending.messages[0];
    expect(first?.messageId).toBe("<plain@example.org>");
    expect(first?.size).toBe(Buffer.byteLength(message("plain")));
    expect(first?.flags).toEqual([]);
    expect(first?.internalDate).toBeInstanceOf(Date);
    expect(pending.messages[1]?.flags).toEqual(["\\Seen"]);
  });

  it("listPending with one keyword or none", async () => {
    const folder = await freshFolder();
    await server.appendMessage(folder, message("one-a"));
    await server.appendMessage(folder, message("one-b"), ["$LeadCreated"]);
    await server.appendMessage(folder, message("one-c"), ["$LeadFailed"]);

    const single = await mailbox.listPending(folder, ["$LeadCreated"]);
    expect(single.messages.map((entry) => entry.messageId)).toEqual(["<one-a@example.org>", "<one-c@example.org>"]);

    const none = await mailbox.listPending(folder, []);
    expect(none.messages).toHaveLength(3);
  });

  it("listPending of an empty folder", async () => {
    const folder = await freshFolder();
    const pending = await mailbox.listPending(folder, ["$LeadCreated"]);
    expect(pending.messages).toEqual([]);
    expect(pending.uidValidity).toMatch(/^\d+$/);
  });

  it("listPending of a missing folder", async () => {
    const error = await leaddErrorOf(mailbox.listPending("Does/Not/Exist", []));
    expect(error.code).toBe("IMAP_COMMAND_FAILED");
    expect(error.details.folderMissing).toBe(true);
    expect(error.message).toContain("Does/Not/Exist not found");
  });

  it("fetchSource returns the raw message", async () => {
    const folder = await freshFolder();
    const raw = message("raw", "Hei, vi ønsker et tilbud på 20 lisenser.\r\nMvh Kari\r\n");
    const uid = await server.appendMessage(folder, raw);

    const source = await mailbox.fetchSource(folder, uid, 1024 * 1024);

    expect(source.equals(Buffer.from(raw))).toBe(true);
  });

  it("fetchSource refuses a message over the cap", async () => {
    const folder = await freshFolder();
    const line = `${"x".repeat(98)}\r\n`;
    const big = message("big", line.repeat(Math.ceil((2 * 1024 * 1024) / line.length)));
    const uid = await server.appendMessage(folder, big);

    const error = await leaddErrorOf(mailbox.fetchSource(folder, uid, 1024 * 1024));

    expect(error.code).toBe("MESSAGE_TOO_LARGE");
    expect(error.details.size).toBe(Buffer.byteLength(big));
    expect(error.details.maxBytes).toBe(1024 * 1024);
    expect(error.message).toContain("limits.maxMessageBytes");
  });

  it("fetchSource accepts a message exactly at the cap", async () => {
    const folder = await freshFolder();
    const raw = message("exact");
    const uid = await server.appendMessage(folder, raw);

    const source = await mailbox.fetchSource(folder, uid, Buffer.byteLength(raw));

    expect(source.length).toBe(Buffer.byteLength(raw));
  });

  it("fetchSource of an expunged uid is vanished", async () => {
    const folder = await freshFolder();
    const uid = await server.appendMessage(folder, message("gone"));
    await mailbox.listPending(folder, []);
    await server.expungeMessage(folder, uid);

    const error = await leaddErrorOf(mailbox.fetchSource(folder, uid, 1024 * 1024));

    expect(error.code).toBe("IMAP_COMMAND_FAILED");
    expect(error.details.vanished).toBe(true);
  });

  it("addKeywords is idempotent", async () => {
    const folder = await freshFolder();
    const uid = await server.appendMessage(folder, message("flag"));

    await mailbox.addKeywords(folder, uid, ["$LeadCreated", "$LeadReview"]);
    await mailbox.addKeywords(folder, uid, ["$LeadCreated"]);

    const [stored] = await server.listMessages(folder);
    expect(stored?.flags).toEqual(["$LeadCreated", "$LeadReview"]);
    const pending = await mailbox.listPending(folder, ["$LeadCreated"]);
    expect(pending.messages).toEqual([]);
  });

  it("addKeywords on an expunged uid is a no-op", async () => {
    const folder = await freshFolder();
    const uid = await server.appendMessage(folder, message("flag-gone"));
    await server.expungeMessage(folder, uid);

    await expect(mailbox.addKeywords(folder, uid, ["$LeadFailed"])).resolves.toBeUndefined();
  });

  it("ensureFolders creates nested folders once", async () => {
    await mailbox.ensureFolders(["Leads/Done", "Leads/Review", "INBOX"]);
    await mailbox.ensureFolders(["Leads/Done", "Leads/Review"]);

    expect(await server.listMessages("Leads")).toEqual([]);
    expect(await server.listMessages("Leads/Done")).toEqual([]);
    expect(await server.listMessages("Leads/Review")).toEqual([]);
    const created = logged.lines().filter((line) => line.includes('"msg":"Created IMAP folder"'));
    expect(created).toHaveLength(3);
  });

  it("move files a message in a nested folder", async () => {
    const folder = await freshFolder();
    await mailbox.ensureFolders(["Moved/Done"]);
    const uid = await server.appendMessage(folder, message("move-me"), ["$LeadCreated"]);

    await mailbox.move(folder, uid, "Moved/Done");

    expect(await server.listMessages(folder)).toEqual([]);
    const moved = await server.listMessages("Moved/Done");
    expect(moved.map((entry) => entry.messageId)).toEqual(["<move-me@example.org>"]);
    expect(moved[0]?.flags).toEqual(["$LeadCreated"]);
  });

  it("move of a vanished uid is a no-op", async () => {
    const folder = await freshFolder();
    await mailbox.ensureFolders(["Moved/Twice"]);
    const uid = await server.appendMessage(folder, message("move-twice"));

    await mailbox.move(folder, uid, "Moved/Twice");
    await expect(mailbox.move(folder, uid, "Moved/Twice")).resolves.toBeUndefined();
    await expect(mailbox.move(folder, 999_999, "Moved/Twice")).resolves.toBeUndefined();

    expect(await server.listMessages("Moved/Twice")).toHaveLength(1);
  });

  it("move to a missing folder fails", async () => {
    const folder = await freshFolder();
    const uid = await server.appendMessage(folder, message("no-target"));

    const error = await leaddErrorOf(mailbox.move(folder, uid, "Nowhere/Else"));

    expect(error.code).toBe("IMAP_COMMAND_FAILED");
    expect(error.message).toContain("Nowhere/Else");
    expect(await server.listMessages(folder)).toHaveLength(1);
  });

  it("append stores a message with flags", async () => {
    const folder = await freshFolder();

    await mailbox.append(folder, Buffer.from(message("sent-copy")), ["\\Seen"]);

    const stored = await server.listMessages(folder);
    expect(stored).toEqual([{ uid: expect.any(Number), flags: ["\\Seen"], messageId: "<sent-copy@example.org>" }]);
  });

  it("uid operations detect a new UIDVALIDITY", async () => {
    const folder = await freshFolder();
    await server.appendMessage(folder, message("before"));
    const before = await mailbox.listPending(folder, []);
    await server.deleteFolder(folder);
    await server.createFolder(folder);
    const uid = await server.appendMessage(folder, message("after"));

    const error = await leaddErrorOf(mailbox.fetchSource(folder, uid, 1024 * 1024));

    expect(error.code).toBe("IMAP_COMMAND_FAILED");
    expect(error.details.uidValidityChanged).toBe(true);
    expect(error.details.expected).toBe(before.uidValidity);
  });

  it("login failure names user and host, not password", async () => {
    const wrongPassword = "wrong-Secret-4711";
    const own = captureLog();
    const failing = open({ password: wrongPassword }, own.log);

    const error = await leaddErrorOf(failing.connect());

    expect(error.code).toBe("IMAP_LOGIN_FAILED");
    expect(error.message).toContain(server.user);
    expect(error.message).toContain(`127.0.0.1:${server.port}`);
    expect(error.message).toContain("AUTHENTICATIONFAILED");
    expect(error.message).not.toContain(wrongPassword);
    expect(error.cause).toBeDefined();
    expect(own.lines().join("\n")).not.toContain(wrongPassword);
  });

  it("logs protocol at trace without credentials", async () => {
    const own = captureLog();
    const traced = open({}, own.log);
    await traced.connect();
    await traced.listPending("INBOX", ["$LeadCreated"]);

    const text = own.lines().join("\n");
    expect(text).toContain('"component":"imap"');
    expect(text).toContain("UID SEARCH");
    expect(text).not.toContain(server.password);
    const saslPlain = Buffer.from(`\u0000${server.user}\u0000${server.password}`).toString("base64");
    expect(text).not.toContain(saslPlain);
    expect(logged.lines().join("\n")).not.toContain(server.password);
  });

  it("connection refused names host and port", async () => {
    const closedPort = await getFreePort();
    const refused = open({ port: closedPort });

    const error = await leaddErrorOf(refused.connect());

    expect(error.code).toBe("IMAP_CONNECTION_FAILED");
    expect(error.message).toContain(`127.0.0.1:${closedPort}`);
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.message).toContain("imap.port");
  });

  it("operations give up after reconnect attempts", async () => {
    const closedPort = await getFreePort();
    const refused = open({ port: closedPort, reconnect: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } });

    const error = await leaddErrorOf(refused.listPending("INBOX", []));

    expect(error.code).toBe("IMAP_CONNECTION_FAILED");
    expect(error.details.reconnectAttempts).toBe(2);
    expect(error.message).toContain("Gave up after 2 reconnect attempts");
  });

  it("reconnects after a server restart", async () => {
    const folder = await freshFolder();
    await server.appendMessage(folder, message("restart"));
    const before = await mailbox.listPending(folder, []);

    await server.restart();
    const after = await mailbox.listPending(folder, []);

    expect(after).toEqual(before);
    const warnings = logged.lines().filter((line) => line.includes("IMAP connection lost; reconnecting"));
    expect(warnings.length).toBeGreaterThan(0);
  });

  it("reconnects after the session is kicked", async () => {
    const folder = await freshFolder();
    const uid = await server.appendMessage(folder, message("kicked"));
    await mailbox.listPending(folder, []);

    await server.kickConnections();
    await mailbox.addKeywords(folder, uid, ["$LeadCreated"]);

    const [stored] = await server.listMessages(folder);
    expect(stored?.flags).toEqual(["$LeadCreated"]);
  });

  it("connect works again after close", async () => {
    const reused = open();
    await reused.connect();
    await reused.close();
    await reused.connect();

    await expect(reused.listPending("INBOX", [])).resolves.toBeDefined();
  });

  it("rejects password and token together", () => {
    expect(() => open({ accessToken: async () => "token" })).toThrow(/exactly one of imap.password/);
  });
});

describe.skipIf(skipReason !== null)("imap mailbox over starttls", () => {
  let server: DovecotServer;
  const opened: Mailbox[] = [];

  function open(tlsRejectUnauthorized: boolean): Mailbox {
    const created = createImapMailbox(
      {
        name: "leads",
        host: server.host,
        port: server.port,
        secure: false,
        user: server.user,
        password: server.password,
        tlsRejectUnauthorized,
      },
      captureLog().log,
    );
    opened.push(created);
    return created;
  }

  beforeAll(async () => {
    server = await startDovecot({ starttls: true });
  });

  afterAll(async () => {
    for (const each of opened) {
      await each.close();
    }
    await server?.stop();
  });

  it("rejects a self-signed certificate by default", async () => {
    const error = await leaddErrorOf(open(true).connect());

    expect(error.code).toBe("IMAP_CONNECTION_FAILED");
    expect(error.message).toContain("imap.tlsRejectUnauthorized");
  });

  it("upgrades with tlsRejectUnauthorized false", async () => {
    const insecure = open(false);

    await insecure.connect();

    await expect(insecure.listPending("INBOX", [])).resolves.toMatchObject({ messages: [] });
    expect(await server.readLog()).toMatch(/Login: user=<leads@example\.com>.*, TLS/);
  });
});

describe.skipIf(skipReason !== null)("imap mailbox over tls", () => {
  let server: DovecotServer;
  const opened: Mailbox[] = [];

  function open(tlsRejectUnauthorized: boolean, log: Logger): Mailbox {
    const created = createImapMailbox(
      {
        name: "leads",
        host: server.host,
        port: server.port,
        secure: true,
        user: server.user,
        password: server.password,
        tlsRejectUnauthorized,
      },
      log,
    );
    opened.push(created);
    return created;
  }

  beforeAll(async () => {
    server = await startDovecot({ tls: true });
  });

  afterAll(async () => {
    for (const each of opened) {
      await each.close();
    }
    await server?.stop();
  });

  it("rejects a self-signed certificate by default", async () => {
    const { log } = captureLog();

    const error = await leaddErrorOf(open(true, log).connect());

    expect(error.code).toBe("IMAP_CONNECTION_FAILED");
    expect(error.message).toContain("DEPTH_ZERO_SELF_SIGNED_CERT");
    expect(error.message).toContain("imap.tlsRejectUnauthorized");
  });

  it("accepts it with tlsRejectUnauthorized false", async () => {
    const { log, lines } = captureLog();
    await server.appendMessage("INBOX", message("tls"));
    const insecure = open(false, log);

    await insecure.connect();
    const pending = await insecure.listPending("INBOX", []);
    await insecure.close();
    await insecure.connect();

    expect(pending.messages.map((entry) => entry.messageId)).toEqual(["<tls@example.org>"]);
    const warnings = lines().filter((line) => line.includes("tlsRejectUnauthorized is false"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"level":40');
  });
});

describe.skipIf(skipReason !== null)("imap mailbox with oauth", () => {
  const validToken = "valid-access-token-31337";
  let introspection: Server;
  let server: DovecotServer;
  const opened: Mailbox[] = [];

  /** Returns a mailbox whose token provider hands out `tokens` in turn and counts the calls. */
  function open(tokens: string[], log: Logger): { mailbox: Mailbox; calls: () => number } {
    let calls = 0;
    const mailbox = createImapMailbox(
      {
        name: "leads",
        host: server.host,
        port: server.port,
        secure: false,
        user: server.user,
        accessToken: async () => tokens[Math.min(calls++, tokens.length - 1)] ?? "",
        tlsRejectUnauthorized: true,
      },
      log,
    );
    opened.push(mailbox);
    return { mailbox, calls: () => calls };
  }

  beforeAll(async () => {
    // RFC 7662 token introspection, as Dovecot's oauth2 passdb calls it.
    introspection = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      request.on("end", () => {
        const token = new URLSearchParams(body).get("token");
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify(token === validToken ? { active: true, username: "leads@example.com" } : { active: false }));
      });
    });
    const port = await getFreePort();
    await new Promise<void>((resolve) => introspection.listen(port, "127.0.0.1", resolve));
    server = await startDovecot({ oauth2IntrospectionUrl: `http://127.0.0.1:${port}/introspect` });
  });

  afterAll(async () => {
    for (const each of opened) {
      await each.close();
    }
    await server?.stop();
    await new Promise<void>((resolve) => (introspection === undefined ? resolve() : introspection.close(() => resolve())));
  });

  it("signs in with an access token", async () => {
    const { log, lines } = captureLog();
    const { mailbox } = open([validToken], log);

    await mailbox.connect();
    const pending = await mailbox.listPending("INBOX", []);

    expect(pending.messages).toEqual([]);
    expect(lines().join("\n")).not.toContain(validToken);
  });

  it("asks for a new token on reconnect", async () => {
    const { log } = captureLog();
    const { mailbox, calls } = open([validToken], log);
    await mailbox.connect();

    await server.kickConnections();
    await mailbox.listPending("INBOX", []);

    expect(calls()).toBe(2);
  });

  it("rejected token points to imap.auth", async () => {
    const { log } = captureLog();
    const { mailbox } = open(["expired-token"], log);

    const error = await leaddErrorOf(mailbox.connect());

    expect(error.code).toBe("IMAP_LOGIN_FAILED");
    expect(error.message).toContain("imap.auth");
    expect(error.message).not.toContain("expired-token");
  });
});
