/**
 * Turns imapflow and socket errors into LeaddErrors whose message names the server, the
 * account or folder, and what to check. The original error stays in `cause`.
 */
import { LeaddError, isLeaddError } from "../errors.js";

export interface ImapErrorContext {
  host: string;
  port: number;
  user: string;
  /** How leadd signs in; decides which config keys a login failure points to. */
  authType: "password" | "oauth";
  /** Operation that failed, e.g. "connect", "FETCH", "UID MOVE". */
  operation: string;
  folder?: string;
  uid?: number;
}

/** The fields of imapflow's errors that leadd reads (imapflow 2.x `ImapFlowError`). */
interface ImapflowErrorFields {
  code?: unknown;
  authenticationFailed?: unknown;
  serverResponseCode?: unknown;
  responseText?: unknown;
  mailboxMissing?: unknown;
  tlsFailed?: unknown;
  /** OpenSSL's short reason, e.g. "wrong version number". */
  reason?: unknown;
}

/** Codes that mean the session is gone, so a new connection may succeed where this one failed. */
const CONNECTION_LOST_CODES = new Set([
  "NoConnection",
  "EConnectionClosed",
  "StateLogout",
  "ClosedAfterConnectText",
  "ClosedAfterConnectTLS",
  "ETIMEOUT",
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
]);

/** Codes raised while a connection is being set up. */
const CONNECT_FAILED_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "CONNECT_TIMEOUT",
  "GREETING_TIMEOUT",
  "UPGRADE_TIMEOUT",
]);

/** Node's certificate verification failures (tls.TLSSocket#authorizationError codes). */
const CERTIFICATE_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function fieldsOf(error: unknown): ImapflowErrorFields {
  return error !== null && typeof error === "object" ? (error as ImapflowErrorFields) : {};
}

function codeOf(error: unknown): string | undefined {
  const code = fieldsOf(error).code;
  return typeof code === "string" ? code : undefined;
}

/** Returns the error's text without trailing periods, so it can sit inside a sentence. */
function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.trim().replace(/\.+$/, "");
}

/** Returns a one-line reason: OpenSSL's own message spans the library, function and source file. */
function reasonOf(error: unknown, code: string | undefined): string {
  const opensslReason = fieldsOf(error).reason;
  const text = code?.startsWith("ERR_SSL_") === true && typeof opensslReason === "string" ? opensslReason : messageOf(error);
  return code === undefined || text.includes(code) ? text : `${text} (${code})`;
}

/** Returns true when the error means the IMAP session is gone and a reconnect may help. */
export function isConnectionLost(error: unknown): boolean {
  if (isLeaddError(error)) {
    return error.code === "IMAP_CONNECTION_FAILED";
  }
  const code = codeOf(error);
  return code !== undefined && (CONNECTION_LOST_CODES.has(code) || CONNECT_FAILED_CODES.has(code));
}

function connectionHint(code: string | undefined): string {
  switch (code) {
    case "ECONNREFUSED":
      return "Check imap.host and imap.port, and that the server is running.";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "Check imap.host and the DNS of this machine.";
    case "GREETING_TIMEOUT":
      return "The server sent no IMAP greeting; if the port expects implicit TLS (usually 993), set imap.secure: true.";
    case "CONNECT_TIMEOUT":
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "Check imap.host, imap.port and any firewall between this machine and the server.";
    default:
      break;
  }
  if (code !== undefined && CERTIFICATE_CODES.has(code)) {
    return "The server's TLS certificate is not trusted. Fix the certificate, or set imap.tlsRejectUnauthorized: false to accept it.";
  }
  if (code !== undefined && code.startsWith("ERR_SSL_")) {
    return "The TLS handshake failed; check imap.secure (true for implicit TLS, usually port 993; false for STARTTLS, usually port 143).";
  }
  return "leadd retries on the next cycle.";
}

function where(context: ImapErrorContext): string {
  const folder = context.folder === undefined ? "" : ` in ${context.folder}`;
  const uid = context.uid === undefined ? "" : ` (UID ${context.uid})`;
  return `${folder}${uid} at ${context.host}:${context.port}`;
}

/** Wraps any error from an IMAP operation in a LeaddError; LeaddErrors pass through unchanged. */
export function toLeaddError(error: unknown, context: ImapErrorContext): LeaddError {
  if (isLeaddError(error)) {
    return error;
  }
  const fields = fieldsOf(error);
  const code = codeOf(error);
  const serverCode = typeof fields.serverResponseCode === "string" ? fields.serverResponseCode : undefined;
  const responseText = typeof fields.responseText === "string" ? fields.responseText : undefined;
  const details = { host: context.host, port: context.port, operation: context.operation, imapCode: code ?? serverCode };

  if (fields.authenticationFailed === true) {
    if (serverCode === "UNAVAILABLE") {
      // RFC 5530: the server could not check the credentials right now, so they may be fine.
      return new LeaddError(
        "IMAP_CONNECTION_FAILED",
        `IMAP server ${context.host}:${context.port} could not check the login for ${context.user} right now (UNAVAILABLE). leadd retries on the next cycle.`,
        { cause: error, details },
      );
    }
    const check =
      context.authType === "oauth"
        ? "Check imap.user and imap.auth, and that the app is allowed IMAP access to this mailbox."
        : "Check imap.user and the password.";
    return new LeaddError(
      "IMAP_LOGIN_FAILED",
      `IMAP login failed for ${context.user} at ${context.host}:${context.port}: ${serverCode ?? responseText ?? messageOf(error)}. ${check}`,
      { cause: error, details: { ...details, user: context.user } },
    );
  }

  const isCertificate = code !== undefined && CERTIFICATE_CODES.has(code);
  if (isConnectionLost(error) || isCertificate || fields.tlsFailed === true || code?.startsWith("ERR_SSL_") === true) {
    const action = context.operation === "connect" ? "connection to" : `connection for ${context.operation} to`;
    return new LeaddError(
      "IMAP_CONNECTION_FAILED",
      `IMAP ${action} ${context.host}:${context.port} failed: ${reasonOf(error, code)}. ${connectionHint(code)}`,
      { cause: error, details },
    );
  }

  const reason = responseText === undefined ? messageOf(error) : responseText.trim().replace(/\.+$/, "");
  if (fields.mailboxMissing === true && context.folder !== undefined) {
    return new LeaddError(
      "IMAP_COMMAND_FAILED",
      `IMAP folder ${context.folder} not found at ${context.host}:${context.port}: ${reason}. Check the folder names of this mailbox in the config.`,
      { cause: error, details: { ...details, folder: context.folder, folderMissing: true } },
    );
  }
  return new LeaddError("IMAP_COMMAND_FAILED", `IMAP ${context.operation} failed${where(context)}: ${reason}.`, {
    cause: error,
    details: { ...details, folder: context.folder, uid: context.uid },
  });
}
