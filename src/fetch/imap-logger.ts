import type { Logger } from "pino";

/** The logger shape imapflow accepts (its `logger` option). */
export interface ImapflowLogger {
  trace(entry: unknown): void;
  debug(entry: unknown): void;
  info(entry: unknown): void;
  warn(entry: unknown): void;
  error(entry: unknown): void;
  fatal(entry: unknown): void;
}

/**
 * Client lines that carry credentials. imapflow 2.x already masks the password of LOGIN and
 * the SASL responses of AUTHENTICATE; this is a second guard in case a future version or a
 * new mechanism does not.
 */
const CREDENTIAL_COMMAND = /^(\S+\s+)(LOGIN|AUTHENTICATE\s+[\w-]+)\b.*$/is;

/** Replaces everything after LOGIN, or after the SASL mechanism name of AUTHENTICATE. */
function scrub(entry: unknown): unknown {
  if (entry === null || typeof entry !== "object") {
    return entry;
  }
  const record = entry as Record<string, unknown>;
  if (record.src === "c" && typeof record.msg === "string" && CREDENTIAL_COMMAND.test(record.msg)) {
    return { ...record, msg: record.msg.replace(CREDENTIAL_COMMAND, "$1$2 (* credentials hidden *)") };
  }
  return entry;
}

/**
 * Adapts leadd's pino logger for imapflow. Protocol lines stay at debug and trace. Connection
 * events move from info to debug, because leadd logs its own cycle lines at info. imapflow's
 * error lines go to warn: the same failure is thrown to leadd, which logs it with context.
 */
export function createImapflowLogger(log: Logger): ImapflowLogger {
  return {
    trace: (entry) => log.trace(scrub(entry)),
    debug: (entry) => log.debug(scrub(entry)),
    info: (entry) => log.debug(scrub(entry)),
    warn: (entry) => log.warn(scrub(entry)),
    error: (entry) => log.warn(scrub(entry)),
    fatal: (entry) => log.error(scrub(entry)),
  };
}
