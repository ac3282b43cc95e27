import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { BASE_ENV, baseConfig, loadErrors, removeDir, tempDir, writeConfig } from "./config-files.js";

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

function twoMailboxes(): Record<string, any> {
  const config = baseConfig();
  config.mailboxes.push({ name: "web", imap: { host: "imap.example.com", user: "web@example.com", password: "${IMAP_PASSWORD}" } });
  config.replies = {
    smtp: { host: "smtp.example.com", user: "leads@example.com", password: "smtp-secret" },
    from: "Leads <leads@example.com>",
    maxPerRecipientPerDay: 3,
  };
  return config;
}

describe("mailbox overrides", () => {
  it("merge lead keys onto the top level", async () => {
    const config = twoMailboxes();
    config.lead.minConfidence = 0.7;
    config.mailboxes[1].lead = { relation: "Web form", relationId: 9 };
    const path = await writeConfig(dir, config);

    const loaded = await loadConfig(path, BASE_ENV);
    const [leads, web] = loaded.config.mailboxes;

    expect(leads?.lead).toEqual(loaded.config.lead);
    expect(web?.lead).toEqual({ ...loaded.config.lead, relation: "Web form", relationId: 9 });
    expect(web?.lead.minConfidence).toBe(0.7);
  });

  it("merge replies key by key into smtp", async () => {
    const config = twoMailboxes();
    config.mailboxes[1].replies = { toLead: true, smtp: { port: 2525 } };
    const path = await writeConfig(dir, config);

    const loaded = await loadConfig(path, BASE_ENV);
    const web = loaded.config.mailboxes[1]?.replies;

    expect(web?.toLead).toBe(true);
    expect(web?.maxPerRecipientPerDay).toBe(3);
    expect(web?.smtp).toMatchObject({ host: "smtp.example.com", port: 2525, user: "leads@example.com", password: "smtp-secret" });
    expect(loaded.config.mailboxes[0]?.replies?.toLead).toBe(false);
    expect(loaded.config.mailboxes[0]?.replies?.smtp.port).toBe(587);
  });

  it("replace smtp credentials as a unit", async () => {
    const config = twoMailboxes();
    config.mailboxes[1].replies = {
      smtp: { user: "web@example.com", auth: { type: "microsoft", tenantId: "t", clientId: "c", clientSecret: "cs" } },
    };
    const path = await writeConfig(dir, config);

    const loaded = await loadConfig(path, BASE_ENV);
    const smtp = loaded.config.mailboxes[1]?.replies?.smtp;

    expect(smtp?.user).toBe("web@example.com");
    expect(smtp?.password).toBeUndefined();
    expect(smtp?.auth).toEqual({ type: "microsoft", tenantId: "t", clientId: "c", clientSecret: "cs" });
  });

  it("leave replies off without a top-level block", async () => {
    const config = baseConfig();
    config.mailboxes[0].replies = {};
    const path = await writeConfig(dir, config);

    const loaded = await loadConfig(path, BASE_ENV);

    expect(loaded.config.replies).toBeUndefined();
    expect(loaded.config.mailboxes[0]?.replies).toBeUndefined();
  });

  it("turn replies on for one mailbox", async () => {
    const config = twoMailboxes();
    delete config.replies;
    config.mailboxes[1].replies = { smtp: { host: "smtp.example.com" }, from: "web@example.com" };
    const path = await writeConfig(dir, config);

    const loaded = await loadConfig(path, BASE_ENV);

    expect(loaded.config.mailboxes[0]?.replies).toBeUndefined();
    expect(loaded.config.mailboxes[1]?.replies).toMatchObject({ from: "web@example.com", toForwarder: true });
    expect(loaded.config.mailboxes[1]?.replies?.smtp.auth).toBeUndefined();
  });

  it("report bad override values under the mailbox", async () => {
    const config = twoMailboxes();
    config.mailboxes[1].lead = { defaultCountry: "ZZ", colour: "red" };
    config.mailboxes[1].replies = { smtp: { port: "abc" } };
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toEqual([
      'mailboxes[1].lead.defaultCountry: expected an ISO 3166 alpha-2 country code that libphonenumber-js supports, such as NO, SE or DE, got "ZZ"',
      "mailboxes[1].lead.colour: unknown key; check its spelling and place against config/leadd.example.yaml",
      'mailboxes[1].replies.smtp.port: expected a number from 1 to 65535, got "abc"',
    ]);
  });

  it("report a top-level error once, not per mailbox", async () => {
    const config = twoMailboxes();
    config.lead.relationId = "three";
    config.mailboxes[0].lead = { relation: "Direct" };
    config.mailboxes[1].lead = { relation: "Web" };
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toEqual(['lead.relationId: expected a number from 0 to 2147483647, got "three"']);
  });

  it("report missing keys of a mailbox-only replies block under the mailbox", async () => {
    const config = baseConfig();
    config.mailboxes[0].replies = { toLead: true };
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toEqual(["mailboxes[0].replies.smtp: required", "mailboxes[0].replies.from: required"]);
  });
});

describe("resolved mailbox", () => {
  it("fills folders, read folders and paths", async () => {
    const config = baseConfig();
    config.state = "data/leadd.db";
    config.parsers = { rulesDir: "parsers" };
    config.mailboxes[0].folder = ["INBOX", "Web"];
    config.mailboxes[0].folders = { done: "Archive/Leads", spam: "Junk" };
    config.mailboxes.push({ name: "local", source: { type: "maildir", path: "mail" } });
    config.outcomes = { "not-lead": { folder: "spam" } };
    config.mailboxes[0].folders.spam = "Junk";
    config.mailboxes[1].folders = { spam: null };
    const path = await writeConfig(dir, config);

    const loaded = await loadConfig(path, BASE_ENV);
    const [imap, local] = loaded.config.mailboxes;

    expect(loaded.config.state).toBe(`${dir}/data/leadd.db`);
    expect(loaded.config.parsers.rulesDir).toBe(`${dir}/parsers`);
    expect(imap?.folder).toEqual(["INBOX", "Web"]);
    expect(imap?.folders).toEqual({
      done: "Archive/Leads",
      review: "Leads/Review",
      failed: "Leads/Failed",
      quarantine: "Leads/Quarantine",
      ignored: null,
      sent: null,
      spam: "Junk",
    });
    expect(local?.source).toEqual({ type: "maildir", path: `${dir}/mail` });
    expect(loaded.config.outcomes["not-lead"]).toEqual({ keyword: "$LeadIgnored", folder: "spam", replies: [] });
    expect(loaded.config.outcomes.created).toEqual({ keyword: "$LeadCreated", folder: "done", replies: ["forwarder"] });
  });

  it("defaults imap and smtp ports by secure", async () => {
    const config = baseConfig();
    config.mailboxes[0].imap.secure = false;
    config.replies = { smtp: { host: "smtp.example.com", secure: true }, from: "leads@example.com" };
    const path = await writeConfig(dir, config);

    const loaded = await loadConfig(path, BASE_ENV);

    expect(loaded.config.mailboxes[0]?.imap?.port).toBe(143);
    expect(loaded.config.replies?.smtp.port).toBe(465);
  });

  it("normalises the SuperOffice url", async () => {
    const config = baseConfig();
    const path = await writeConfig(dir, config);

    const loaded = await loadConfig(path, BASE_ENV);

    expect(loaded.config.superoffice.url).toBe("https://online.superoffice.com/Cust12345");
  });

  it("parses http.listen forms", async () => {
    const cases: Array<[string, { host: string; port: number }]> = [
      ["127.0.0.1:9464", { host: "127.0.0.1", port: 9464 }],
      ["[::1]:9464", { host: "::1", port: 9464 }],
      ["9464", { host: "127.0.0.1", port: 9464 }],
      ["0.0.0.0:80", { host: "0.0.0.0", port: 80 }],
    ];
    for (const [listen, expected] of cases) {
      const config = baseConfig();
      config.http = { listen };
      const path = await writeConfig(dir, config);

      const loaded = await loadConfig(path, BASE_ENV);

      expect(loaded.config.http, listen).toEqual({ listen, ...expected });
    }
  });
});
