import { mkdtemp } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { createTokenProvider, type TokenProvider } from "../auth/index.js";
import type { LeaddConfig, MailboxConfig } from "../config/schema.js";
import { SuperOfficeClient } from "../crm/client.js";
import { buildLeadRequest } from "../extract/request.js";
import { createImapMailbox } from "../fetch/mailbox.js";
import { createLocalMailbox } from "../fetch/local-mailbox.js";
import type { Mailbox } from "../fetch/mailbox.js";
import { LeaddError } from "../errors.js";
import { bundledParsersDir } from "../paths.js";
import { createReplySender } from "../reply/send.js";
import { Journal } from "../state/journal.js";
import { OUTCOMES, type Outcome } from "../types.js";
import { createAnalyzer } from "./analyzer.js";
import { DryRunReport, dryRunCrm, dryRunMailbox } from "./dry-run.js";
import { KeyedLock } from "./keyed-lock.js";
import { createReplyStage } from "./reply-stage.js";
import type { CycleObserver, MailboxRuntime, OutcomeAction, Runtime } from "./runtime.js";

export interface BuildOptions {
  dryRun: boolean;
  observer?: CycleObserver;
  /** Stream for the dry-run report; stdout by default. */
  reportTo?: NodeJS.WritableStream;
}

/** The runtime plus what must be closed at the end and the token providers metrics watch. */
export interface BuiltRuntime {
  runtime: Runtime;
  tokenProviders: Array<{ name: string; provider: TokenProvider }>;
  crm: SuperOfficeClient | null;
  close(): Promise<void>;
}

/** Wire config, journal, mailboxes, analyzer, CRM client and replies into one runtime. */
export async function buildRuntime(config: LeaddConfig, log: Logger, options: BuildOptions): Promise<BuiltRuntime> {
  rejectLocalSourcesOutsideDryRun(config, options.dryRun);
  const report = options.dryRun ? new DryRunReport(options.reportTo) : null;
  const journal = options.dryRun ? await openScratchJournal(config.state) : Journal.open(config.state);
  const tokenProviders: Array<{ name: string; provider: TokenProvider }> = [];

  // A dry-run makes no CRM call, so it must not count one in the metrics either.
  const observer = options.dryRun ? { ...options.observer, crmCall: undefined, crmError: undefined, crmRetry: undefined } : (options.observer ?? {});
  const crmClient = options.dryRun
    ? null
    : new SuperOfficeClient(config.superoffice, log.child({ component: "crm" }), { onRetry: () => observer.crmRetry?.() });
  const crm = crmClient ?? dryRunCrm(report!);
  const ownAddresses = collectOwnAddresses(config);

  const mailboxes: MailboxRuntime[] = [];
  for (const [index, mailboxConfig] of config.mailboxes.entries()) {
    const mailboxLog = log.child({ mailbox: mailboxConfig.name });
    let mailbox = openMailbox(mailboxConfig, index, mailboxLog, tokenProviders);
    if (report) mailbox = dryRunMailbox(mailbox, report);

    const actions = resolveActions(config, mailboxConfig);
    const ruleDirs = [bundledParsersDir, ...(config.parsers.rulesDir ? [config.parsers.rulesDir] : [])];
    const analyzer = await createAnalyzer(
      {
        options: {
          defaultCountry: mailboxConfig.lead.defaultCountry,
          ownDomains: mailboxConfig.lead.ownDomains,
          ownAddresses,
          ownCompany: mailboxConfig.lead.ownCompany,
          appendForwarderNote: mailboxConfig.lead.appendForwarderNote,
          minConfidence: mailboxConfig.lead.minConfidence,
        },
        ruleDirs,
        timeoutMs: config.limits.parseTimeoutMs,
        logLevel: config.log.level,
      },
      mailboxLog,
    );

    const outcomeFolders = [...new Set(Object.values(actions).map((action) => action.folder).filter((folder): folder is string => folder !== null))];
    const sentFolder = mailboxConfig.replies?.copyToSent ? (mailboxConfig.folders.sent ?? null) : null;
    if (sentFolder) outcomeFolders.push(sentFolder);

    const replies = mailboxConfig.replies
      ? createReplyStage({
          settings: mailboxConfig.replies,
          sender: createReplySender(smtpOptions(mailboxConfig, index, mailboxLog, tokenProviders), mailboxLog),
          ownAddresses,
          journal,
          mailbox,
          sentFolder,
          actions,
          dryRun: report,
          now: () => new Date(),
        })
      : null;

    const lead = mailboxConfig.lead;
    mailboxes.push({
      name: mailboxConfig.name,
      mailbox,
      folders: mailboxConfig.folder,
      outcomeFolders,
      reviewFolder: mailboxConfig.folders.review ?? null,
      actions,
      analyzer,
      buildRequest: (analysis) =>
        buildLeadRequest(analysis, { associateIdForNewContact: lead.associateIdForNewContact, relation: lead.relation, relationId: lead.relationId, ownCompany: lead.ownCompany }),
      replies,
    });
  }

  const runtime: Runtime = {
    log,
    journal,
    crm,
    mailboxes,
    settings: {
      maxMessageBytes: config.limits.maxMessageBytes,
      maxMessagesPerCycle: config.limits.maxMessagesPerCycle,
      failedRetryHours: config.superoffice.failedRetryHours,
      retryUnknownSends: config.superoffice.retryUnknownSends,
    },
    locks: new KeyedLock(),
    dryRun: report,
    observer,
    stopping: { requested: false },
    now: () => new Date(),
  };

  return {
    runtime,
    tokenProviders,
    crm: crmClient,
    async close() {
      for (const mb of mailboxes) await mb.analyzer.close();
      journal.close();
    },
  };
}

/**
 * Reject local-folder mailboxes outside dry-run. A local folder cannot take keywords or moves,
 * so a real run over it would call GenerateLead and then fail to record the outcome.
 */
function rejectLocalSourcesOutsideDryRun(config: LeaddConfig, dryRun: boolean): void {
  if (dryRun) return;
  const local = config.mailboxes.flatMap((mailbox, index) => (mailbox.source ? [`mailboxes[${index}].source (${mailbox.name})`] : []));
  if (local.length === 0) return;
  throw new LeaddError(
    "CONFIG_INVALID",
    `${local.join(", ")}: a local folder can only be read with --dry-run, because leadd cannot flag or move its messages. Add --dry-run, or give the mailbox an imap block.`,
    { details: { mailboxes: local } },
  );
}

function openMailbox(config: MailboxConfig, index: number, log: Logger, tokenProviders: BuiltRuntime["tokenProviders"]): Mailbox {
  if (config.source) return createLocalMailbox({ name: config.name, type: config.source.type, path: config.source.path });
  const imap = config.imap!;
  const provider = createTokenProvider(imap.auth, imap.user, log, { configPath: `mailboxes[${index}].imap.auth` });
  if (provider) tokenProviders.push({ name: `${config.name}/imap`, provider });
  return createImapMailbox(
    {
      name: config.name,
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      user: imap.user,
      password: imap.password,
      accessToken: provider ? () => provider.getAccessToken() : undefined,
      tlsRejectUnauthorized: imap.tlsRejectUnauthorized,
    },
    log,
  );
}

/** SMTP options of a mailbox's replies, with its OAuth token provider registered in `tokenProviders`. */
export function smtpOptions(config: MailboxConfig, index: number, log: Logger, tokenProviders: BuiltRuntime["tokenProviders"]) {
  const smtp = config.replies!.smtp;
  const provider = smtp.user ? createTokenProvider(smtp.auth, smtp.user, log, { configPath: `mailboxes[${index}].replies.smtp.auth` }) : null;
  if (provider) tokenProviders.push({ name: `${config.name}/smtp`, provider });
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    user: smtp.user,
    password: smtp.password,
    tlsRejectUnauthorized: smtp.tlsRejectUnauthorized,
    accessToken: provider ? () => provider.getAccessToken() : undefined,
  };
}

/** Outcome actions with folder keys replaced by the mailbox's folder names. */
function resolveActions(config: LeaddConfig, mailbox: MailboxConfig): Record<Outcome, OutcomeAction> {
  const actions = {} as Record<Outcome, OutcomeAction>;
  for (const outcome of OUTCOMES) {
    const action = config.outcomes[outcome];
    actions[outcome] = {
      keyword: action.keyword,
      folder: action.folder === null ? null : (mailbox.folders[action.folder] ?? null),
      replies: action.replies,
    };
  }
  return actions;
}

/** leadd's own addresses: the mailbox logins and reply senders. Mail from them is never a lead. */
function collectOwnAddresses(config: LeaddConfig): string[] {
  const addresses = new Set<string>();
  for (const mailbox of config.mailboxes) {
    if (mailbox.imap?.user.includes("@")) addresses.add(mailbox.imap.user.toLowerCase());
    const from = mailbox.replies?.from;
    const match = from ? /<([^<>]+)>/.exec(from) : null;
    if (from) addresses.add((match?.[1] ?? from).trim().toLowerCase());
  }
  return [...addresses];
}

/**
 * Open a copy of the journal for dry-run, so that it reads what is already done but leaves
 * the real file untouched.
 */
async function openScratchJournal(statePath: string): Promise<Journal> {
  if (!existsSync(statePath)) return Journal.inMemory();
  const folder = await mkdtemp(join(tmpdir(), "leadd-dry-run-"));
  const copy = join(folder, "leadd.db");
  const source = Journal.open(statePath, { readonly: true });
  await source.backupTo(copy);
  source.close();
  return Journal.open(copy);
}
