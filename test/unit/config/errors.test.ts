import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isLeaddError } from "../../../src/errors.js";
import { loadConfig } from "../../../src/config/load.js";
import { BASE_ENV, baseConfig, loadErrors, removeDir, tempDir, writeConfig } from "./config-files.js";

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

describe("loadConfig errors", () => {
  it("reports every error at once with its key path", async () => {
    const config = baseConfig();
    config.schedule = "every minute";
    config.mailboxes[0].imap.port = "${IMAP_PORT}";
    config.mailboxes[0].imap.colour = "blue";
    config.lead.defaultCountry = "XX";
    config.superoffice.url = "ftp://crm.example.com";
    const path = await writeConfig(dir, config);

    let caught: unknown;
    try {
      await loadConfig(path, { ...BASE_ENV, IMAP_PORT: "abc" });
    } catch (error) {
      caught = error;
    }

    expect(isLeaddError(caught, "CONFIG_INVALID")).toBe(true);
    const error = caught as { message: string; details: { errors: string[] } };
    expect(error.details.errors).toEqual([
      'schedule: expected a cron expression such as "*/2 * * * *" (minute hour day-of-month month day-of-week), got "every minute"',
      'mailboxes[0].imap.port: expected a number from 1 to 65535, got "abc"',
      "mailboxes[0].imap.colour: unknown key; check its spelling and place against config/leadd.example.yaml",
      'superoffice.url: expected an http or https URL, got "ftp://crm.example.com"',
      'lead.defaultCountry: expected an ISO 3166 alpha-2 country code that libphonenumber-js supports, such as NO, SE or DE, got "XX"',
    ]);
    expect(error.message).toContain(`Config file ${path} is invalid (5 errors):`);
    for (const line of error.details.errors) expect(error.message).toContain(`\n  ${line}`);
  });

  it("reports missing required keys", async () => {
    const path = await writeConfig(dir, { mailboxes: [{ name: "leads" }] });

    const errors = await loadErrors(path);

    expect(errors).toContain("superoffice: required");
    expect(errors).toContain("lead: required");
    expect(errors).toContain("mailboxes[0]: set exactly one of imap (a mail server) and source (a local folder)");
  });

  it("reports user and password missing together", async () => {
    const config = baseConfig();
    config.mailboxes[0].imap = { host: "imap.example.com" };
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toEqual([
      "mailboxes[0].imap.user: required",
      "mailboxes[0].imap.password: required: set password or passwordFile for this user",
    ]);
  });

  it("reports wrong types", async () => {
    const config = baseConfig();
    config.mailboxes[0].idle = "sometimes";
    config.lead.ownDomains = "aurora.example.com";
    config.limits = { maxMessagesPerCycle: 0 };
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toContain('mailboxes[0].idle: expected true or false, got "sometimes"');
    expect(errors).toContain('lead.ownDomains: expected a list of domains, got "aurora.example.com"');
    expect(errors).toContain("limits.maxMessagesPerCycle: expected a number from 1 to 100000, got 0");
  });

  it("reports bad values across the tree", async () => {
    const cases: Array<[(config: Record<string, any>) => void, string]> = [
      [(config) => (config.mailboxes = []), "mailboxes: expected at least one mailbox"],
      [(config) => (config.log = { level: "verbose" }), 'log.level: expected trace, debug, info, warn or error, got "verbose"'],
      [(config) => (config.http = { listen: "localhost" }), 'http.listen: expected HOST:PORT such as 127.0.0.1:9464 or [::1]:9464, got "localhost"'],
      [(config) => (config.http = { listen: "127.0.0.1:70000" }), 'http.listen: expected HOST:PORT such as 127.0.0.1:9464 or [::1]:9464, got "127.0.0.1:70000"'],
      [(config) => (config.lead.minConfidence = 1.5), "lead.minConfidence: expected a number from 0 to 1, got 1.5"],
      [(config) => (config.lead.ownDomains = ["not a domain"]), 'lead.ownDomains[0]: expected a domain such as example.com, got "not a domain"'],
      [(config) => (config.outcomes = { failed: { keyword: "Lead Failed" } }), 'outcomes.failed.keyword: expected an IMAP keyword without spaces or ( ) { % * " \\ ], got "Lead Failed"'],
      [(config) => (config.outcomes = { created: { replies: ["lead", "lead"] } }), "outcomes.created.replies: expected each recipient once"],
      [(config) => (config.mailboxes[0].name = "Leads Inbox"), 'mailboxes[0].name: expected a name of lower-case letters, digits, _ and -, got "Leads Inbox"'],
      [(config) => (config.mailboxes[0].folder = []), "mailboxes[0].folder: expected a folder name or a list of folder names"],
      [(config) => (config.health = { maxCycleAgeMinutes: 0 }), "health.maxCycleAgeMinutes: expected a number from 1 to 10080, got 0"],
      [(config) => (config.timezone = "Europe/Atlantis"), 'timezone: expected an IANA time zone such as Europe/Oslo, got "Europe/Atlantis"'],
      [(config) => (config.replies = { smtp: { host: "smtp.example.com" }, from: "Leads" }), 'replies.from: expected a sender such as "Leads <leads@example.com>" or leads@example.com, got "Leads"'],
      [(config) => (config.replies = { smtp: { host: "smtp.example.com" }, from: "a@b.c", defaultLanguage: "fr" }), 'replies.defaultLanguage: expected one of en, nb, sv, da, de, nl, got "fr"'],
    ];
    for (const [change, expected] of cases) {
      const config = baseConfig();
      change(config);
      const path = await writeConfig(dir, config);

      const errors = await loadErrors(path);

      expect(errors, expected).toEqual([expected]);
    }
  });

  it("reports an unknown auth type", async () => {
    const config = baseConfig();
    config.superoffice.auth = { type: "kerberos" };
    config.mailboxes[0].imap.auth = {};
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toContain('superoffice.auth.type: expected type basic, soticket, bearer, systemuser or refreshtoken, got "kerberos"');
    expect(errors).toContain("mailboxes[0].imap.auth.type: required: expected type password, microsoft or google");
  });

  it("reports fields each auth type needs", async () => {
    const config = baseConfig();
    config.superoffice.auth = { type: "basic", user: "admin" };
    config.mailboxes[0].imap.auth = { type: "microsoft", tenantId: "t", clientId: "c" };
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toContain("superoffice.auth.password: required: set password or passwordFile");
    expect(errors).toContain("mailboxes[0].imap.auth: set either clientSecret or certificateFile with certificateThumbprint");
    expect(errors).toContain("mailboxes[0].imap.password: not used with auth type microsoft; remove it");
  });

  it("requires a tenant for systemuser without Cust in url", async () => {
    const config = baseConfig();
    config.superoffice.url = "https://crm.example.com/SuperOffice";
    config.superoffice.auth = { type: "systemuser", systemToken: "s", clientSecret: "c", privateKey: "not a key" };
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toContain("superoffice.auth.contextIdentifier: required because superoffice.url has no CustNNNNN segment to take it from");
    expect(errors.some((line) => line.startsWith("superoffice.auth.privateKey: expected a PEM private key"))).toBe(true);
    expect(errors.join("\n")).not.toContain("not a key");
  });

  it("never quotes a secret value", async () => {
    const config = baseConfig();
    config.mailboxes[0].imap.password = 123456;
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toContain("mailboxes[0].imap.password: expected a string; put quotes around a value that YAML reads as a number, true, false or null");
    expect(errors.join("\n")).not.toContain("123456");
  });

  it("reports duplicate mailbox names", async () => {
    const config = baseConfig();
    config.mailboxes.push({ ...config.mailboxes[0] });
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toEqual(['mailboxes[1].name: "leads" is already the name of mailboxes[0]; names must be unique']);
  });

  it("reports outcome folders no mailbox defines", async () => {
    const config = baseConfig();
    config.outcomes = { created: { folder: "archive" }, matched: { folder: null } };
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toEqual([
      'outcomes.created.folder: "archive" is not a key of mailboxes[0].folders; add it there or use one of done, review, failed, quarantine, ignored, sent, or null',
    ]);
  });

  it("requires a sent folder for copyToSent", async () => {
    const config = baseConfig();
    config.replies = { smtp: { host: "smtp.example.com" }, from: "leads@example.com", copyToSent: true };
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toEqual(["mailboxes[0].folders.sent: required because replies.copyToSent is true: the folder that reply copies are appended to"]);
  });

  it("reports YAML syntax errors with line and column", async () => {
    const path = await writeConfig(dir, "schedule: '*/5 * * * *'\nmailboxes:\n  - name: [leads\n");

    const errors = await loadErrors(path);

    expect(errors[0]).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:\\d+:\\d+: invalid YAML: `));
  });

  it("reports duplicate YAML keys", async () => {
    const path = await writeConfig(dir, "schedule: '* * * * *'\nschedule: '*/5 * * * *'\n");

    const errors = await loadErrors(path);

    expect(errors[0]).toMatch(/:2:1: invalid YAML: Map keys must be unique/);
  });

  it("rejects an empty file", async () => {
    const path = join(dir, "leadd.yaml");
    await writeFile(path, "# nothing here\n");

    const errors = await loadErrors(path);

    expect(errors).toEqual([`${path}: the file is empty; start from config/leadd.example.yaml`]);
  });

  it("rejects a list at the top level", async () => {
    const path = await writeConfig(dir, "- a\n- b\n");

    const errors = await loadErrors(path);

    expect(errors).toEqual(["(top level): expected a mapping of keys at the top level"]);
  });
});
