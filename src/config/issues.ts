/**
 * Turns zod issues into one line each: the key path as written in the YAML file, then what
 * was expected and what was found, such as
 * `mailboxes[0].imap.port: expected a number from 1 to 65535, got "abc"`.
 */
import type { z } from "zod";

export type KeyPath = ReadonlyArray<string | number | symbol>;

/** One problem in the config file. */
export interface ConfigIssue {
  /** Key path as written in the file, such as `mailboxes[0].imap.port`. */
  path: string;
  message: string;
  /** The same path as segments, for moving an issue from a merged block to where its value was set. */
  keys: KeyPath;
}

/** Key names whose values are never echoed in an error message. */
export const SECRET_KEY = /(password|token|secret|ticket|privatekey|certificate|serviceaccount)$/i;

/** Maximum length of a value quoted in a message. Longer values are cut so that a pasted PEM does not flood the output. */
const MAX_QUOTED_CHARS = 60;

export function formatPath(path: KeyPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out === "" ? "(top level)" : out;
}

export function configIssue(keys: KeyPath, message: string): ConfigIssue {
  return { path: formatPath(keys), message, keys };
}

export function formatIssueLine(issue: ConfigIssue): string {
  return `${issue.path}: ${issue.message}`;
}

/** Quotes a value for a message: strings in JSON quotes, cut at MAX_QUOTED_CHARS. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  const json = typeof value === "string" ? JSON.stringify(value) : String(value);
  return json.length > MAX_QUOTED_CHARS ? `${json.slice(0, MAX_QUOTED_CHARS)}…` : json;
}

const EXPECTED_TYPE: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
  null: "null",
};

function isSecretPath(path: KeyPath): boolean {
  const last = [...path].reverse().find((segment) => typeof segment === "string");
  return typeof last === "string" && SECRET_KEY.test(last);
}

/** Says "required", and for a secret also that it may come from a `…File` key. */
function requiredMessage(path: KeyPath): string {
  const last = path[path.length - 1];
  return typeof last === "string" && SECRET_KEY.test(last) ? `required: set ${last} or ${last}File` : "required";
}

/** Appends ", got VALUE" unless the value is a secret or the message already shows it. */
function withInput(message: string, issue: z.core.$ZodIssue, path: KeyPath): string {
  if (!("input" in issue) || isSecretPath(path) || message.includes(", got ")) return message;
  // A check on a whole mapping (such as "set exactly one of ...") gains nothing from "got a mapping".
  if (issue.code !== "invalid_type" && typeof issue.input === "object" && issue.input !== null) return message;
  return `${message}, got ${describeValue(issue.input)}`;
}

/** Converts one zod issue into config issues; an unknown-keys issue yields one per key. */
export function fromZodIssue(issue: z.core.$ZodIssue, prefix: KeyPath = []): ConfigIssue[] {
  const path: KeyPath = [...prefix, ...issue.path];
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({
        path: formatPath([...path, key]),
        message: "unknown key; check its spelling and place against config/leadd.example.yaml",
        keys: [...path, key],
      }));
    case "invalid_type": {
      if (!("input" in issue) || issue.input === undefined) return [{ path: formatPath(path), message: requiredMessage(path), keys: path }];
      const custom = issue.message.startsWith("expected ") ? issue.message : `expected ${EXPECTED_TYPE[issue.expected] ?? issue.expected}`;
      return [{ path: formatPath(path), message: withInput(custom, issue, path), keys: path }];
    }
    case "invalid_union": {
      // zod marks a discriminated union whose `type` matched no member this way.
      const { discriminator, input } = issue as { discriminator?: string; input?: unknown };
      if (discriminator !== undefined) {
        const value = typeof input === "object" && input !== null ? (input as Record<string, unknown>)[discriminator] : undefined;
        const location = formatPath(path);
        if (value === undefined) return [{ path: location, message: `required: ${issue.message}`, keys: path }];
        return [{ path: location, message: `${issue.message}, got ${describeValue(value)}`, keys: path }];
      }
      return [{ path: formatPath(path), message: withInput(issue.message, issue, path), keys: path }];
    }
    default:
      return [{ path: formatPath(path), message: withInput(issue.message, issue, path), keys: path }];
  }
}

export function fromZodError(error: z.ZodError, prefix: KeyPath = []): ConfigIssue[] {
  return error.issues.flatMap((issue) => fromZodIssue(issue, prefix));
}
