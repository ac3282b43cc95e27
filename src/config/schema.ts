/**
 * The config file's key tree (see config/leadd.example.yaml for every key). Objects are
 * strict, so a misspelt key is an error rather than a silently ignored setting.
 *
 * `mailboxes[].lead` and `mailboxes[].replies` are overrides. `validateConfig` in
 * ./validate.ts merges them onto the top-level blocks and validates the result with
 * `leadSchema` and `repliesSchema`, so each resolved mailbox has complete settings.
 */
import { z } from "zod";
import { CONTEXT_IDENTIFIER, endpointUrl, mailAuthSchema, superOfficeAuthSchema } from "./auth-schema.js";
import {
  MAX_INT32,
  countryCode,
  cronExpression,
  decimal,
  filePath,
  flag,
  hostname,
  imapKeyword,
  port,
  secret,
  text,
  timeZone,
  wholeNumber,
} from "./fields.js";
import { OUTCOMES, type Outcome } from "../types.js";

/** A message is held in memory whole while it is parsed, so the cap stays well below the heap. */
export const MAX_MESSAGE_BYTES_LIMIT = 512 * 1024 * 1024;
/** Ten minutes: a parse that takes longer than this is stuck, not slow. */
export const MAX_PARSE_TIMEOUT_MS = 600_000;
/** Longest HTTP timeout; a CRM call that needs more will not finish within a poll cycle either. */
export const MAX_CRM_TIMEOUT_MS = 600_000;
/** One week: beyond that a stale health check is no longer a useful signal. */
export const MAX_CYCLE_AGE_MINUTES = 10_080;
/** One year of retrying a failed message is longer than any CRM outage. */
export const MAX_FAILED_RETRY_HOURS = 8_760;

export const DEFAULT_SCHEDULE = "*/2 * * * *";
export const DEFAULT_STATE_PATH = "/var/lib/leadd/leadd.db";
export const REPLY_LANGUAGES = ["en", "nb", "sv", "da", "de", "nl"] as const;
export const REPLY_RECIPIENTS = ["forwarder", "lead"] as const;
export const LOCAL_SOURCE_TYPES = ["maildir", "folder"] as const;

/** Outcome folder keys every mailbox has unless it sets them itself; null = leave the message where it is. */
export const DEFAULT_FOLDERS: Readonly<Record<string, string | null>> = {
  done: "Leads/Done",
  review: "Leads/Review",
  failed: "Leads/Failed",
  quarantine: "Leads/Quarantine",
  ignored: null,
  sent: null,
};

export interface OutcomeAction {
  /** IMAP keyword set on the message. */
  keyword: string;
  /** Key of `mailboxes[].folders`, or null to leave the message in its folder. */
  folder: string | null;
  replies: Array<(typeof REPLY_RECIPIENTS)[number]>;
}

export const DEFAULT_OUTCOMES: Readonly<Record<Outcome, OutcomeAction>> = {
  created: { keyword: "$LeadCreated", folder: "done", replies: ["forwarder"] },
  matched: { keyword: "$LeadCreated", folder: "done", replies: ["forwarder"] },
  ambiguous: { keyword: "$LeadReview", folder: "review", replies: ["forwarder"] },
  incomplete: { keyword: "$LeadReview", folder: "review", replies: ["forwarder"] },
  "not-lead": { keyword: "$LeadIgnored", folder: "ignored", replies: [] },
  duplicate: { keyword: "$LeadDuplicate", folder: "done", replies: [] },
  failed: { keyword: "$LeadFailed", folder: "failed", replies: ["forwarder"] },
  quarantined: { keyword: "$LeadQuarantined", folder: "quarantine", replies: [] },
};

/** Recipients of the replies for an outcome: forwarder, lead, both or none. */
const replyRecipients = z
  .array(z.enum(REPLY_RECIPIENTS, { error: "expected forwarder or lead" }), { error: "expected a list of forwarder and lead" })
  .refine((list) => new Set(list).size === list.length, { error: "expected each recipient once" });

function outcomeActionSchema(defaults: OutcomeAction) {
  return z
    .strictObject({
      keyword: imapKeyword().default(defaults.keyword),
      folder: z
        .string({ error: "expected a key of mailboxes[].folders or null" })
        .min(1, { error: "expected a key of mailboxes[].folders or null" })
        .nullable()
        .default(defaults.folder),
      replies: replyRecipients.default([...defaults.replies]),
    })
    .default({ ...defaults, replies: [...defaults.replies] });
}

const outcomesSchema = z
  .strictObject(
    Object.fromEntries(OUTCOMES.map((outcome) => [outcome, outcomeActionSchema(DEFAULT_OUTCOMES[outcome])])) as Record<
      Outcome,
      ReturnType<typeof outcomeActionSchema>
    >,
  )
  .default(Object.fromEntries(OUTCOMES.map((outcome) => [outcome, { ...DEFAULT_OUTCOMES[outcome] }])) as Record<Outcome, OutcomeAction>);

/** Rejects `password` where an OAuth `auth` block signs in, and requires it where the password type does. */
function checkMailCredentials(
  value: { user?: unknown; password?: unknown; auth?: { type?: unknown } },
  ctx: z.RefinementCtx,
  userRequired: boolean,
): void {
  const type = value.auth?.type ?? "password";
  if (type === "password") {
    // Where user is required, its absence is reported by the field itself.
    const needsPassword = userRequired || value.user !== undefined;
    if (needsPassword && value.password === undefined) {
      ctx.addIssue({ code: "custom", path: ["password"], message: "required: set password or passwordFile for this user" });
    }
    if (!userRequired && value.user === undefined && value.password !== undefined) {
      ctx.addIssue({ code: "custom", path: ["user"], message: "required when password is set" });
    }
  } else if (type === "microsoft" || type === "google") {
    if (value.password !== undefined) {
      ctx.addIssue({ code: "custom", path: ["password"], message: `not used with auth type ${String(type)}; remove it` });
    }
    if (value.user === undefined && !userRequired) {
      ctx.addIssue({ code: "custom", path: ["user"], message: `required with auth type ${String(type)}: the mailbox to sign in as` });
    }
  }
}

/**
 * Runs a cross-field check even when a field already failed, so every error shows at once.
 * The check then receives a mapping whose failed fields contain their raw input.
 */
const ALWAYS = {
  when: (payload: { value: unknown }) => typeof payload.value === "object" && payload.value !== null && !Array.isArray(payload.value),
};

export const imapSchema = z
  .strictObject({
    host: hostname(),
    port: port().optional(),
    secure: flag().default(true),
    user: text(),
    password: secret().optional(),
    auth: mailAuthSchema.default({ type: "password" }),
    tlsRejectUnauthorized: flag().default(true),
  })
  .superRefine((imap, ctx) => checkMailCredentials(imap, ctx, true), ALWAYS)
  .transform((imap) => ({ ...imap, port: imap.port ?? (imap.secure ? 993 : 143) }));

export const smtpSchema = z
  .strictObject({
    host: hostname(),
    port: port().optional(),
    secure: flag().default(false),
    user: text().optional(),
    password: secret().optional(),
    auth: mailAuthSchema.optional(),
    tlsRejectUnauthorized: flag().default(true),
  })
  .superRefine((smtp, ctx) => checkMailCredentials(smtp, ctx, false), ALWAYS)
  .transform((smtp) => ({
    ...smtp,
    port: smtp.port ?? (smtp.secure ? 465 : 587),
    // No user means an unauthenticated relay, such as a local MTA.
    auth: smtp.auth ?? (smtp.user === undefined ? undefined : { type: "password" as const }),
  }));

export const repliesSchema = z
  .strictObject({
    smtp: smtpSchema,
    from: z
      .string({ error: "expected a sender such as \"Leads <leads@example.com>\"" })
      .regex(/^(?:[^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, {
        error: "expected a sender such as \"Leads <leads@example.com>\" or leads@example.com",
      }),
    templatesDir: filePath().nullable().default(null),
    defaultLanguage: z.enum(REPLY_LANGUAGES, { error: `expected one of ${REPLY_LANGUAGES.join(", ")}` }).default("en"),
    toForwarder: flag().default(true),
    toLead: flag().default(false),
    maxPerRecipientPerDay: wholeNumber(0, 1000).default(5),
    copyToSent: flag().default(false),
  });

export const leadSchema = z.strictObject({
  associateIdForNewContact: wholeNumber(1, MAX_INT32),
  relation: text(),
  relationId: wholeNumber(0, MAX_INT32),
  defaultCountry: countryCode(),
  ownDomains: z
    .array(
      z
        .string({ error: "expected a domain such as example.com" })
        .transform((domain) => domain.trim().toLowerCase().replace(/^@/, ""))
        .refine((domain) => /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain), { error: "expected a domain such as example.com" }),
      { error: "expected a list of domains" },
    )
    .default([]),
  ownCompany: text().optional(),
  appendForwarderNote: flag().default(false),
  minConfidence: decimal(0, 1).default(0.5),
});

const sourceSchema = z.strictObject({
  type: z.enum(LOCAL_SOURCE_TYPES, { error: "expected maildir or folder" }),
  path: filePath(),
});

const mailboxName = z
  .string({ error: "expected a name of lower-case letters, digits, _ and -" })
  .regex(/^[a-z0-9_-]+$/, { error: "expected a name of lower-case letters, digits, _ and -" });

const folderName = z.string({ error: "expected a folder name such as INBOX" }).min(1, { error: "expected a folder name such as INBOX" });

/** Overrides are plain mappings here; they are type-checked after merging onto the top-level block. */
const overrideBlock = z.record(z.string(), z.unknown(), { error: "expected a mapping of keys to override" });

export const mailboxFileSchema = z
  .strictObject({
    name: mailboxName,
    imap: imapSchema.optional(),
    source: sourceSchema.optional(),
    folder: z
      .union([folderName, z.array(folderName).min(1, { error: "expected a folder name or a list of folder names" })], {
        error: "expected a folder name or a list of folder names",
      })
      .default("INBOX"),
    folders: z
      .record(z.string(), folderName.nullable(), { error: "expected a mapping of outcome folder keys to folder names or null" })
      .default({}),
    idle: flag().default(false),
    lead: overrideBlock.optional(),
    replies: overrideBlock.optional(),
  })
  .superRefine((mailbox, ctx) => {
    if ((mailbox.imap === undefined) === (mailbox.source === undefined)) {
      ctx.addIssue({ code: "custom", message: "set exactly one of imap (a mail server) and source (a local folder)" });
    }
  }, ALWAYS);

const superOfficeSchema = z
  .strictObject({
    url: z.string({ error: "expected the site URL, such as https://online.superoffice.com/Cust12345" }),
    auth: superOfficeAuthSchema,
    appToken: secret().optional(),
    timeoutMs: wholeNumber(1000, MAX_CRM_TIMEOUT_MS).default(30_000),
    tlsRejectUnauthorized: flag().default(true),
    retry: z
      .strictObject({
        attempts: wholeNumber(1, 100).default(5),
        baseDelayMs: wholeNumber(0, 3_600_000).default(1000),
        maxDelayMs: wholeNumber(0, 3_600_000).default(60_000),
      })
      .superRefine((retry, ctx) => {
        if (retry.baseDelayMs > retry.maxDelayMs) {
          ctx.addIssue({ code: "custom", path: ["baseDelayMs"], message: `expected at most maxDelayMs (${retry.maxDelayMs})`, input: retry.baseDelayMs });
        }
      })
      .default({ attempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 }),
    circuitBreaker: z.strictObject({ failures: wholeNumber(1, 1000).default(5) }).default({ failures: 5 }),
    failedRetryHours: wholeNumber(0, MAX_FAILED_RETRY_HOURS).default(72),
    retryUnknownSends: flag().default(false),
    loginUrl: endpointUrl("https://online.superoffice.com").optional(),
    stateUrl: endpointUrl("https://online.superoffice.com").optional(),
  })
  .superRefine((so, ctx) => {
    if (typeof so.url !== "string") return; // a missing or non-string url is reported by the field itself
    const site = parseSiteUrl(so.url);
    if (typeof site === "string") {
      ctx.addIssue({ code: "custom", path: ["url"], message: site, input: so.url });
      return;
    }
    if (so.auth?.type === "systemuser" && so.auth.contextIdentifier === undefined && tenantFromUrl(site) === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["auth", "contextIdentifier"],
        message: "required because superoffice.url has no CustNNNNN segment to take it from",
      });
    }
  }, ALWAYS)
  .transform((so) => {
    const site = parseSiteUrl(so.url) as URL;
    const url = site.toString().replace(/\/$/, "");
    const auth =
      so.auth.type === "systemuser" ? { ...so.auth, contextIdentifier: so.auth.contextIdentifier ?? (tenantFromUrl(site) as string) } : so.auth;
    return { ...so, url, auth };
  });

/**
 * Returns the site URL without a trailing `/api` or `/api/v1`, or the reason it is not one.
 */
export function parseSiteUrl(value: unknown): URL | string {
  if (typeof value !== "string") return "expected the site URL, such as https://online.superoffice.com/Cust12345";
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return "expected an absolute URL such as https://online.superoffice.com/Cust12345";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "expected an http or https URL";
  if (url.search !== "" || url.hash !== "") return "expected a URL without query or fragment";
  url.pathname = url.pathname.replace(/\/+$/, "").replace(/\/api(\/v1)?$/i, "") || "/";
  return url;
}

/** Returns the Online tenant id (CustNNNNN) in the URL path, if any. */
export function tenantFromUrl(url: URL): string | undefined {
  return url.pathname.split("/").find((segment) => CONTEXT_IDENTIFIER.test(segment));
}

const httpSchema = z
  .strictObject({
    listen: z
      .string({ error: "expected HOST:PORT such as 127.0.0.1:9464" })
      .refine((value) => parseListen(value) !== undefined, { error: "expected HOST:PORT such as 127.0.0.1:9464 or [::1]:9464" }),
  })
  .transform((http) => ({ listen: http.listen, ...(parseListen(http.listen) as { host: string; port: number }) }));

/** Splits "host:port", "[v6]:port" or a bare port (which listens on loopback only) into its parts. */
export function parseListen(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]:|([^:\s[\]]+):)?(\d{1,5})$/.exec(value.trim());
  if (match === null) return undefined;
  const portNumber = Number(match[3]);
  if (portNumber < 1 || portNumber > 65_535) return undefined;
  return { host: match[1] ?? match[2] ?? "127.0.0.1", port: portNumber };
}

export const configFileSchema = z.strictObject({
  schedule: cronExpression().default(DEFAULT_SCHEDULE),
  timezone: timeZone().optional(),
  state: filePath().default(DEFAULT_STATE_PATH),
  log: z
    .strictObject({
      level: z.enum(["trace", "debug", "info", "warn", "error"], { error: "expected trace, debug, info, warn or error" }).default("info"),
    })
    .default({ level: "info" }),
  limits: z
    .strictObject({
      maxMessageBytes: wholeNumber(1024, MAX_MESSAGE_BYTES_LIMIT).default(25 * 1024 * 1024),
      parseTimeoutMs: wholeNumber(100, MAX_PARSE_TIMEOUT_MS).default(10_000),
      maxMessagesPerCycle: wholeNumber(1, 100_000).default(500),
    })
    .default({ maxMessageBytes: 25 * 1024 * 1024, parseTimeoutMs: 10_000, maxMessagesPerCycle: 500 }),
  mailboxes: z.array(mailboxFileSchema, { error: "expected a list of mailboxes" }).min(1, { error: "expected at least one mailbox" }),
  superoffice: superOfficeSchema,
  lead: leadSchema,
  parsers: z.strictObject({ rulesDir: filePath().optional() }).default({}),
  outcomes: outcomesSchema,
  replies: repliesSchema.optional(),
  http: httpSchema.optional(),
  health: z.strictObject({ maxCycleAgeMinutes: wholeNumber(1, MAX_CYCLE_AGE_MINUTES).default(15) }).default({ maxCycleAgeMinutes: 15 }),
});

export type ImapConfig = z.output<typeof imapSchema>;
export type SmtpConfig = z.output<typeof smtpSchema>;
export type RepliesConfig = z.output<typeof repliesSchema>;
export type LeadConfig = z.output<typeof leadSchema>;
export type SuperOfficeConfig = z.output<typeof superOfficeSchema>;
export type LocalSourceConfig = z.output<typeof sourceSchema>;
export type HttpConfig = z.output<typeof httpSchema>;
export type { MailAuth, SuperOfficeAuth } from "./auth-schema.js";

type FileConfig = z.output<typeof configFileSchema>;
type FileMailbox = z.output<typeof mailboxFileSchema>;

/** One mailbox with the top-level `lead` and `replies` merged in; exactly one of `imap` and `source` is set. */
export interface MailboxConfig extends Omit<FileMailbox, "folder" | "lead" | "replies" | "imap" | "source"> {
  imap?: ImapConfig;
  source?: LocalSourceConfig;
  /** Folders to read, in order. */
  folder: string[];
  /** Outcome folder keys (the defaults plus the mailbox's own) to folder names, null = stay. */
  folders: Record<string, string | null>;
  lead: LeadConfig;
  /** Undefined when replies are off for this mailbox. */
  replies?: RepliesConfig;
}

export interface LeaddConfig extends Omit<FileConfig, "mailboxes"> {
  mailboxes: MailboxConfig[];
  http?: HttpConfig;
}
