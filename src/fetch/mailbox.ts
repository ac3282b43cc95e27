/**
 * The IMAP mailbox leadd reads leads from and files them in, built on imapflow. Every
 * operation selects its folder, works by UID, and reconnects with backoff when the
 * connection drops in the middle of a cycle.
 */
import type { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import { LeaddError, isLeaddError } from "../errors.js";
import {
  DEFAULT_RECONNECT,
  type ImapOptions,
  type ReconnectPolicy,
  authTypeOf,
  openImapClient,
  validateImapOptions,
} from "./imap-client.js";
import { type ImapErrorContext, isConnectionLost, toLeaddError } from "./imap-errors.js";
import { createMissingFolders, toServerPath } from "./imap-folders.js";
import { readSource } from "./imap-source.js";

export type { ImapOptions, ImapTimeouts, ReconnectPolicy } from "./imap-client.js";

export interface MailboxMessage {
  uid: number;
  messageId: string | null;
  size: number;
  flags: string[];
  internalDate: Date | null;
}

export interface Mailbox {
  /** Connects and signs in; calling it again after a drop opens a new connection. */
  connect(): Promise<void>;
  close(): Promise<void>;
  /** Creates the folders, and their parents, that do not exist yet. Paths use "/" between levels. */
  ensureFolders(paths: string[]): Promise<void>;
  /** Lists messages that carry none of the keywords and are not marked \Deleted, oldest UID first. */
  listPending(folder: string, excludeKeywords: string[]): Promise<{ uidValidity: string; messages: MailboxMessage[] }>;
  /**
   * Returns the raw message. Throws MESSAGE_TOO_LARGE over `maxBytes`, and IMAP_COMMAND_FAILED
   * with `details.vanished` when the UID is no longer in the folder.
   */
  fetchSource(folder: string, uid: number, maxBytes: number): Promise<Buffer>;
  /** Adds keywords with UID STORE +FLAGS; adding a keyword the message has already is a no-op. */
  addKeywords(folder: string, uid: number, keywords: string[]): Promise<void>;
  /** Moves one message with UID MOVE; a UID that is already gone is a no-op. */
  move(folder: string, uid: number, destination: string): Promise<void>;
  append(folder: string, raw: Buffer, flags: string[]): Promise<void>;
}

/** Flags the server sets per session rather than per message; IMAP4rev2 drops \Recent altogether. */
const SESSION_FLAGS = new Set(["\\Recent"]);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Compacts UIDs into an IMAP sequence set such as `1:5,7,9:12`. */
export function toSequenceSet(uids: number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const ranges: string[] = [];
  let start = sorted[0];
  let end = start;
  for (const uid of sorted.slice(1)) {
    if (end !== undefined && uid === end + 1) {
      end = uid;
      continue;
    }
    ranges.push(start === end ? `${start}` : `${start}:${end}`);
    start = uid;
    end = uid;
  }
  if (start !== undefined) {
    ranges.push(start === end ? `${start}` : `${start}:${end}`);
  }
  return ranges.join(",");
}

interface RunOptions {
  folder?: string;
  uid?: number;
  /**
   * Run the work again on a new connection when the old one dropped. Off for APPEND, which
   * is not idempotent: the server may have stored the message before the connection broke.
   */
  retry: boolean;
}

class ImapMailbox implements Mailbox {
  private client: ImapFlow | null = null;
  private connecting: Promise<ImapFlow> | null = null;
  private warnedInsecureTls = false;
  private readonly reconnect: ReconnectPolicy;
  /** UIDVALIDITY seen by listPending per folder; UIDs from another UIDVALIDITY name other messages. */
  private readonly uidValidities = new Map<string, string>();

  constructor(
    private readonly options: ImapOptions,
    private readonly log: Logger,
  ) {
    validateImapOptions(options);
    this.reconnect = { ...DEFAULT_RECONNECT, ...options.reconnect };
  }

  async connect(): Promise<void> {
    await this.connectedClient();
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client === null) {
      return;
    }
    try {
      await client.logout();
    } catch (error) {
      this.log.debug({ err: error }, "IMAP logout failed; closing the socket");
      client.close();
    }
  }

  async ensureFolders(paths: string[]): Promise<void> {
    await this.run("CREATE", { retry: true }, async (client) => {
      const created = await createMissingFolders(client, paths);
      for (const path of created) {
        this.log.info({ folder: path }, "Created IMAP folder");
      }
    });
  }

  async listPending(folder: string, excludeKeywords: string[]): Promise<{ uidValidity: string; messages: MailboxMessage[] }> {
    return this.run("UID SEARCH", { folder, retry: true }, async (client) =>
      this.inFolder(client, folder, async () => {
        const uidValidity = this.selectedUidValidity(client);
        this.uidValidities.set(folder, uidValidity);

        // UNDELETED NOT (OR KEYWORD a KEYWORD b ...), the same as NOT KEYWORD a NOT KEYWORD b.
        const query = excludeKeywords.length === 0
          ? { deleted: false }
          : { deleted: false, not: { or: excludeKeywords.map((keyword) => ({ keyword })) } };
        const uids = await client.search(query, { uid: true });
        if (!Array.isArray(uids)) {
          throw this.failure(client, "UID SEARCH", "the server rejected the search");
        }
        if (uids.length === 0) {
          return { uidValidity, messages: [] };
        }

        const fetched = await client.fetchAll(
          toSequenceSet(uids),
          { uid: true, size: true, flags: true, envelope: true, internalDate: true },
          { uid: true },
        );
        const messages = fetched
          .map((message) => ({
            uid: message.uid,
            messageId: message.envelope?.messageId ?? null,
            size: message.size ?? 0,
            flags: [...(message.flags ?? [])].filter((flag) => !SESSION_FLAGS.has(flag)),
            internalDate: message.internalDate === undefined ? null : new Date(message.internalDate),
          }))
          .sort((a, b) => a.uid - b.uid);
        return { uidValidity, messages };
      }),
    );
  }

  async fetchSource(folder: string, uid: number, maxBytes: number): Promise<Buffer> {
    return this.run("FETCH", { folder, uid, retry: true }, async (client) =>
      this.inFolder(client, folder, async () => {
        this.checkUidValidity(client, folder, uid);
        return readSource(client, { folder, uid, maxBytes, vanished: () => this.vanished(client, "FETCH", folder, uid) });
      }),
    );
  }

  async addKeywords(folder: string, uid: number, keywords: string[]): Promise<void> {
    if (keywords.length === 0) {
      return;
    }
    await this.run("UID STORE", { folder, uid, retry: true }, async (client) =>
      this.inFolder(client, folder, async () => {
        this.checkUidValidity(client, folder, uid);
        this.checkKeywordsAllowed(client, folder, keywords);
        // STORE on a UID that is gone succeeds without changing anything, which is what a
        // later move of the same UID expects as well.
        const stored = await client.messageFlagsAdd(String(uid), keywords, { uid: true });
        if (!stored) {
          throw this.failure(client, "UID STORE", `the server rejected adding ${keywords.join(" ")}`);
        }
      }),
    );
  }

  async move(folder: string, uid: number, destination: string): Promise<void> {
    await this.run("UID MOVE", { folder, uid, retry: true }, async (client) =>
      this.inFolder(client, folder, async () => {
        this.checkUidValidity(client, folder, uid);
        const target = toServerPath(client, destination);
        const result = await client.messageMove(String(uid), target, { uid: true });
        if (result !== false && result !== undefined && result.uidMap?.has(uid) === true) {
          return;
        }
        // Without COPYUID (no UIDPLUS, or no message matched) the reply does not show whether
        // the message moved, so search for it. If it is still here, the move failed. If it is
        // gone, it moved now or another client moved or expunged it earlier, and both are fine.
        const remaining = await client.search({ uid: String(uid) }, { uid: true });
        if (Array.isArray(remaining) && remaining.length === 0) {
          if (result === false || result?.uidMap === undefined) {
            this.log.debug({ folder, uid, destination }, "UID no longer in the folder; nothing to move");
          }
          return;
        }
        throw this.failure(
          client,
          "UID MOVE",
          `the server did not move the message to ${destination}; check that the folder exists (leadd creates the configured folders at the start of each cycle)`,
          { folder, uid },
        );
      }),
    );
  }

  async append(folder: string, raw: Buffer, flags: string[]): Promise<void> {
    await this.run("APPEND", { folder, retry: false }, async (client) => {
      const result = await client.append(toServerPath(client, folder), raw, flags);
      if (result === false) {
        throw this.failure(client, "APPEND", "the server rejected the message; check that the folder exists", { folder });
      }
    });
  }

  /** Selects the folder for the duration of `work`, so concurrent operations cannot switch it. */
  private async inFolder<T>(client: ImapFlow, folder: string, work: () => Promise<T>): Promise<T> {
    const lock = await client.getMailboxLock(toServerPath(client, folder));
    try {
      return await work();
    } finally {
      lock.release();
    }
  }

  private selectedUidValidity(client: ImapFlow): string {
    if (client.mailbox === false) {
      throw this.failure(client, "SELECT", "no folder is selected");
    }
    return client.mailbox.uidValidity.toString();
  }

  private checkUidValidity(client: ImapFlow, folder: string, uid: number): void {
    const expected = this.uidValidities.get(folder);
    const current = this.selectedUidValidity(client);
    if (expected !== undefined && expected !== current) {
      throw new LeaddError(
        "IMAP_COMMAND_FAILED",
        `UIDVALIDITY of ${folder} changed from ${expected} to ${current} at ${this.options.host}:${this.options.port}, so UID ${uid} may name another message. The folder is listed again on the next cycle.`,
        { details: { folder, uid, uidValidityChanged: true, expected, current } },
      );
    }
  }

  /** Rejects keywords missing from the folder's PERMANENTFLAGS, because the server would drop them silently. */
  private checkKeywordsAllowed(client: ImapFlow, folder: string, keywords: string[]): void {
    const permanent = client.mailbox === false ? undefined : client.mailbox.permanentFlags;
    if (permanent === undefined || permanent.size === 0 || permanent.has("\\*")) {
      return;
    }
    const refused = keywords.filter((keyword) => !permanent.has(keyword));
    if (refused.length > 0) {
      throw new LeaddError(
        "IMAP_COMMAND_FAILED",
        `Folder ${folder} at ${this.options.host}:${this.options.port} does not allow the keywords ${refused.join(", ")} (PERMANENTFLAGS lacks \\*). Change the outcome keywords in the config, or use a server that stores custom keywords.`,
        { details: { folder, keywords: refused } },
      );
    }
  }

  /**
   * Returns the error for a UID that is no longer in the folder: another client moved or
   * expunged it during the cycle. Not fatal: the caller skips the message.
   */
  private vanished(client: ImapFlow, operation: string, folder: string, uid: number): LeaddError {
    if (!client.usable) {
      return this.connectionLost(operation);
    }
    return new LeaddError(
      "IMAP_COMMAND_FAILED",
      `Message UID ${uid} is no longer in ${folder} at ${this.options.host}:${this.options.port}; another client moved or deleted it during the cycle.`,
      { details: { folder, uid, vanished: true } },
    );
  }

  /** Returns the error for a command imapflow reported as failed with `false` instead of throwing. */
  private failure(client: ImapFlow, operation: string, reason: string, where: { folder?: string; uid?: number } = {}): LeaddError {
    if (!client.usable) {
      return this.connectionLost(operation);
    }
    const folder = where.folder === undefined ? "" : ` in ${where.folder}`;
    const uid = where.uid === undefined ? "" : ` (UID ${where.uid})`;
    return new LeaddError(
      "IMAP_COMMAND_FAILED",
      `IMAP ${operation} failed${folder}${uid} at ${this.options.host}:${this.options.port}: ${reason}.`,
      { details: { operation, ...where } },
    );
  }

  private connectionLost(operation: string): LeaddError {
    return new LeaddError(
      "IMAP_CONNECTION_FAILED",
      `IMAP connection to ${this.options.host}:${this.options.port} closed during ${operation}.`,
      { details: { operation, host: this.options.host, port: this.options.port } },
    );
  }

  /** Returns the open client, connecting first when there is none or the old one dropped. */
  private async connectedClient(): Promise<ImapFlow> {
    if (this.client?.usable === true) {
      return this.client;
    }
    if (this.connecting === null) {
      this.connecting = this.openClient().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async openClient(): Promise<ImapFlow> {
    if (this.client !== null) {
      // The server or the network closed the connection between two commands.
      this.log.warn({ host: this.options.host, port: this.options.port }, "IMAP connection lost; reconnecting");
      this.client.close();
      this.client = null;
    }
    if (!this.options.tlsRejectUnauthorized && !this.warnedInsecureTls) {
      this.warnedInsecureTls = true;
      this.log.warn(
        { host: this.options.host, port: this.options.port },
        "imap.tlsRejectUnauthorized is false: the server certificate is not checked, so a man in the middle can read the mailbox and its password",
      );
    }
    const client = await openImapClient(this.options, this.log);
    client.on("close", () => {
      if (this.client === client) {
        this.log.debug({ host: this.options.host, port: this.options.port }, "IMAP connection closed");
      }
    });
    this.client = client;
    return client;
  }

  /**
   * Runs `work` on a connected client. When the connection drops, reconnects with exponential
   * backoff and runs `work` again, up to `reconnect.attempts` times, then throws
   * IMAP_CONNECTION_FAILED. Other errors are thrown at once as LeaddErrors.
   */
  private async run<T>(operation: string, options: RunOptions, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const context: ImapErrorContext = {
      host: this.options.host,
      port: this.options.port,
      user: this.options.user,
      authType: authTypeOf(this.options),
      operation,
      ...(options.folder === undefined ? {} : { folder: options.folder }),
      ...(options.uid === undefined ? {} : { uid: options.uid }),
    };
    for (let attempt = 0; ; attempt++) {
      try {
        const client = await this.connectedClient();
        return await work(client);
      } catch (error) {
        const lost = isConnectionLost(error) || (!isLeaddError(error) && this.client?.usable === false);
        const wrapped = toLeaddError(error, context);
        if (!lost) {
          throw wrapped;
        }
        this.client?.close();
        this.client = null;
        if (!options.retry || attempt >= this.reconnect.attempts) {
          throw attempt === 0
            ? wrapped
            : new LeaddError("IMAP_CONNECTION_FAILED", `${wrapped.message} Gave up after ${attempt} reconnect attempts.`, {
                cause: error,
                details: { ...wrapped.details, reconnectAttempts: attempt },
              });
        }
        const delayMs = Math.min(this.reconnect.maxDelayMs, this.reconnect.baseDelayMs * 2 ** attempt);
        this.log.warn(
          { err: wrapped, operation, folder: options.folder, uid: options.uid, attempt: attempt + 1, delayMs },
          "IMAP connection lost; reconnecting",
        );
        await sleep(delayMs);
      }
    }
  }
}

export function createImapMailbox(options: ImapOptions, log: Logger): Mailbox {
  return new ImapMailbox(options, log.child({ component: "imap", mailbox: options.name }));
}
