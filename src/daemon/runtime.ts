import type { Logger } from "pino";
import type { Mailbox } from "../fetch/mailbox.js";
import type { Journal } from "../state/journal.js";
import type { Analysis, LeadRequest, Outcome } from "../types.js";
import type { Analyzer } from "./analyzer.js";
import type { KeyedLock } from "./keyed-lock.js";
import type { DryRunReport } from "./dry-run.js";

/** CRM interface of the cycle: the SuperOffice client, or its dry-run stand-in. */
export interface LeadSender {
  generateLead(request: LeadRequest): Promise<{ outcome: "created" | "matched" | "ambiguous"; response: unknown }>;
  startCycle(): void;
}

export type ReplyRole = "forwarder" | "lead";

/** Keyword, folder path (null = stay) and reply roles of one outcome, with folder keys resolved to paths. */
export interface OutcomeAction {
  keyword: string;
  folder: string | null;
  replies: ReplyRole[];
}

/** Sends the replies of one decided message; absent when `replies` is not configured. */
export interface ReplyStage {
  sendReplies(input: ReplyRequest, log: Logger): Promise<void>;
}

/** One decided message as the reply stage needs it. */
export interface ReplyRequest {
  entryId: number;
  analysis: Analysis;
  outcome: Outcome;
  reason: string | null;
  crm: unknown;
  roles: ReplyRole[];
  /** Folder the message goes to, or null when it stays. */
  folder: string | null;
  /** The earlier message a duplicate repeats, with the CRM ids its lead got. */
  duplicateOf: { messageId: string | null; crm: unknown } | null;
}

/** One configured mailbox, ready to process. */
export interface MailboxRuntime {
  name: string;
  mailbox: Mailbox;
  /** Folders read for new mail. */
  folders: string[];
  /** Every outcome folder, created at the start of a cycle when missing. */
  outcomeFolders: string[];
  /** Review folder path, where a message with an unknown send result goes. */
  reviewFolder: string | null;
  actions: Record<Outcome, OutcomeAction>;
  analyzer: Analyzer;
  buildRequest(analysis: Analysis): LeadRequest;
  replies: ReplyStage | null;
}

export interface CycleSettings {
  maxMessageBytes: number;
  maxMessagesPerCycle: number;
  failedRetryHours: number;
  retryUnknownSends: boolean;
}

/** Hooks for metrics and health; all optional so tests and dry-runs can leave them out. */
export interface CycleObserver {
  outcome?(mailbox: string, outcome: Outcome): void;
  crmCall?(result: string, seconds: number): void;
  cycleSucceeded?(mailbox: string, at: Date): void;
  cycleFailed?(mailbox: string, reason: string, at: Date): void;
  imapError?(mailbox: string): void;
  crmError?(code: string): void;
  crmRetry?(): void;
}

export interface Runtime {
  log: Logger;
  journal: Journal;
  crm: LeadSender;
  mailboxes: MailboxRuntime[];
  settings: CycleSettings;
  locks: KeyedLock;
  dryRun: DryRunReport | null;
  observer: CycleObserver;
  /** Set by SIGTERM/SIGINT: the message in hand is finished, no new one is started. */
  stopping: { requested: boolean };
  now(): Date;
}
