/**
 * Validates the expanded config tree and resolves it: per-mailbox `lead` and `replies`
 * overrides merged onto the top-level blocks, default outcome folders filled in, and
 * relative paths made absolute. Every problem is returned, none thrown.
 */
import { isAbsolute, resolve } from "node:path";
import { type ConfigIssue, type KeyPath, configIssue, formatIssueLine, fromZodError } from "./issues.js";
import {
  DEFAULT_FOLDERS,
  DEFAULT_OUTCOMES,
  type LeadConfig,
  type LeaddConfig,
  type MailboxConfig,
  type RepliesConfig,
  configFileSchema,
  leadSchema,
  repliesSchema,
} from "./schema.js";
import { OUTCOMES } from "../types.js";

type Tree = Record<string, unknown>;

/** SMTP keys that sign in together: an override that sets one replaces all of them. */
const SMTP_CREDENTIAL_KEYS = ["user", "password", "auth"];

function isPlainObject(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hasPath(tree: unknown, keys: KeyPath): boolean {
  let node = tree;
  for (const key of keys) {
    if (!isPlainObject(node) && !Array.isArray(node)) return false;
    if (!Object.hasOwn(node as object, key as PropertyKey)) return false;
    node = (node as Record<PropertyKey, unknown>)[key as PropertyKey];
  }
  return true;
}

/** Merges mappings key by key; lists, scalars and `auth` blocks (whose keys depend on their type) are replaced whole. */
function deepMerge(base: Tree, override: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = key !== "auth" && isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function mergeReplies(top: Tree, override: Tree): Tree {
  const smtpOverride = override.smtp;
  if (isPlainObject(top.smtp) && isPlainObject(smtpOverride) && SMTP_CREDENTIAL_KEYS.some((key) => key in smtpOverride)) {
    const smtp = { ...top.smtp };
    for (const key of SMTP_CREDENTIAL_KEYS) delete smtp[key];
    return deepMerge({ ...top, smtp }, override);
  }
  return deepMerge(top, override);
}

/**
 * Validates one merged override block. An issue whose value the mailbox set is reported
 * under the mailbox; one that repeats a top-level issue is dropped, since it is already there.
 */
function validateMerged<T>(
  schema: { safeParse(input: unknown, params: { reportInput: boolean }): { success: true; data: T } | { success: false; error: import("zod").ZodError } },
  merged: Tree,
  override: Tree,
  block: "lead" | "replies",
  mailboxIndex: number,
  topLevelLines: Set<string>,
): { data?: T; issues: ConfigIssue[] } {
  const parsed = schema.safeParse(merged, { reportInput: true });
  if (parsed.success) return { data: parsed.data, issues: [] };

  const issues: ConfigIssue[] = [];
  for (const issue of fromZodError(parsed.error)) {
    if (!hasPath(override, issue.keys)) {
      const atTop = configIssue([block, ...issue.keys], issue.message);
      if (topLevelLines.has(formatIssueLine(atTop))) continue;
    }
    issues.push(configIssue(["mailboxes", mailboxIndex, block, ...issue.keys], issue.message));
  }
  return { issues };
}

/** Checks that span several blocks: unique mailbox names, outcome folder keys, the Sent folder. */
function crossCheck(raw: Tree): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const mailboxes = Array.isArray(raw.mailboxes) ? raw.mailboxes : [];
  const firstIndexByName = new Map<string, number>();

  for (const [index, mailbox] of mailboxes.entries()) {
    if (!isPlainObject(mailbox) || typeof mailbox.name !== "string") continue;
    const first = firstIndexByName.get(mailbox.name);
    if (first === undefined) firstIndexByName.set(mailbox.name, index);
    else issues.push(configIssue(["mailboxes", index, "name"], `"${mailbox.name}" is already the name of mailboxes[${first}]; names must be unique`));
  }

  const outcomes = isPlainObject(raw.outcomes) ? raw.outcomes : {};
  for (const outcome of OUTCOMES) {
    const action = outcomes[outcome];
    const folder = isPlainObject(action) && "folder" in action ? action.folder : DEFAULT_OUTCOMES[outcome].folder;
    if (typeof folder !== "string") continue;
    for (const [index, mailbox] of mailboxes.entries()) {
      if (!isPlainObject(mailbox) || mailbox.source !== undefined) continue;
      const folders = isPlainObject(mailbox.folders) ? mailbox.folders : {};
      if (!(folder in DEFAULT_FOLDERS) && !(folder in folders)) {
        issues.push(
          configIssue(
            ["outcomes", outcome, "folder"],
            `"${folder}" is not a key of mailboxes[${index}].folders; add it there or use one of ${[...new Set([...Object.keys(DEFAULT_FOLDERS), ...Object.keys(folders)])].join(", ")}, or null`,
          ),
        );
      }
    }
  }

  const topReplies = isPlainObject(raw.replies) ? raw.replies : undefined;
  for (const [index, mailbox] of mailboxes.entries()) {
    if (!isPlainObject(mailbox) || mailbox.source !== undefined) continue;
    const override = isPlainObject(mailbox.replies) ? mailbox.replies : {};
    const copyToSent = "copyToSent" in override ? override.copyToSent : topReplies?.copyToSent;
    const folders = isPlainObject(mailbox.folders) ? mailbox.folders : {};
    const sent = folders.sent ?? DEFAULT_FOLDERS.sent;
    const repliesOn = topReplies !== undefined || Object.keys(override).length > 0;
    if (repliesOn && (copyToSent === true || copyToSent === "true") && (sent === null || sent === undefined)) {
      issues.push(configIssue(["mailboxes", index, "folders", "sent"], "required because replies.copyToSent is true: the folder that reply copies are appended to"));
    }
  }
  return issues;
}

function absolute(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

export interface ValidationResult {
  config?: LeaddConfig;
  issues: ConfigIssue[];
}

/**
 * Validates an expanded config tree. `baseDir` is the config file's folder, which relative
 * paths (state, source.path, parsers.rulesDir, replies.templatesDir) are resolved against.
 */
export function validateConfig(raw: unknown, baseDir: string): ValidationResult {
  const parsed = configFileSchema.safeParse(raw, { reportInput: true });
  const issues = parsed.success ? [] : fromZodError(parsed.error);
  if (!isPlainObject(raw)) return { issues };

  issues.push(...crossCheck(raw));

  const topLevelLines = new Set(issues.map(formatIssueLine));
  const topLead = isPlainObject(raw.lead) ? raw.lead : {};
  const topReplies = isPlainObject(raw.replies) ? raw.replies : undefined;
  const mailboxes = Array.isArray(raw.mailboxes) ? raw.mailboxes : [];
  const leads: Array<LeadConfig | undefined> = [];
  const replies: Array<RepliesConfig | undefined> = [];

  for (const [index, mailbox] of mailboxes.entries()) {
    const leadOverride = isPlainObject(mailbox) && isPlainObject(mailbox.lead) ? mailbox.lead : {};
    if (Object.keys(leadOverride).length > 0) {
      const result = validateMerged(leadSchema, { ...topLead, ...leadOverride }, leadOverride, "lead", index, topLevelLines);
      leads[index] = result.data;
      issues.push(...result.issues);
    }

    const repliesOverride = isPlainObject(mailbox) && isPlainObject(mailbox.replies) ? mailbox.replies : {};
    if (Object.keys(repliesOverride).length > 0) {
      const merged = topReplies === undefined ? repliesOverride : mergeReplies(topReplies, repliesOverride);
      const result = validateMerged(repliesSchema, merged, repliesOverride, "replies", index, topLevelLines);
      replies[index] = result.data;
      issues.push(...result.issues);
    }
  }

  const unique = [...new Map(issues.map((issue) => [formatIssueLine(issue), issue])).values()];
  if (unique.length > 0 || !parsed.success) return { issues: unique };

  const file = parsed.data;
  const resolvedReplies = (reply: RepliesConfig | undefined): RepliesConfig | undefined =>
    reply && { ...reply, templatesDir: reply.templatesDir === null ? null : absolute(baseDir, reply.templatesDir) };

  const config: LeaddConfig = {
    ...file,
    state: absolute(baseDir, file.state),
    parsers: { ...file.parsers, ...(file.parsers.rulesDir === undefined ? {} : { rulesDir: absolute(baseDir, file.parsers.rulesDir) }) },
    replies: resolvedReplies(file.replies),
    mailboxes: file.mailboxes.map((mailbox, index): MailboxConfig => {
      const { lead: _lead, replies: _replies, ...rest } = mailbox;
      return {
        ...rest,
        source: mailbox.source && { ...mailbox.source, path: absolute(baseDir, mailbox.source.path) },
        folder: typeof mailbox.folder === "string" ? [mailbox.folder] : mailbox.folder,
        folders: { ...DEFAULT_FOLDERS, ...mailbox.folders },
        lead: leads[index] ?? file.lead,
        replies: resolvedReplies(replies[index] ?? file.replies),
      };
    }),
  };
  return { config, issues: [] };
}
