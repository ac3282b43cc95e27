import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { LeaddError } from "../errors.js";
import type { Analysis, LeadRequest, Outcome } from "../types.js";
import { JOURNAL_SCHEMA, JOURNAL_VERSION } from "./schema.js";

/**
 * Steps a message goes through. Each is committed (synchronous=FULL) before the next
 * side effect starts, so a restart can tell exactly what was done:
 * - `seen`: fetched, nothing sent; safe to process again from scratch.
 * - `sending`: the GenerateLead request may have reached the CRM; the result is unknown.
 * - `decided`: the outcome is recorded; mailbox actions (replies, keyword, move) are pending.
 * - `retry`: the CRM call failed for this cycle; the message stays in its folder for later cycles.
 * - `done`: outcome recorded and every mailbox action finished.
 */
export type JournalStep = "seen" | "sending" | "decided" | "retry" | "done";

export interface MessageKey {
  mailbox: string;
  folder: string;
  uidValidity: string;
  uid: number;
}

export interface JournalEntry extends MessageKey {
  id: number;
  messageId: string | null;
  contentHash: string;
  fingerprint: string | null;
  originalMessageId: string | null;
  step: JournalStep;
  outcome: Outcome | null;
  reason: string | null;
  analysis: Analysis | null;
  request: LeadRequest | null;
  crm: unknown;
  /** Set when the outcome must go to the review folder whatever its own folder, as for an unknown send result. */
  needsReview: boolean;
  duplicateOf: number | null;
  attempts: number;
  firstSeenAt: Date;
  sentAt: Date | null;
}

interface Row {
  id: number;
  mailbox: string;
  folder: string;
  uid_validity: string;
  uid: number;
  message_id: string | null;
  content_hash: string;
  fingerprint: string | null;
  original_message_id: string | null;
  step: JournalStep;
  outcome: Outcome | null;
  reason: string | null;
  analysis_json: string | null;
  needs_review: number;
  request_json: string | null;
  crm_json: string | null;
  duplicate_of: number | null;
  attempts: number;
  first_seen_at: string;
  sent_at: string | null;
}

/** Outcomes that mean a lead exists in the CRM for this enquiry, so later copies are duplicates. */
const LEAD_MADE: Outcome[] = ["created", "matched", "ambiguous"];

/**
 * The durable record of every message leadd has touched, in SQLite (WAL, synchronous FULL).
 * It is what makes a restart or a second run skip what is done and never send twice.
 */
export class Journal {
  private readonly db: Database.Database;
  private readonly now: () => Date;

  private constructor(db: Database.Database, now: () => Date) {
    this.db = db;
    this.now = now;
  }

  /** Open (and create) the journal at `path`; `readonly` opens an existing file without writing, as dry-run needs. */
  static open(path: string, options: { readonly?: boolean; now?: () => Date } = {}): Journal {
    const now = options.now ?? (() => new Date());
    try {
      if (options.readonly) {
        const db = new Database(path, { readonly: true, fileMustExist: true });
        return new Journal(db, now);
      }
      if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
      const db = new Database(path);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.pragma("busy_timeout = 5000");
      db.pragma("foreign_keys = ON");
      db.exec(JOURNAL_SCHEMA);
      db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('version', ?)").run(String(JOURNAL_VERSION));
      return new Journal(db, now);
    } catch (error) {
      throw new LeaddError("STATE_FAILED", `Cannot open the state journal at ${path}: ${(error as Error).message}. Check that the folder exists and is writable by the leadd user, or set "state" in the config.`, { cause: error, details: { path } });
    }
  }

  /** An empty in-memory journal, for dry-runs on a machine that has no state file yet. */
  static inMemory(now?: () => Date): Journal {
    return Journal.open(":memory:", { now });
  }

  close(): void {
    this.db.close();
  }

  /** Write a consistent copy of the journal to `path`, as dry-run needs. */
  async backupTo(path: string): Promise<void> {
    await this.db.backup(path);
  }

  find(key: MessageKey): JournalEntry | null {
    const row = this.db
      .prepare("SELECT * FROM messages WHERE mailbox = ? AND folder = ? AND uid_validity = ? AND uid = ?")
      .get(key.mailbox, key.folder, key.uidValidity, key.uid) as Row | undefined;
    return row ? toEntry(row) : null;
  }

  findById(id: number): JournalEntry | null {
    const row = this.db.prepare("SELECT * FROM messages WHERE id = ?").get(id) as Row | undefined;
    return row ? toEntry(row) : null;
  }

  /** Find a message by its bytes, so a UIDVALIDITY change or a re-append does not make it new. */
  findByContent(mailbox: string, contentHash: string): JournalEntry | null {
    const row = this.db
      .prepare("SELECT * FROM messages WHERE mailbox = ? AND content_hash = ? ORDER BY id LIMIT 1")
      .get(mailbox, contentHash) as Row | undefined;
    return row ? toEntry(row) : null;
  }

  /**
   * Find the newest entry of a mailbox with `messageId` and one of `outcomes`. Replay needs it
   * for messages quarantined for their size, which were never fetched and so have no content hash.
   */
  findByMessageId(mailbox: string, messageId: string, outcomes: Outcome[]): JournalEntry | null {
    const marks = outcomes.map(() => "?").join(", ");
    const row = this.db
      .prepare(`SELECT * FROM messages WHERE mailbox = ? AND message_id = ? AND outcome IN (${marks}) ORDER BY id DESC LIMIT 1`)
      .get(mailbox, messageId, ...outcomes) as Row | undefined;
    return row ? toEntry(row) : null;
  }

  /** Store the real content hash of a message first recorded without its bytes. */
  setContentHash(id: number, contentHash: string): void {
    this.db.prepare("UPDATE messages SET content_hash = ?, updated_at = ? WHERE id = ?").run(contentHash, this.now().toISOString(), id);
  }

  /** Record a newly fetched message at step `seen`. */
  insertSeen(key: MessageKey, fields: { messageId: string | null; contentHash: string }): JournalEntry {
    const at = this.now().toISOString();
    const info = this.db
      .prepare(
        `INSERT INTO messages (mailbox, folder, uid_validity, uid, message_id, content_hash, step, first_seen_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'seen', ?, ?)`,
      )
      .run(key.mailbox, key.folder, key.uidValidity, key.uid, fields.messageId, fields.contentHash, at, at);
    return this.findById(Number(info.lastInsertRowid))!;
  }

  /** Point an existing entry at the message's current location (new UIDVALIDITY or UID). */
  relocate(id: number, key: MessageKey): void {
    this.db
      .prepare("UPDATE messages SET folder = ?, uid_validity = ?, uid = ?, updated_at = ? WHERE id = ?")
      .run(key.folder, key.uidValidity, key.uid, this.now().toISOString(), id);
  }

  /** Store what extraction found: the analysis for replies after a restart, and the keys that spot later copies. */
  recordExtraction(id: number, analysis: Analysis): void {
    this.db
      .prepare("UPDATE messages SET analysis_json = ?, fingerprint = ?, original_message_id = ?, lead_email = ?, lead_company = ?, updated_at = ? WHERE id = ?")
      .run(
        JSON.stringify(analysis),
        analysis.isLead ? analysis.fingerprint : null,
        analysis.isLead ? analysis.originalMessageId : null,
        analysis.lead.email ? analysis.lead.email.toLowerCase() : null,
        analysis.lead.company || null,
        this.now().toISOString(),
        id,
      );
  }

  /**
   * Find the first other message about the same enquiry that made, or may have made, a lead:
   * same fingerprint or same original Message-ID. "May have made" covers a send in flight and
   * a send whose result stayed unknown (failed, sent to review), because the CRM may hold that lead.
   */
  findEarlierLead(id: number, fingerprint: string | null, originalMessageId: string | null): JournalEntry | null {
    const outcomes = LEAD_MADE.map(() => "?").join(", ");
    const row = this.db
      .prepare(
        `SELECT * FROM messages
         WHERE id <> ? AND ((fingerprint IS NOT NULL AND fingerprint = ?) OR (original_message_id IS NOT NULL AND original_message_id = ?))
           AND (step = 'sending' OR outcome IN (${outcomes}) OR (outcome = 'failed' AND needs_review = 1))
         ORDER BY id LIMIT 1`,
      )
      .get(id, fingerprint, originalMessageId, ...LEAD_MADE) as Row | undefined;
    return row ? toEntry(row) : null;
  }

  /** Durably mark that the GenerateLead request is about to leave; called right before the call. */
  markSending(id: number, request: LeadRequest): void {
    this.db
      .prepare("UPDATE messages SET step = 'sending', request_json = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?")
      .run(JSON.stringify(request), this.now().toISOString(), id);
  }

  /** Undo `sending` when the client proved that no request left (circuit breaker open). */
  markNotSent(id: number): void {
    this.db.prepare("UPDATE messages SET step = 'seen', attempts = attempts - 1, updated_at = ? WHERE id = ?").run(this.now().toISOString(), id);
  }

  /** Record the outcome; mailbox actions follow. */
  recordOutcome(id: number, outcome: Outcome, fields: { reason?: string | null; crm?: unknown; duplicateOf?: number | null; request?: LeadRequest | null; sent?: boolean; needsReview?: boolean } = {}): void {
    const at = this.now().toISOString();
    this.db
      .prepare(
        `UPDATE messages SET step = 'decided', outcome = ?, reason = ?, crm_json = COALESCE(?, crm_json), duplicate_of = ?,
           request_json = COALESCE(?, request_json), needs_review = ?, sent_at = CASE WHEN ? THEN ? ELSE sent_at END, updated_at = ? WHERE id = ?`,
      )
      .run(
        outcome,
        fields.reason ?? null,
        fields.crm === undefined ? null : JSON.stringify(fields.crm),
        fields.duplicateOf ?? null,
        fields.request ? JSON.stringify(fields.request) : null,
        fields.needsReview ? 1 : 0,
        fields.sent ? 1 : 0,
        at,
        at,
        id,
      );
  }

  /** Record a CRM failure for this cycle: the message waits in its folder for a later cycle. */
  markRetry(id: number, reason: string): void {
    this.db
      .prepare("UPDATE messages SET step = 'retry', outcome = 'failed', reason = ?, updated_at = ? WHERE id = ?")
      .run(reason, this.now().toISOString(), id);
  }

  markDone(id: number): void {
    this.db.prepare("UPDATE messages SET step = 'done', updated_at = ? WHERE id = ?").run(this.now().toISOString(), id);
  }

  /** Put a finished message back to `seen` so `leadd replay` processes it again. */
  reopen(id: number): void {
    this.db
      .prepare("UPDATE messages SET step = 'seen', outcome = NULL, reason = NULL, duplicate_of = NULL, needs_review = 0, updated_at = ? WHERE id = ?")
      .run(this.now().toISOString(), id);
  }

  /** Messages of a mailbox left between steps by a crash: `sending` and `decided`. */
  unfinished(mailbox: string): JournalEntry[] {
    const rows = this.db
      .prepare("SELECT * FROM messages WHERE mailbox = ? AND step IN ('sending', 'decided') ORDER BY id")
      .all(mailbox) as Row[];
    return rows.map(toEntry);
  }

  /** Finished messages with one of `outcomes`, newest first, for `leadd replay`. */
  listByOutcome(mailbox: string, outcomes: Outcome[]): JournalEntry[] {
    const marks = outcomes.map(() => "?").join(", ");
    const rows = this.db
      .prepare(`SELECT * FROM messages WHERE mailbox = ? AND outcome IN (${marks}) AND step IN ('done', 'retry') ORDER BY id DESC`)
      .all(mailbox, ...outcomes) as Row[];
    return rows.map(toEntry);
  }

  /** Number of replies sent to `recipient` since `since`; the per-recipient cap reads it. */
  countSince(recipient: string, since: Date): number {
    const row = this.db
      .prepare("SELECT COUNT(*) AS n FROM replies WHERE recipient = ? AND sent_at >= ?")
      .get(recipient.toLowerCase(), since.toISOString()) as { n: number };
    return row.n;
  }

  /** Check whether the reply of `role` for a journal entry was already sent, so a restart never sends it twice. */
  replySent(messageEntry: number, role: string): boolean {
    return this.db.prepare("SELECT 1 FROM replies WHERE message = ? AND role = ?").get(messageEntry, role) !== undefined;
  }

  /**
   * Whether any of `messageIds` (from In-Reply-To and References) is the Message-ID of a reply
   * leadd sent, so that a reply to one of its replies is not taken for a new enquiry.
   */
  isOwnReply(messageIds: string[]): boolean {
    if (messageIds.length === 0) return false;
    // One JSON parameter instead of one per id, so a long References header needs no extra limit.
    const row = this.db
      .prepare("SELECT 1 FROM replies WHERE smtp_id IN (SELECT value FROM json_each(?)) LIMIT 1")
      .get(JSON.stringify(messageIds));
    return row !== undefined;
  }

  recordReply(messageEntry: number | null, role: string, recipient: string, smtpId: string | null, sentAt: Date): void {
    this.db
      .prepare("INSERT OR IGNORE INTO replies (message, role, recipient, smtp_id, sent_at) VALUES (?, ?, ?, ?, ?)")
      .run(messageEntry, role, recipient.toLowerCase(), smtpId, sentAt.toISOString());
  }

  /** Counts of entries per outcome and step, for tests and `leadd check`. */
  summary(): Array<{ mailbox: string; step: string; outcome: string | null; n: number }> {
    return this.db
      .prepare("SELECT mailbox, step, outcome, COUNT(*) AS n FROM messages GROUP BY mailbox, step, outcome ORDER BY mailbox, step, outcome")
      .all() as Array<{ mailbox: string; step: string; outcome: string | null; n: number }>;
  }
}

function toEntry(row: Row): JournalEntry {
  return {
    id: row.id,
    mailbox: row.mailbox,
    folder: row.folder,
    uidValidity: row.uid_validity,
    uid: row.uid,
    messageId: row.message_id,
    contentHash: row.content_hash,
    fingerprint: row.fingerprint,
    originalMessageId: row.original_message_id,
    step: row.step,
    outcome: row.outcome,
    reason: row.reason,
    analysis: row.analysis_json ? (JSON.parse(row.analysis_json) as Analysis) : null,
    needsReview: row.needs_review === 1,
    request: row.request_json ? (JSON.parse(row.request_json) as LeadRequest) : null,
    crm: row.crm_json ? JSON.parse(row.crm_json) : null,
    duplicateOf: row.duplicate_of,
    attempts: row.attempts,
    firstSeenAt: new Date(row.first_seen_at),
    sentAt: row.sent_at ? new Date(row.sent_at) : null,
  };
}
