/**
 * Opens one authenticated imapflow connection with leadd's timeouts, TLS policy and logger.
 * An ImapFlow instance cannot connect twice, so every (re)connect builds a new one.
 */
import { ImapFlow, type ImapFlowOptions } from "imapflow";
import type { Logger } from "pino";
import { LeaddError } from "../errors.js";
import { toLeaddError } from "./imap-errors.js";
import { createImapflowLogger } from "./imap-logger.js";

export interface ImapOptions {
  /** Mailbox name from the config, for logs. */
  name: string;
  host: string;
  port: number;
  /** Implicit TLS; false = plain, upgraded with STARTTLS when the server offers it. */
  secure: boolean;
  user: string;
  password?: string;
  /** XOAUTH2 access token source, asked once per connection; set instead of `password`. */
  accessToken?: () => Promise<string>;
  /** False accepts any server certificate (a warning is logged once per mailbox). */
  tlsRejectUnauthorized: boolean;
  timeouts?: Partial<ImapTimeouts>;
  reconnect?: Partial<ReconnectPolicy>;
}

export interface ImapTimeouts {
  connectionMs: number;
  greetingMs: number;
  socketMs: number;
}

export interface ReconnectPolicy {
  /** Reconnects tried for one operation after its connection dropped. */
  attempts: number;
  /** First wait before a reconnect; doubled for each further attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_TIMEOUTS: ImapTimeouts = {
  /** DNS, TCP and TLS together. A cycle runs every two minutes by default, so waiting longer only overlaps cycles. */
  connectionMs: 30_000,
  /** Time from connect to the server's "* OK" greeting; imapflow's own default. */
  greetingMs: 16_000,
  /** Silence on an open connection; a large FETCH from a slow server may pause this long between chunks. */
  socketMs: 120_000,
};

export const DEFAULT_RECONNECT: ReconnectPolicy = {
  /** Enough to ride out a server restart or a load balancer dropping an idle connection. */
  attempts: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 10_000,
};

/** Checks the sign-in options once, when the mailbox is created. */
export function validateImapOptions(options: ImapOptions): void {
  const hasPassword = options.password !== undefined && options.password !== "";
  const hasToken = options.accessToken !== undefined;
  if (hasPassword === hasToken) {
    throw new LeaddError(
      "CONFIG_INVALID",
      `Mailbox ${options.name}: set exactly one of imap.password (or imap.passwordFile) and an OAuth imap.auth block; ${hasPassword ? "both are" : "neither is"} set.`,
    );
  }
}

export function authTypeOf(options: ImapOptions): "password" | "oauth" {
  return options.accessToken === undefined ? "password" : "oauth";
}

/** Connects, signs in and returns the client; throws IMAP_LOGIN_FAILED or IMAP_CONNECTION_FAILED. */
export async function openImapClient(options: ImapOptions, log: Logger): Promise<ImapFlow> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const errorContext = {
    host: options.host,
    port: options.port,
    user: options.user,
    authType: authTypeOf(options),
    operation: "connect",
  };

  let auth: ImapFlowOptions["auth"];
  if (options.accessToken !== undefined) {
    auth = { user: options.user, accessToken: await options.accessToken() };
  } else {
    auth = { user: options.user, pass: options.password ?? "" };
  }

  const client = new ImapFlow({
    host: options.host,
    port: options.port,
    secure: options.secure,
    auth,
    tls: { rejectUnauthorized: options.tlsRejectUnauthorized },
    logger: createImapflowLogger(log),
    // Raw socket data would include message bodies; imapflow masks credentials in it, but
    // leadd never needs it.
    logRaw: false,
    emitLogs: false,
    // leadd polls; IDLE between commands would only add round trips.
    disableAutoIdle: true,
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
  });
  // Without a listener an 'error' event would end the process. Failures also reach the
  // pending command or connect(), which report them.
  client.on("error", (error: unknown) => {
    log.debug({ err: error }, "IMAP connection error");
  });

  try {
    await client.connect();
  } catch (error) {
    client.close();
    throw toLeaddError(error, errorContext);
  }
  log.debug({ host: options.host, port: options.port, secure: client.secureConnection }, "IMAP connected");
  return client;
}
