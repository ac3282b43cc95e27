/**
 * Replies end to end: real Dovecot, the SuperOffice stand-in, an SMTP capture server and
 * the built CLI as a child process, all on 127.0.0.1. Checks who gets a reply, its text and
 * headers, loop safety, the daily cap, header injection, dry-run and the Sent copy.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import Database from "better-sqlite3";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type CliResult, logLines, REPO_ROOT, runLeadd } from "../support/cli.js";
import { startDovecot, type DovecotServer } from "../support/dovecot.js";
import { TEST_BEARER_TOKEN, testRepliesBlock, writeTestConfig } from "../support/leadd-config.js";
import { endToEndMail, type MailFile, SHARED_CORPUS } from "../support/mail-corpus.js";
import { type CapturedMessage, type SmtpCapture, startSmtpCapture } from "../support/smtp-capture.js";
import { type SeedData, SuperOfficeStandIn } from "../support/superoffice-stand-in.js";

const skipReason = inject("dovecotUnavailable");
const { files, corpusPresent } = endToEndMail();
const SAMPLES = join(REPO_ROOT, "samples");

/** The shared corpus when present, else the bundled samples. */
const MAIL = corpusPresent ? files.filter((file) => file.path.startsWith(SHARED_CORPUS)) : files.filter((file) => file.path.startsWith(SAMPLES));
/** Bundled samples without an expected file: which are forwards and which are not leads. */
const SAMPLE_FORWARDS = ["02-", "03-", "05-"];
const SAMPLE_NOT_LEADS = ["06-", "07-", "08-"];

/** The associate every new contact gets (lead.associateIdForNewContact 12): the sales rep named in replies. */
const SALES_REP = { AssociateId: 12, PersonId: 912, Firstname: "Vilde", Lastname: "Salgsnes", Email: "vilde.salgsnes@aurora.example.com" };
const SALES_REP_NAME = `${SALES_REP.Firstname} ${SALES_REP.Lastname}`;
const LEADD_ADDRESS = "leads@aurora.example.com";
const FORWARDER = { name: "Tom Bradley", email: "tom.bradley@aurora.example.com" };
const CRLF = "\r\n";

interface Expectations {
  not_a_lead?: boolean;
  CreatorsFirstname?: string;
}

interface MailInfo {
  file: MailFile;
  name: string;
  messageId: string;
  from: string;
  subject: string;
  references: string[];
}

function expectations(file: MailFile): Expectations | null {
  return file.expected as Expectations | null;
}

function isForward(file: MailFile): boolean {
  const expected = expectations(file);
  if (expected !== null) return Boolean(expected.CreatorsFirstname);
  return SAMPLE_FORWARDS.some((prefix) => basename(file.path).startsWith(prefix));
}

function isNotLead(file: MailFile): boolean {
  const expected = expectations(file);
  if (expected !== null) return expected.not_a_lead === true;
  return SAMPLE_NOT_LEADS.some((prefix) => basename(file.path).startsWith(prefix));
}

async function describeMail(file: MailFile): Promise<MailInfo> {
  const parsed = await simpleParser(file.raw);
  const references = parsed.references === undefined ? [] : Array.isArray(parsed.references) ? parsed.references : [parsed.references];
  return {
    file,
    name: basename(file.path),
    messageId: parsed.messageId ?? "",
    from: (parsed.from?.value[0]?.address ?? "").toLowerCase(),
    subject: parsed.subject ?? "",
    references,
  };
}

/** RFC 2047 encoded-word (UTF-8, base64), so any text, CR and LF included, fits in a header. */
function encodedWord(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, "utf8").toString("base64")}?=`;
}

interface LeadDetails {
  firstname: string;
  lastname: string;
  email: string;
  company: string;
  phone: string;
}

/**
 * Builds a forward-as-attachment by an Aurora colleague: a short note, then the enquirer's own
 * message as a message/rfc822 part. Subject and names go into headers as encoded-words.
 */
function forwardAsAttachment(options: { id: string; forwarder: { name: string; email: string }; subject: string; lead: LeadDetails; leadDisplayName?: string }): string {
  const { id, forwarder, subject, lead } = options;
  const boundary = `----=_leadd_test_${id}`;
  const inner = [
    `From: ${encodedWord(options.leadDisplayName ?? `${lead.firstname} ${lead.lastname}`)} <${lead.email}>`,
    `To: ${encodedWord(forwarder.name)} <${forwarder.email}>`,
    `Subject: ${encodedWord(subject)}`,
    "Date: Mon, 3 Nov 2025 09:12:00 +0100",
    `Message-ID: <orig-${id}@${lead.email.split("@")[1]}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: 7bit",
    "",
    "Hello,",
    "",
    "We are looking for a room booking system for our two offices, about 25 meeting",
    "rooms in total, with screens outside each room. Could you send us a price for",
    "licences and installation, and tell us how long the roll-out usually takes?",
    "",
    "Best regards,",
    `${lead.firstname} ${lead.lastname}`,
    `Office Manager, ${lead.company}`,
    `Phone: ${lead.phone}`,
    "",
  ].join(CRLF);
  return [
    `Message-ID: <fwd-${id}@aurora.example.com>`,
    "Date: Mon, 3 Nov 2025 10:05:00 +0100",
    "MIME-Version: 1.0",
    `From: ${encodedWord(forwarder.name)} <${forwarder.email}>`,
    `To: ${LEADD_ADDRESS}`,
    `Subject: ${encodedWord(`Fwd: ${subject}`)}`,
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: 7bit",
    "",
    "New enquiry, please register it.",
    "",
    `--${boundary}`,
    'Content-Type: message/rfc822; name="enquiry.eml"',
    'Content-Disposition: attachment; filename="enquiry.eml"',
    "",
    inner,
    `--${boundary}--`,
    "",
  ].join(CRLF);
}

/** Builds a plain answer by `from` to one of leadd's replies, automatic (out-of-office) or written by a person. */
function answerTo(reply: CapturedMessage, from: { name: string; email: string }, automatic: boolean): string {
  const id = reply.parsed.messageId!;
  const subject = reply.parsed.subject ?? "";
  return [
    `Message-ID: <answer-${automatic ? "auto" : "human"}-${Date.now()}@aurora.example.com>`,
    "Date: Mon, 3 Nov 2025 11:00:00 +0100",
    "MIME-Version: 1.0",
    `From: ${from.name} <${from.email}>`,
    `To: Aurora leads <${LEADD_ADDRESS}>`,
    `Subject: ${automatic ? "Automatic reply" : "Re"}: ${subject}`,
    `In-Reply-To: ${id}`,
    `References: ${id}`,
    ...(automatic ? ["Auto-Submitted: auto-replied"] : []),
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: 7bit",
    "",
    automatic
      ? "I am out of the office until 10 November with limited access to e-mail. For urgent matters call +47 22 00 00 00."
      : "Thanks! I will call the customer tomorrow morning about the room booking offer.",
    "",
    `${from.name}`,
    "Key Account Manager, Aurora Systems",
    "Mobile: +47 912 00 111",
    "",
  ].join(CRLF);
}

interface JournalRow {
  message_id: string | null;
  outcome: string | null;
  reason: string | null;
  step: string;
}

function journalRows(statePath: string): JournalRow[] {
  const db = new Database(statePath, { readonly: true });
  try {
    return db.prepare("SELECT message_id, outcome, reason, step FROM messages ORDER BY id").all() as JournalRow[];
  } finally {
    db.close();
  }
}

function sentTo(smtp: SmtpCapture, address: string): CapturedMessage[] {
  return smtp.messages.filter((message) => message.envelope.rcptTo.map((to) => to.toLowerCase()).includes(address.toLowerCase()));
}

function headerOf(message: CapturedMessage, name: string): string | undefined {
  const value = message.parsed.headers.get(name);
  return value === undefined ? undefined : String(value);
}

/** Returns the raw header section of a captured message, up to the first empty line. */
function rawHeaderSection(message: CapturedMessage): string {
  const text = message.raw.toString("latin1");
  const end = text.indexOf("\r\n\r\n");
  return end < 0 ? text : text.slice(0, end + 2);
}

interface Scenario {
  dovecot: DovecotServer;
  standIn: SuperOfficeStandIn;
  smtp: SmtpCapture;
  statePath: string;
  /** Runs the CLI with the scenario's config. */
  leadd(args: string[]): Promise<CliResult>;
  once(extraArgs?: string[]): Promise<CliResult>;
  stop(): Promise<void>;
}

async function startScenario(options: { seed?: SeedData; replies?: Record<string, unknown>; mailboxExtra?: Record<string, unknown> } = {}): Promise<Scenario> {
  const dovecot = await startDovecot();
  const standIn = await SuperOfficeStandIn.start({ bearerTokens: [TEST_BEARER_TOKEN], seed: { associates: [SALES_REP], ...options.seed } });
  const smtp = await startSmtpCapture();
  const dir = mkdtempSync(join(tmpdir(), "leadd-replies-"));
  const configPath = writeTestConfig({
    dir,
    dovecot,
    superofficeUrl: standIn.url,
    mailboxExtra: options.mailboxExtra,
    extra: { replies: testRepliesBlock(smtp, options.replies) },
  });
  return {
    dovecot,
    standIn,
    smtp,
    statePath: join(dir, "state", "leadd.db"),
    leadd: (args) => runLeadd([...args, "-c", configPath], { env: { TEST_IMAP_PASSWORD: dovecot.password } }),
    once: (extraArgs = []) => runLeadd(["once", ...extraArgs, "-c", configPath], { env: { TEST_IMAP_PASSWORD: dovecot.password } }),
    async stop() {
      await dovecot.stop();
      await standIn.stop();
      await smtp.stop();
    },
  };
}

function expectClean(result: CliResult): void {
  expect(result.stderr, result.stdout.slice(-2000)).toBe("");
  expect(result.code, result.stdout.slice(-2000)).toBe(0);
}

describe.skipIf(skipReason !== null)("replies end to end", () => {
  let scenario: Scenario;
  let mail: MailInfo[];
  let forwards: MailInfo[];
  let firstRun: CliResult;

  beforeAll(async () => {
    mail = await Promise.all(MAIL.map(describeMail));
    forwards = mail.filter((info) => isForward(info.file));
    expect(forwards.length).toBeGreaterThan(0);
    scenario = await startScenario({ replies: { copyToSent: true }, mailboxExtra: { folders: { sent: "Sent" } } });
    for (const info of mail) await scenario.dovecot.appendMessage("INBOX", info.file.raw);
    firstRun = await scenario.once();
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  it("forwards get one confirmation each", () => {
    expectClean(firstRun);
    const rows = journalRows(scenario.statePath);
    for (const forward of forwards) {
      const row = rows.find((r) => r.message_id === forward.messageId);
      expect(row?.outcome, forward.name).toMatch(/^(created|matched)$/);

      const replies = scenario.smtp.messages.filter((message) => message.parsed.inReplyTo === forward.messageId);
      expect(replies, `replies to ${forward.name}`).toHaveLength(1);
      const reply = replies[0]!;
      expect(reply.envelope.rcptTo, forward.name).toEqual([forward.from]);
      expect(reply.envelope.mailFrom).toBe(LEADD_ADDRESS);
      expect(reply.parsed.to && !Array.isArray(reply.parsed.to) ? reply.parsed.to.value.map((to) => to.address) : []).toEqual([forward.from]);
      expect(reply.parsed.from?.value[0]?.address).toBe(LEADD_ADDRESS);
      expect(reply.parsed.text, forward.name).toContain(SALES_REP_NAME);
    }
  });

  it("confirmations thread under the forward", () => {
    for (const forward of forwards) {
      const reply = scenario.smtp.messages.find((message) => message.parsed.inReplyTo === forward.messageId)!;
      expect(reply, forward.name).toBeDefined();
      expect(reply.parsed.subject, forward.name).toMatch(/^Re: \S/);
      expect(reply.parsed.subject, forward.name).not.toMatch(/^Re: (Fwd?|FW|VS|WG|SV|VB|AW|Antw|Doorst|TR):/i);
      const references = reply.parsed.references === undefined ? [] : ([] as string[]).concat(reply.parsed.references);
      // The forward's own References first, then the forward itself (RFC 5322 3.6.4).
      expect(references, forward.name).toEqual([...forward.references.filter((id) => id !== forward.messageId), forward.messageId]);
    }
  });

  it("confirmations carry the loop headers", () => {
    expect(scenario.smtp.messages.length).toBeGreaterThan(0);
    for (const reply of scenario.smtp.messages) {
      expect(headerOf(reply, "auto-submitted")).toBe("auto-replied");
      expect(headerOf(reply, "x-auto-response-suppress")).toBe("All");
      expect(headerOf(reply, "x-leadd-reply")).toBe("1");
    }
  });

  it("not-lead and direct mail gets no reply", () => {
    const notLeads = mail.filter((info) => isNotLead(info.file));
    expect(notLeads.length).toBeGreaterThan(0);
    const rows = journalRows(scenario.statePath);
    for (const info of notLeads) {
      expect(rows.find((r) => r.message_id === info.messageId)?.outcome, info.name).toBe("not-lead");
      expect(scenario.smtp.messages.filter((message) => message.parsed.inReplyTo === info.messageId), info.name).toHaveLength(0);
      if (info.from !== "") expect(sentTo(scenario.smtp, info.from), info.name).toHaveLength(0);
    }
    // Direct and form enquiries have no forwarder and toLead is off, so only the forwards get replies.
    expect(scenario.smtp.messages).toHaveLength(forwards.length);
  });

  it("copies each reply to Sent", async () => {
    const sent = await scenario.dovecot.listMessages("Sent");
    const sentIds = sent.map((message) => message.messageId).sort();
    const capturedIds = scenario.smtp.messages.map((message) => message.parsed.messageId).sort();
    expect(capturedIds.length).toBeGreaterThan(0);
    expect(sentIds).toEqual(capturedIds);
    for (const message of sent) expect(message.flags).toContain("\\Seen");
  });

  it("own reply and auto-answer ignored", async () => {
    const before = scenario.smtp.messages.length;
    const reply = scenario.smtp.messages[0]!;
    const forwarder = { name: "Tom Bradley", email: reply.envelope.rcptTo[0]! };
    const outOfOffice = answerTo(reply, forwarder, true);
    await scenario.dovecot.appendMessage("INBOX", reply.raw);
    await scenario.dovecot.appendMessage("INBOX", outOfOffice);

    const result = await scenario.once();
    expectClean(result);
    expect(scenario.smtp.messages).toHaveLength(before);
    const rows = journalRows(scenario.statePath);
    const ownCopy = rows.find((row) => row.message_id === reply.parsed.messageId);
    expect(ownCopy?.outcome).toBe("not-lead");
    const answer = rows.find((row) => row.message_id?.startsWith("<answer-auto-"));
    expect(answer?.outcome).toBe("not-lead");
  });

  it("colleague's answer is not a lead", async () => {
    const before = scenario.smtp.messages.length;
    const reply = scenario.smtp.messages[0]!;
    await scenario.dovecot.appendMessage("INBOX", answerTo(reply, { name: "Tom Bradley", email: reply.envelope.rcptTo[0]! }, false));

    const result = await scenario.once();
    expectClean(result);
    expect(scenario.smtp.messages).toHaveLength(before);
    const answer = journalRows(scenario.statePath).find((row) => row.message_id?.startsWith("<answer-human-"));
    expect(answer?.outcome).toBe("not-lead");
    expect(answer?.reason).toMatch(/reply to leadd's own message/);
    expect(scenario.standIn.generateLeadRequests()).toHaveLength(journalRows(scenario.statePath).filter((row) => row.outcome === "created" || row.outcome === "matched").length);
  });
});

describe.skipIf(skipReason !== null)("ambiguous replies", () => {
  let scenario: Scenario;
  let forward: MailInfo;
  let company: string;

  beforeAll(async () => {
    const forwards = (await Promise.all(MAIL.map(describeMail))).filter((info) => isForward(info.file));
    forward = forwards[0]!;
    scenario = await startScenario();
    // The company name exactly as leadd will send it, so both seeded contacts match it.
    const parsed = await scenario.leadd(["parse", "--json", forward.file.path]);
    expect(parsed.code, parsed.stderr).toBe(0);
    company = (JSON.parse(parsed.stdout.trim().split("\n")[0]!) as { request: { LeadContact: string } }).request.LeadContact;
    expect(company).not.toBe("");
    scenario.standIn.seed({
      contacts: [
        { ContactId: 501, Name: company, AssociateId: 12, Department: "North" },
        { ContactId: 502, Name: company, AssociateId: 12, Department: "South" },
      ],
    });
    await scenario.dovecot.appendMessage("INBOX", forward.file.raw);
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  it("lists the candidate companies", async () => {
    expectClean(await scenario.once());
    const row = journalRows(scenario.statePath).find((r) => r.message_id === forward.messageId);
    expect(row?.outcome).toBe("ambiguous");
    const replies = sentTo(scenario.smtp, forward.from);
    expect(replies).toHaveLength(1);
    expect(scenario.smtp.messages).toHaveLength(1);
    const text = replies[0]!.parsed.text ?? "";
    expect(text).toContain("501");
    expect(text).toContain("502");
    expect(text.split(company).length - 1).toBeGreaterThanOrEqual(2);
    expect(replies[0]!.parsed.inReplyTo).toBe(forward.messageId);
  });
});

describe.skipIf(skipReason !== null)("reply cap", () => {
  let scenario: Scenario;
  const enquiries = ["Aas", "Berg", "Dahl", "Eide", "Foss"].map((lastname, index) =>
    forwardAsAttachment({
      id: `cap-${index}`,
      forwarder: FORWARDER,
      subject: `Room booking for ${lastname} Consulting`,
      lead: {
        firstname: "Ingrid",
        lastname,
        email: `ingrid.${lastname.toLowerCase()}@${lastname.toLowerCase()}-consulting.example.no`,
        company: `${lastname} Consulting AS`,
        phone: `+47 912 34 56${index}`,
      },
    }),
  );

  beforeAll(async () => {
    scenario = await startScenario({ replies: { maxPerRecipientPerDay: 2 } });
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  it("stops at maxPerRecipientPerDay", async () => {
    const output: string[] = [];
    for (const batch of [enquiries.slice(0, 2), enquiries.slice(2, 4), enquiries.slice(4)]) {
      for (const raw of batch) await scenario.dovecot.appendMessage("INBOX", raw);
      const result = await scenario.once();
      expectClean(result);
      output.push(result.stdout);
    }
    const rows = journalRows(scenario.statePath);
    expect(rows.map((row) => row.outcome)).toEqual(["created", "created", "created", "created", "created"]);
    expect(sentTo(scenario.smtp, FORWARDER.email)).toHaveLength(2);
    expect(scenario.smtp.messages).toHaveLength(2);
    const capped = output.flatMap(logLines).filter((line) => line.msg === "reply cap reached for recipient");
    expect(capped).toHaveLength(3);
  });
});

describe.skipIf(skipReason !== null)("reply header injection", () => {
  let scenario: Scenario;
  const injection = "\r\nBcc: victim@example.org\r\n";

  beforeAll(async () => {
    scenario = await startScenario();
    await scenario.dovecot.appendMessage(
      "INBOX",
      forwardAsAttachment({
        id: "inject",
        forwarder: { name: `Tom${injection}Bradley`, email: FORWARDER.email },
        subject: `Meeting rooms${injection}X-Injected: yes`,
        leadDisplayName: `Ingrid${injection}Aas`,
        lead: { firstname: "Ingrid", lastname: "Aas", email: "ingrid.aas@fjordtech.example.no", company: "Fjordtech AS", phone: "+47 912 34 567" },
      }),
    );
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  it("sends no injected header or recipient", async () => {
    expectClean(await scenario.once());
    expect(scenario.smtp.messages).toHaveLength(1);
    const reply = scenario.smtp.messages[0]!;
    expect(reply.envelope.rcptTo).toEqual([FORWARDER.email]);
    const headers = rawHeaderSection(reply);
    expect(headers).not.toMatch(/^bcc:/im);
    expect(headers).not.toMatch(/^x-injected:/im);
    expect(reply.parsed.bcc).toBeUndefined();
    expect(reply.parsed.headers.has("bcc")).toBe(false);
    expect(reply.parsed.headers.has("x-injected")).toBe(false);
    expect(reply.parsed.subject).toMatch(/^Re: Meeting rooms/);
    expect(reply.parsed.subject).not.toMatch(/[\r\n]/);
  });
});

describe.skipIf(skipReason !== null)("replies in dry-run", () => {
  let scenario: Scenario;
  let forwards: MailInfo[];

  beforeAll(async () => {
    const mail = await Promise.all(MAIL.map(describeMail));
    forwards = mail.filter((info) => isForward(info.file));
    scenario = await startScenario();
    for (const info of mail) await scenario.dovecot.appendMessage("INBOX", info.file.raw);
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  it("prints each reply and sends none", async () => {
    const result = await scenario.once(["--dry-run"]);
    // The report goes to stdout and the log to stderr, which must hold no warning or error.
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(logLines(result.stderr).filter((line) => Number(line.level) >= 50)).toEqual([]);
    expect(scenario.smtp.messages).toHaveLength(0);
    expect(scenario.standIn.requests).toHaveLength(0);

    const blocks = result.stdout.split("DRY-RUN: would send this forwarder reply:").slice(1);
    expect(blocks).toHaveLength(forwards.length);
    for (const forward of forwards) {
      const block = blocks.find((text) => text.includes(`In-Reply-To: ${forward.messageId}`));
      expect(block, forward.name).toBeDefined();
      expect(block).toMatch(new RegExp(`To: .*<?${forward.from.replace(/[.+]/g, "\\$&")}>?`));
      expect(block).toContain(`From: Aurora leads <${LEADD_ADDRESS}>`);
      expect(block).toMatch(/Subject: Re: \S/);
      expect(block).toContain("Auto-Submitted: auto-replied");
      expect(block).toContain("X-Auto-Response-Suppress: All");
      expect(block).toContain("X-Leadd-Reply: 1");
    }
  });
});
