import { createRequire } from "node:module";
import { pino, type Logger, type LoggerOptions } from "pino";

const moduleRequire = createRequire(import.meta.url);

export type { Logger } from "pino";

/** Key paths pino blanks out, whatever value they carry. Covers config blocks, HTTP headers and auth objects. */
const REDACTED_PATHS = [
  "password",
  "*.password",
  "*.*.password",
  "pass",
  "*.pass",
  "auth.pass",
  "accessToken",
  "*.accessToken",
  "token",
  "*.token",
  "ticket",
  "*.ticket",
  "appToken",
  "*.appToken",
  "clientSecret",
  "*.clientSecret",
  "refreshToken",
  "*.refreshToken",
  "privateKey",
  "*.privateKey",
  "authorization",
  "*.authorization",
  "*.Authorization",
  "headers.authorization",
  "headers.Authorization",
  'headers["SO-AppToken"]',
  'headers["so-apptoken"]',
];

const REDACTION = "[redacted]";

/** Shortest secret value replaced by text: shorter values would blank out ordinary words. */
const MIN_SECRET_LENGTH = 4;

export interface LoggerSettings {
  level?: string;
  /** Pretty output for a person at a terminal; JSON lines otherwise (journald, files, pipes). */
  pretty?: boolean;
  /** Secret values known from the config, removed from every line even where no key names them. */
  secrets?: string[];
  destination?: NodeJS.WritableStream;
}

/**
 * Create the one pino logger of the process. Secrets are redacted twice: by key path, and by
 * value in the serialised line, so a token inside an error message is caught as well.
 */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const secrets = (settings.secrets ?? []).filter((secret) => secret.length >= MIN_SECRET_LENGTH);
  const options: LoggerOptions = {
    level: settings.level ?? "info",
    base: { service: "leadd" },
    redact: { paths: REDACTED_PATHS, censor: REDACTION },
    timestamp: pino.stdTimeFunctions.isoTime,
  };

  const destination = settings.destination ?? process.stdout;
  const scrubbed = secrets.length > 0 ? scrubbingStream(destination, secrets) : destination;

  if (settings.pretty) {
    // pino-pretty as a stream (not a worker transport), so the value scrubbing above still applies.
    return pino(options, prettyStream(scrubbed));
  }
  return pino(options, scrubbed);
}

function scrubbingStream(target: NodeJS.WritableStream, secrets: string[]): NodeJS.WritableStream {
  const patterns = secrets.flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]);
  const unique = [...new Set(patterns)].sort((a, b) => b.length - a.length);
  return {
    write(chunk: string | Uint8Array) {
      let line = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      for (const secret of unique) line = line.split(secret).join(REDACTION);
      return target.write(line);
    },
  } as NodeJS.WritableStream;
}

function prettyStream(target: NodeJS.WritableStream): NodeJS.WritableStream {
  // pino-pretty is loaded lazily: services writing JSON to journald never need it.
  const pretty = moduleRequire("pino-pretty") as (options: Record<string, unknown>) => NodeJS.WritableStream;
  return pretty({ destination: target, colorize: true, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname,service", sync: true });
}



/** Whether stdout is a terminal, so the CLI picks pretty output for people and JSON for services. */
export function stdoutIsTerminal(): boolean {
  return process.stdout.isTTY === true;
}
