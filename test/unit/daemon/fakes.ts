/** In-memory stand-ins for the cycle's collaborators: our own modules, faked for unit tests. */
import { pino } from "pino";
import { vi } from "vitest";
import type { Mailbox, MailboxMessage } from "../../../src/fetch/mailbox.js";
import type { Analyzer } from "../../../src/daemon/analyzer.js";
import { KeyedLock } from "../../../src/daemon/keyed-lock.js";
import { KEYWORDS } from "../../support/outcome-defaults.js";
import type { LeadSender, MailboxRuntime, OutcomeAction, Runtime } from "../../../src/daemon/runtime.js";
import { Journal } from "../../../src/state/journal.js";
import { OUTCOMES, type Analysis, type LeadRequest, type Outcome } from "../../../src/types.js";

export interface FakeMessage {
  uid: number;
  raw: string;
  flags: string[];
  folder: string;
}

export class FakeMailbox implements Mailbox {
  messages: FakeMessage[] = [];
  uidValidity = "1";
  fetches = 0;
  private nextUid = 1;

  add(raw: string, folder = "INBOX"): FakeMessage {
    const message = { uid: this.nextUid++, raw, flags: [], folder };
    this.messages.push(message);
    return message;
  }

  async connect() {}
  async close() {}
  async ensureFolders() {}

  async listPending(folder: string, excludeKeywords: string[]) {
    const messages: MailboxMessage[] = this.messages
      .filter((m) => m.folder === folder && !m.flags.some((flag) => excludeKeywords.includes(flag)))
      .map((m) => ({ uid: m.uid, messageId: `<${m.uid}@test>`, size: m.raw.length, flags: m.flags, internalDate: null }));
    return { uidValidity: this.uidValidity, messages };
  }

  async fetchSource(folder: string, uid: number) {
    this.fetches++;
    const message = this.find(folder, uid);
    return Buffer.from(message.raw);
  }

  async addKeywords(folder: string, uid: number, keywords: string[]) {
    const message = this.find(folder, uid);
    for (const keyword of keywords) if (!message.flags.includes(keyword)) message.flags.push(keyword);
  }

  async move(folder: string, uid: number, destination: string) {
    const message = this.messages.find((m) => m.folder === folder && m.uid === uid);
    if (message) message.folder = destination;
  }

  async append() {}

  private find(folder: string, uid: number): FakeMessage {
    const message = this.messages.find((m) => m.folder === folder && m.uid === uid);
    if (!message) throw new Error(`no message ${uid} in ${folder}`);
    return message;
  }
}

/** Analysis of a fake message: its raw text is `lead:<email>:<fingerprint>`, `not-lead` or `incomplete`. */
export function fakeAnalysis(raw: string): Analysis {
  const [kind, email = "", fingerprint = raw] = raw.split(":");
  const isLead = kind === "lead" || kind === "incomplete";
  return {
    messageId: null,
    subject: "Enquiry",
    from: email,
    replyTo: null,
    isLead,
    reason: isLead ? "direct enquiry" : "auto-reply (Auto-Submitted: auto-replied)",
    language: "en",
    lead: { firstname: "Ada", lastname: "Lovelace", email, company: "Analytical Engines Ltd", phone: "+4790000000", description: "Please call me." },
    creator: null,
    forwarderNote: "",
    evidence: {},
    missing: kind === "incomplete" ? ["LeadPersonEmail", "LeadPhoneNumber"] : [],
    originalMessageId: null,
    fingerprint,
    headers: {},
  };
}

export function fakeAnalyzer(): Analyzer & { analyze: ReturnType<typeof vi.fn> } {
  return { analyze: vi.fn(async (raw: Buffer) => fakeAnalysis(raw.toString())), close: async () => {} };
}

export function fakeCrm(): LeadSender & { generateLead: ReturnType<typeof vi.fn> } {
  return {
    startCycle: () => {},
    generateLead: vi.fn(async () => ({ outcome: "created" as const, response: { RequestedContacts: [{ ContactId: 1 }] } })),
  };
}

export const FOLDERS = { done: "Leads/Done", review: "Leads/Review", failed: "Leads/Failed", quarantine: "Leads/Quarantine" };

export function defaultActions(): Record<Outcome, OutcomeAction> {
  const folderOf: Record<Outcome, string | null> = {
    created: FOLDERS.done,
    matched: FOLDERS.done,
    ambiguous: FOLDERS.review,
    incomplete: FOLDERS.review,
    "not-lead": null,
    duplicate: FOLDERS.done,
    failed: FOLDERS.failed,
    quarantined: FOLDERS.quarantine,
  };
  return Object.fromEntries(OUTCOMES.map((o) => [o, { keyword: KEYWORDS[o]!, folder: folderOf[o], replies: [] as OutcomeAction["replies"] }])) as Record<Outcome, OutcomeAction>;
}

export function leadRequestOf(analysis: Analysis): LeadRequest {
  return {
    AssociateIdForNewContact: 1,
    LeadDescription: analysis.lead.description,
    Relation: "Enquiry",
    RelationId: 1,
    LeadContact: analysis.lead.company,
    LeadPersonFirstname: analysis.lead.firstname,
    LeadPersonLastname: analysis.lead.lastname,
    LeadPersonEmail: analysis.lead.email,
    LeadPhoneNumber: analysis.lead.phone,
    CreatorsContact: "",
    CreatorsFirstname: "",
    CreatorsLastname: "",
  };
}

export function makeRuntime(overrides: { journal?: Journal; crm?: LeadSender; settings?: Partial<Runtime["settings"]>; now?: () => Date } = {}) {
  const mailbox = new FakeMailbox();
  const analyzer = fakeAnalyzer();
  const crm = (overrides.crm ?? fakeCrm()) as ReturnType<typeof fakeCrm>;
  const now = overrides.now ?? (() => new Date());
  const journal = overrides.journal ?? Journal.inMemory(now);
  const mb: MailboxRuntime = {
    name: "leads",
    mailbox,
    folders: ["INBOX"],
    outcomeFolders: Object.values(FOLDERS),
    reviewFolder: FOLDERS.review,
    actions: defaultActions(),
    analyzer,
    buildRequest: leadRequestOf,
    replies: null,
  };
  const rt: Runtime = {
    log: pino({ level: "silent" }),
    journal,
    crm,
    mailboxes: [mb],
    settings: { maxMessageBytes: 1_000_000, maxMessagesPerCycle: 100, failedRetryHours: 72, retryUnknownSends: false, ...overrides.settings },
    locks: new KeyedLock(),
    dryRun: null,
    observer: {},
    stopping: { requested: false },
    now,
  };
  return { rt, mb, mailbox, analyzer, crm, journal };
}
