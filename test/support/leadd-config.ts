/** Writes a leadd config file for a test: Dovecot for IMAP, the stand-in for SuperOffice. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { DovecotServer } from "./dovecot.js";

export const TEST_BEARER_TOKEN = "test-bearer-token-5f2a9c";

export interface TestConfigOptions {
  dir: string;
  dovecot: DovecotServer;
  superofficeUrl: string;
  extra?: Record<string, unknown>;
  mailboxExtra?: Record<string, unknown>;
  superofficeExtra?: Record<string, unknown>;
  /** Further mailboxes, written as they are after the first one. */
  additionalMailboxes?: Array<Record<string, unknown>>;
}

export function writeTestConfig(options: TestConfigOptions): string {
  const config = {
    schedule: "0 * * * *",
    state: join(options.dir, "state", "leadd.db"),
    log: { level: "info" },
    mailboxes: [
      {
        name: "leads",
        imap: {
          host: options.dovecot.host,
          port: options.dovecot.port,
          secure: false,
          user: options.dovecot.user,
          password: "${TEST_IMAP_PASSWORD}",
        },
        folder: "INBOX",
        ...options.mailboxExtra,
      },
      ...(options.additionalMailboxes ?? []),
    ],
    superoffice: {
      url: options.superofficeUrl,
      auth: { type: "bearer", token: TEST_BEARER_TOKEN },
      timeoutMs: 5000,
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 200 },
      ...options.superofficeExtra,
    },
    lead: {
      associateIdForNewContact: 12,
      relation: "Enquiry by e-mail",
      relationId: 3,
      defaultCountry: "NO",
      ownDomains: ["aurora.example.com"],
      ownCompany: "Aurora Systems",
    },
    ...options.extra,
  };
  const path = join(options.dir, "leadd.yaml");
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}

export const TEST_REPLY_FROM = "Aurora leads <leads@aurora.example.com>";

/** Returns a `replies:` block that sends through a capture server on 127.0.0.1 without logging in. */
export function testRepliesBlock(smtp: { host: string; port: number }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    smtp: { host: smtp.host, port: smtp.port, secure: false },
    from: TEST_REPLY_FROM,
    ...extra,
  };
}

/** Returns an `imap:` block for the Dovecot server that signs in with OAuth (`auth`) instead of a password. */
export function oauthImapBlock(dovecot: DovecotServer, auth: Record<string, unknown>): Record<string, unknown> {
  return { host: dovecot.host, port: dovecot.port, secure: false, user: dovecot.user, auth };
}
