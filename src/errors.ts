/**
 * Typed errors. One place (the CLI and the cycle) decides from `code` whether to exit,
 * retry, mark a message failed or quarantine it; nothing matches on message text.
 */
export type LeaddErrorCode =
  | "CONFIG_INVALID"
  | "CONFIG_NOT_FOUND"
  | "IMAP_LOGIN_FAILED"
  | "IMAP_CONNECTION_FAILED"
  | "IMAP_COMMAND_FAILED"
  | "MESSAGE_TOO_LARGE"
  | "MESSAGE_UNREADABLE"
  | "PARSE_TIMEOUT"
  | "CRM_AUTH_FAILED"
  | "CRM_REJECTED"
  | "CRM_UNAVAILABLE"
  | "CRM_BAD_RESPONSE"
  | "STATE_LOCKED"
  | "STATE_FAILED"
  | "SMTP_FAILED"
  /** A mailbox OAuth2 token could not be obtained (token endpoint, client or grant). */
  | "OAUTH_FAILED"
  /** The health and metrics HTTP listener could not bind its address. */
  | "HTTP_LISTEN_FAILED";

export class LeaddError extends Error {
  readonly code: LeaddErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: LeaddErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LeaddError";
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Exit statuses of the CLI. */
export const EXIT = {
  ok: 0,
  /** The cycle could not run: login, network or state failure. */
  failed: 1,
  /** The config file or the command line is invalid. */
  usage: 2,
  /** Another leadd process holds the state lock. */
  locked: 3,
} as const;

export function isLeaddError(error: unknown, code?: LeaddErrorCode): error is LeaddError {
  return error instanceof LeaddError && (code === undefined || error.code === code);
}
