/**
 * Field schemas shared by the config tree. Each sets its own message ("expected …") so that
 * the issue formatter can append the value it got and the key path it sits at.
 */
import { isSupportedCountry } from "libphonenumber-js";
import { validate as isValidCron } from "node-cron";
import { z } from "zod";

/** A number written as a string, as `${PORT}` interpolation produces. */
const NUMERIC_TEXT = /^\s*-?\d+(\.\d+)?\s*$/;

/** Largest int32, the width of SuperOffice ids. */
export const MAX_INT32 = 2_147_483_647;

/** Accepts "993" as 993 so that numbers can come from environment variables. */
function numberFromText(value: unknown): unknown {
  return typeof value === "string" && NUMERIC_TEXT.test(value) ? Number(value) : value;
}

/** Accepts "true" and "false" so that switches can come from environment variables. */
function booleanFromText(value: unknown): unknown {
  if (value === "true") return true;
  if (value === "false") return false;
  return value;
}

/** Accepts a whole number from min to max inclusive. */
export function wholeNumber(min: number, max: number) {
  const error = `expected a number from ${min} to ${max}`;
  return z.preprocess(numberFromText, z.number({ error }).int({ error }).min(min, { error }).max(max, { error }));
}

/** Accepts a decimal number from min to max inclusive. */
export function decimal(min: number, max: number) {
  const error = `expected a number from ${min} to ${max}`;
  return z.preprocess(numberFromText, z.number({ error }).min(min, { error }).max(max, { error }));
}

export function flag() {
  return z.preprocess(booleanFromText, z.boolean({ error: "expected true or false" }));
}

/** Message for a number, true, false or null where a string belongs, which YAML makes of an unquoted 12345 or true. */
const STRING_TYPE_ERROR = "expected a string; put quotes around a value that YAML reads as a number, true, false or null";

export function text() {
  return z.string({ error: STRING_TYPE_ERROR }).trim().min(1, { error: "expected a non-empty string" });
}

export function port() {
  return wholeNumber(1, 65_535);
}

export function hostname() {
  const error = "expected a host name or IP address";
  return z
    .string({ error })
    .trim()
    .min(1, { error })
    .refine((value) => !/[\s/]/.test(value), { error: "expected a host name or IP address without scheme, path or spaces" });
}

export function cronExpression() {
  return z
    .string({ error: "expected a cron expression such as \"*/2 * * * *\"" })
    .refine((value) => isValidCron(value), {
      error: "expected a cron expression such as \"*/2 * * * *\" (minute hour day-of-month month day-of-week)",
    });
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function timeZone() {
  return z
    .string({ error: "expected an IANA time zone such as Europe/Oslo" })
    .refine(isValidTimeZone, { error: "expected an IANA time zone such as Europe/Oslo" });
}

export function countryCode() {
  return z
    .string({ error: "expected an ISO 3166 alpha-2 country code such as NO" })
    .transform((value) => value.trim().toUpperCase())
    .refine((value) => isSupportedCountry(value), {
      error: "expected an ISO 3166 alpha-2 country code that libphonenumber-js supports, such as NO, SE or DE",
    });
}

/**
 * Accepts an IMAP keyword, which RFC 3501 makes an atom: no spaces, brackets, quotes,
 * wildcards or backslash. A leading backslash would make it a system flag.
 */
export function imapKeyword() {
  return z
    .string({ error: "expected an IMAP keyword such as $LeadCreated" })
    .regex(/^[^\s(){%*"\\\]\x00-\x1f\x7f]+$/, { error: "expected an IMAP keyword without spaces or ( ) { % * \" \\ ]" });
}

/** Accepts a filesystem path. The resolver makes a relative one absolute against the config file's folder. */
export function filePath() {
  const error = "expected a file or folder path";
  return z.string({ error }).min(1, { error });
}

export function looksLikePemPrivateKey(value: string): boolean {
  return /-----BEGIN (RSA |ENCRYPTED |EC )?PRIVATE KEY-----/.test(value);
}

/** Accepts a PEM private key, as a `privateKeyFile` or `certificateFile` provides. */
export function pemPrivateKey() {
  return z
    .string({ error: "expected a PEM private key" })
    .refine(looksLikePemPrivateKey, {
      error: "expected a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)",
    });
}

/** Accepts a password, token or other secret: any non-empty string, kept exactly as given. */
export function secret() {
  return z.string({ error: STRING_TYPE_ERROR }).min(1, { error: "expected a non-empty string" });
}
