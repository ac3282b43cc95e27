import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { collectSecrets } from "../../../src/config/secrets.js";
import { BASE_ENV, baseConfig, removeDir, tempDir, writeConfig } from "./config-files.js";

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

describe("collectSecrets", () => {
  it("finds every secret in the resolved config", async () => {
    const serviceAccount = JSON.stringify({ client_email: "svc@project.iam.gserviceaccount.com", private_key: "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n" });
    await writeFile(join(dir, "google.json"), serviceAccount);
    const config = baseConfig();
    config.superoffice.auth = { type: "refreshtoken", clientId: "client-id", clientSecret: "so-client-secret", refreshToken: "so-refresh" };
    config.superoffice.appToken = "so-app-token";
    config.mailboxes.push({ name: "web", imap: { host: "imap.example.com", user: "web@example.com", auth: { type: "google", serviceAccountFile: "google.json" } } });
    config.replies = {
      smtp: { host: "smtp.example.com", user: "leads@example.com", auth: { type: "microsoft", tenantId: "tenant", clientId: "ms-client", clientSecret: "ms-secret" } },
      from: "leads@example.com",
    };
    const path = await writeConfig(dir, config);

    const { config: loaded } = await loadConfig(path, BASE_ENV);
    const secrets = collectSecrets(loaded);

    expect(new Set(secrets)).toEqual(
      new Set([
        "imap-secret",
        "so-client-secret",
        "so-refresh",
        "so-app-token",
        serviceAccount,
        "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n",
        "ms-secret",
      ]),
    );
    expect(secrets).not.toContain("client-id");
    expect(secrets).not.toContain("leads@example.com");
  });

  it("lists the longest first", async () => {
    const config = baseConfig();
    config.superoffice.auth = { type: "soticket", ticket: "7T:abc" };
    const path = await writeConfig(dir, config);

    const { config: loaded } = await loadConfig(path, { IMAP_PASSWORD: "a-much-longer-password" });
    const secrets = collectSecrets(loaded);

    expect(secrets).toEqual(["a-much-longer-password", "7T:abc"]);
  });
});
