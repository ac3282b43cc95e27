import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
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

function withPasswordFile(file: string): Record<string, any> {
  const config = baseConfig();
  delete config.mailboxes[0].imap.password;
  config.mailboxes[0].imap.passwordFile = file;
  return config;
}

describe("…File keys", () => {
  it("reads a file next to the config", async () => {
    await writeFile(join(dir, "imap-password"), "from-file\n\n");
    const path = await writeConfig(dir, withPasswordFile("imap-password"));

    const { config } = await loadConfig(path, BASE_ENV);

    expect(config.mailboxes[0]?.imap?.password).toBe("from-file");
    expect(config.mailboxes[0]?.imap).not.toHaveProperty("passwordFile");
  });

  it("reads from CREDENTIALS_DIRECTORY when set", async () => {
    const credentials = join(dir, "credentials");
    await mkdir(credentials);
    await writeFile(join(credentials, "imap-password"), "from-credentials\n");
    await writeFile(join(dir, "imap-password"), "from-config-folder\n");
    const path = await writeConfig(dir, withPasswordFile("imap-password"));

    const { config } = await loadConfig(path, { ...BASE_ENV, CREDENTIALS_DIRECTORY: credentials });

    expect(config.mailboxes[0]?.imap?.password).toBe("from-credentials");
  });

  it("takes an absolute path as given", async () => {
    const secretPath = join(dir, "elsewhere.txt");
    await writeFile(secretPath, "absolute");
    const path = await writeConfig(dir, withPasswordFile(secretPath));

    const { config } = await loadConfig(path, { ...BASE_ENV, CREDENTIALS_DIRECTORY: "/nonexistent" });

    expect(config.mailboxes[0]?.imap?.password).toBe("absolute");
  });

  it("expands variables in the file path", async () => {
    await writeFile(join(dir, "so-token"), "token-from-file");
    const config = baseConfig();
    config.superoffice.auth = { type: "bearer", tokenFile: "${SECRETS}/so-token" };
    const path = await writeConfig(dir, config);

    const loaded = await loadConfig(path, { ...BASE_ENV, SECRETS: dir });

    expect(loaded.config.superoffice.auth).toEqual({ type: "bearer", token: "token-from-file" });
  });

  it("reads a systemuser private key", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    await writeFile(join(dir, "app.pem"), privateKey.export({ type: "pkcs8", format: "pem" }));
    const config = baseConfig();
    config.superoffice.auth = { type: "systemuser", systemToken: "sys", clientSecret: "cs", privateKeyFile: "app.pem" };
    const path = await writeConfig(dir, config);

    const loaded = await loadConfig(path, BASE_ENV);

    expect(loaded.config.superoffice.auth).toMatchObject({ type: "systemuser", contextIdentifier: "Cust12345" });
    expect(loaded.config.superoffice.auth).toHaveProperty("privateKey", expect.stringContaining("-----BEGIN PRIVATE KEY-----"));
  });

  it("rejects a private key that is not RSA", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await writeFile(join(dir, "app.pem"), privateKey.export({ type: "pkcs8", format: "pem" }));
    const config = baseConfig();
    config.superoffice.auth = { type: "systemuser", systemToken: "sys", clientSecret: "cs", privateKeyFile: "app.pem" };
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toEqual([
      `superoffice.auth.privateKey: expected an unencrypted RSA private key in PEM format (the app's key for signing the system user token) (read from privateKeyFile ${join(dir, "app.pem")})`,
    ]);
  });

  it("reports a missing file with path and errno", async () => {
    const path = await writeConfig(dir, withPasswordFile("nope"));

    const errors = await loadErrors(path);

    expect(errors).toEqual([`mailboxes[0].imap.passwordFile: cannot read ${join(dir, "nope")}: ENOENT (no such file or directory)`]);
  });

  it("reports a folder given as a file", async () => {
    await mkdir(join(dir, "folder"));
    const path = await writeConfig(dir, withPasswordFile("folder"));

    const errors = await loadErrors(path);

    expect(errors).toEqual([`mailboxes[0].imap.passwordFile: cannot read ${join(dir, "folder")}: not a regular file`]);
  });

  it("rejects both a key and its File key", async () => {
    await writeFile(join(dir, "imap-password"), "x");
    const config = baseConfig();
    config.mailboxes[0].imap.passwordFile = "imap-password";
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toEqual(["mailboxes[0].imap.passwordFile: set either password or passwordFile, not both"]);
  });

  it("says which file a bad value came from", async () => {
    await writeFile(join(dir, "app.pem"), "not a key\n");
    const config = baseConfig();
    config.superoffice.auth = { type: "systemuser", systemToken: "sys", clientSecret: "cs", privateKeyFile: "app.pem" };
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^superoffice\.auth\.privateKey: expected a PEM private key .*\(read from privateKeyFile .*app\.pem\)$/);
  });

  it("reports every unreadable file at once", async () => {
    const config = withPasswordFile("a");
    config.superoffice.auth = { type: "bearer", tokenFile: "b" };
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path);

    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^mailboxes\[0\]\.imap\.passwordFile: cannot read .*\/a: ENOENT/);
    expect(errors[1]).toMatch(/^superoffice\.auth\.tokenFile: cannot read .*\/b: ENOENT/);
  });
});
