/** Helpers for tests of the SuperOffice client: options, captured logs, a fake clock and lead requests. */
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import type { SuperOfficeAuthOptions, SuperOfficeOptions } from "../../src/crm/options.js";
import type { LeadRequest } from "../../src/types.js";

export interface CapturedLog {
  log: Logger;
  /** Every line written so far, as raw JSON text. */
  text(): string;
  records(): Array<Record<string, unknown>>;
}

/** Creates a trace-level pino logger that writes into memory. */
export function captureLog(): CapturedLog {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  const log = pino({ level: "trace" }, stream);
  return {
    log,
    text: () => chunks.join(""),
    records: () =>
      chunks
        .join("")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** A clock tests move by hand, plus a sleep that records waits and returns at once. */
export function fakeTime(start = Date.parse("2026-03-02T10:00:00Z")) {
  const state = { nowMs: start, waits: [] as number[] };
  return {
    state,
    now: () => state.nowMs,
    sleep: async (ms: number) => {
      state.waits.push(ms);
    },
    advance: (ms: number) => {
      state.nowMs += ms;
    },
  };
}

export function clientOptions(url: string, auth: SuperOfficeAuthOptions, overrides: Partial<SuperOfficeOptions> = {}): SuperOfficeOptions {
  return {
    url,
    auth,
    appToken: null,
    timeoutMs: 5_000,
    tlsRejectUnauthorized: true,
    retry: { attempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 },
    circuitBreaker: { failures: 5 },
    retryUnknownSends: false,
    ...overrides,
  };
}

export function leadRequest(overrides: Partial<LeadRequest> = {}): LeadRequest {
  return {
    AssociateIdForNewContact: 12,
    LeadDescription: "We would like a quote for 40 licences.",
    Relation: "Enquiry by e-mail",
    RelationId: 3,
    LeadContact: "Fjordkraft Consulting AS",
    LeadPersonFirstname: "Kari",
    LeadPersonLastname: "Nordmann",
    LeadPersonEmail: "kari@fjordkraft-consulting.example",
    LeadPhoneNumber: "+4791234567",
    CreatorsContact: "Aurora Systems",
    CreatorsFirstname: "Ola",
    CreatorsLastname: "Hansen",
    ...overrides,
  };
}
