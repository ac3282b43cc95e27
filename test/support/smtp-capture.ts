/**
 * A capturing SMTP server for integration tests, built on the `smtp-server` package and
 * listening on 127.0.0.1 and a free port. Every accepted message is kept with its envelope,
 * raw bytes and the mailparser result.
 */
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerSession } from "smtp-server";
import { getFreePort } from "./ports.js";

export interface SmtpCaptureOptions {
  /** Require AUTH PLAIN or LOGIN with these credentials; absent = no authentication offered. */
  auth?: { user: string; password: string };
  /** Offer STARTTLS with smtp-server's built-in self-signed certificate. Default false. */
  starttls?: boolean;
}

export interface CapturedMessage {
  envelope: { mailFrom: string | null; rcptTo: string[] };
  /** The authenticated user name, when the client logged in. */
  authUser: string | null;
  raw: Buffer;
  parsed: ParsedMail;
}

export interface SmtpCapture {
  readonly host: string;
  readonly port: number;
  readonly messages: CapturedMessage[];
  /** Resolves with all messages once `count` have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<CapturedMessage[]>;
  /** Rejects the next `count` messages with a temporary failure (default 451) instead of accepting them. */
  failNext(count?: number, responseCode?: number): void;
  stop(): Promise<void>;
}

const DEFAULT_WAIT_MS = 10_000;

class SmtpDataError extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

export async function startSmtpCapture(options: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
  const messages: CapturedMessage[] = [];
  const waiters = new Set<() => void>();
  let failuresLeft = 0;
  let failureCode = 451;

  const notify = (): void => {
    for (const waiter of waiters) {
      waiter();
    }
  };

  const server = new SMTPServer({
    secure: false,
    logger: false,
    disabledCommands: options.starttls === true ? [] : ["STARTTLS"],
    authOptional: options.auth === undefined,
    authMethods: ["PLAIN", "LOGIN"],
    // Credentials over plain TCP are fine on 127.0.0.1 in tests.
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      const expected = options.auth;
      if (expected !== undefined && auth.username === expected.user && auth.password === expected.password) {
        callback(null, { user: auth.username });
        return;
      }
      callback(new Error("Invalid username or password"));
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (error) => callback(error));
      stream.on("end", () => {
        if (failuresLeft > 0) {
          failuresLeft--;
          callback(new SmtpDataError("Temporary failure injected by the test", failureCode));
          return;
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            messages.push({
              envelope: {
                mailFrom: session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address,
                rcptTo: session.envelope.rcptTo.map((recipient) => recipient.address),
              },
              authUser: typeof session.user === "string" ? session.user : null,
              raw,
              parsed,
            });
            notify();
            callback();
          })
          .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
      });
    },
  });
  server.on("error", () => undefined);

  const port = await getFreePort();
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.server.off("error", reject);
      resolve();
    });
  });

  return {
    host: "127.0.0.1",
    port,
    messages,

    waitFor(count, timeoutMs = DEFAULT_WAIT_MS) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (messages.length >= count) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(messages);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SMTP capture received ${messages.length} of ${count} messages within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },

    failNext(count = 1, responseCode = 451) {
      failuresLeft = count;
      failureCode = responseCode;
    },

    stop() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
