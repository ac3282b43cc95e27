import pino from "pino";
import { describe, expect, it } from "vitest";

import type { CredentialExpiry, TokenProvider } from "../../../src/auth/index.js";
import { Health, STALE_WARNING_INTERVAL_MS } from "../../../src/ops/health.js";

const START = new Date("2026-03-02T08:00:00Z");
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function at(minutes: number): Date {
  return new Date(START.getTime() + minutes * MINUTE);
}

function logCapture() {
  const lines: Array<{ level: number; msg: string; mailbox?: string; credential?: string }> = [];
  const log = pino({ level: "trace" }, { write: (text: string) => lines.push(JSON.parse(text)) });
  return { log, lines, warnings: () => lines.filter((entry) => entry.level === 40) };
}

function credentialProvider(expiry: CredentialExpiry | null): TokenProvider {
  return { getAccessToken: async () => "unused", expiresAt: () => null, describe: () => "microsoft client app-1", credentialExpiry: () => expiry };
}

describe("Health", () => {
  it("is ok within the start grace", () => {
    const health = new Health({ maxCycleAgeMinutes: 15, mailboxes: ["leads"], startedAt: START }, logCapture().log);
    const status = health.status(at(10));
    expect(status.ok).toBe(true);
    expect(status.reason).toBe("ok");
  });

  it("fails when no cycle ran", () => {
    const health = new Health({ maxCycleAgeMinutes: 15, mailboxes: ["leads"], startedAt: START }, logCapture().log);
    const status = health.status(at(16));
    expect(status.ok).toBe(false);
    expect(status.reason).toBe("mailbox leads: no successful cycle since the start at 2026-03-02T08:00:00.000Z");
  });

  it("reports a failed last cycle", () => {
    const health = new Health({ maxCycleAgeMinutes: 15, mailboxes: ["leads"], startedAt: START }, logCapture().log);
    health.cycleSucceeded("leads", at(2));
    health.cycleFailed("leads", "IMAP login failed", at(4));
    const status = health.status(at(6));
    expect(status.ok).toBe(false);
    expect(status.reason).toBe("mailbox leads: last cycle failed at 2026-03-02T08:04:00.000Z: IMAP login failed");
    expect(status.mailboxes[0]?.lastError).toBe("IMAP login failed");
  });

  it("recovers after a successful cycle", () => {
    const health = new Health({ maxCycleAgeMinutes: 15, mailboxes: ["leads"], startedAt: START }, logCapture().log);
    health.cycleFailed("leads", "IMAP login failed", at(4));
    health.cycleSucceeded("leads", at(6));
    expect(health.status(at(7)).ok).toBe(true);
  });

  it("names the stale mailbox and error", () => {
    const health = new Health({ maxCycleAgeMinutes: 15, mailboxes: ["leads", "web"], startedAt: START }, logCapture().log);
    health.cycleSucceeded("leads", at(20));
    health.cycleSucceeded("web", at(2));
    health.cycleFailed("web", "IMAP login failed for web@example.com", at(20));
    const status = health.status(at(21));
    expect(status.ok).toBe(false);
    expect(status.reason).toBe("mailbox web: no successful cycle since 2026-03-02T08:02:00.000Z; last error: IMAP login failed for web@example.com");
    expect(status.mailboxes.map((mailbox) => mailbox.ok)).toEqual([true, false]);
  });

  it("warns once per change, then hourly", () => {
    const capture = logCapture();
    const health = new Health({ maxCycleAgeMinutes: 15, mailboxes: ["leads"], startedAt: START }, capture.log);

    health.checkStaleness(at(10));
    expect(capture.warnings()).toHaveLength(0);
    health.checkStaleness(at(16));
    expect(capture.warnings()).toHaveLength(1);
    expect(capture.warnings()[0]?.mailbox).toBe("leads");
    health.checkStaleness(at(30));
    health.checkStaleness(at(16 + 59));
    expect(capture.warnings()).toHaveLength(1);
    health.checkStaleness(new Date(at(16).getTime() + STALE_WARNING_INTERVAL_MS));
    expect(capture.warnings()).toHaveLength(2);

    health.cycleSucceeded("leads", at(80));
    health.checkStaleness(at(81));
    expect(capture.lines.at(-1)?.msg).toBe("mailbox cycles succeed again");
    health.checkStaleness(at(97));
    expect(capture.warnings()).toHaveLength(3);
  });

  it("warns about a certificate near expiry", () => {
    const capture = logCapture();
    const health = new Health({ maxCycleAgeMinutes: 15, mailboxes: [], startedAt: START }, capture.log);
    health.watchCredential("leads/imap", credentialProvider({ kind: "certificate", expiresAt: new Date(START.getTime() + 10 * DAY) }));

    health.checkStaleness(START);
    expect(capture.warnings()).toHaveLength(0);
    health.checkStaleness(new Date(START.getTime() + 3 * DAY + MINUTE));
    expect(capture.warnings()).toHaveLength(1);
    expect(capture.warnings()[0]?.msg).toBe("certificate expires soon; renew it");
    health.checkStaleness(new Date(START.getTime() + 3 * DAY + 60 * MINUTE));
    expect(capture.warnings()).toHaveLength(1);
    health.checkStaleness(new Date(START.getTime() + 4 * DAY + MINUTE));
    expect(capture.warnings()).toHaveLength(2);
    health.checkStaleness(new Date(START.getTime() + 11 * DAY));
    expect(capture.warnings().at(-1)?.msg).toBe("certificate has expired; renew it");

    const credentials = health.status(START).credentials;
    expect(credentials).toEqual([{ name: "leads/imap", kind: "certificate", expiresAt: "2026-03-12T08:00:00.000Z", expiringSoon: false }]);
  });

  it("warns about a refresh token two days ahead", () => {
    const capture = logCapture();
    const health = new Health({ maxCycleAgeMinutes: 15, mailboxes: [], startedAt: START }, capture.log);
    health.watchCredential("leads/smtp", credentialProvider({ kind: "refresh-token", expiresAt: new Date(START.getTime() + 7 * DAY) }));

    health.checkStaleness(new Date(START.getTime() + 4 * DAY));
    expect(capture.warnings()).toHaveLength(0);
    health.checkStaleness(new Date(START.getTime() + 5 * DAY + MINUTE));
    expect(capture.warnings()).toHaveLength(1);
    expect(capture.warnings()[0]?.credential).toBe("leads/smtp");
  });

  it("ignores providers without expiry", () => {
    const capture = logCapture();
    const health = new Health({ maxCycleAgeMinutes: 15, mailboxes: [], startedAt: START }, capture.log);
    health.watchCredential("leads/imap", credentialProvider(null));
    health.checkStaleness(at(1));
    expect(capture.warnings()).toHaveLength(0);
    expect(health.status(at(1)).credentials).toEqual([]);
  });
});
