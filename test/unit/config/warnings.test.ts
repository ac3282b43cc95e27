import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { BASE_ENV, baseConfig, removeDir, tempDir, writeConfig } from "./config-files.js";

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

describe("loadConfig warnings", () => {
  it("warn about inline secrets in a readable file", async () => {
    const config = baseConfig();
    config.mailboxes[0].imap.password = "hunter2";
    config.superoffice.auth.token = "literal-token";
    const path = await writeConfig(dir, config, 0o644);

    const { warnings } = await loadConfig(path, BASE_ENV);

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`Config file ${path} contains secrets written inline (mailboxes[0].imap.password, superoffice.auth.token)`);
    expect(warnings[0]).toContain("mode 0644");
    expect(warnings[0]).toContain(`chmod 600 ${path}`);
    expect(warnings[0]).not.toContain("hunter2");
  });

  it("warn for a group-readable file", async () => {
    const config = baseConfig();
    config.superoffice.auth.token = "literal-token";
    const path = await writeConfig(dir, config, 0o640);

    const { warnings } = await loadConfig(path, BASE_ENV);

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("mode 0640");
  });

  it("stay quiet when the file is private", async () => {
    const config = baseConfig();
    config.mailboxes[0].imap.password = "hunter2";
    const path = await writeConfig(dir, config, 0o600);

    const { warnings } = await loadConfig(path, BASE_ENV);

    expect(warnings).toEqual([]);
  });

  it("stay quiet when secrets come from the environment", async () => {
    const path = await writeConfig(dir, baseConfig(), 0o644);

    const { warnings } = await loadConfig(path, BASE_ENV);

    expect(warnings).toEqual([]);
  });

  it("warn for each tlsRejectUnauthorized false", async () => {
    const config = baseConfig();
    config.mailboxes[0].imap.tlsRejectUnauthorized = false;
    config.superoffice.tlsRejectUnauthorized = "false";
    config.replies = { smtp: { host: "smtp.example.com", tlsRejectUnauthorized: true }, from: "leads@example.com" };
    const path = await writeConfig(dir, config);

    const { warnings, config: loaded } = await loadConfig(path, BASE_ENV);

    expect(loaded.superoffice.tlsRejectUnauthorized).toBe(false);
    expect(warnings).toEqual([
      "mailboxes[0].imap.tlsRejectUnauthorized is false: leadd accepts any TLS certificate for this server, so the connection can be intercepted. Use it only for tests.",
      "superoffice.tlsRejectUnauthorized is false: leadd accepts any TLS certificate for this server, so the connection can be intercepted. Use it only for tests.",
    ]);
  });

  it("warn for an other-readable file", async () => {
    const config = baseConfig();
    config.superoffice.auth.token = "literal-token";
    const path = await writeConfig(dir, config, 0o604);

    const { warnings } = await loadConfig(path, BASE_ENV);

    expect(warnings[0]).toContain("mode 0604");
  });
});
