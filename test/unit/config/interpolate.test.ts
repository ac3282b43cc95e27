import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { interpolate } from "../../../src/config/interpolate.js";
import { loadConfig } from "../../../src/config/load.js";
import { BASE_ENV, baseConfig, loadErrors, removeDir, tempDir, writeConfig } from "./config-files.js";

describe("interpolate", () => {
  const env = { HOST: "imap.example.com", EMPTY: "" };

  it("replaces a variable", () => {
    expect(interpolate("${HOST}:993", env)).toEqual({ value: "imap.example.com:993", problems: [] });
  });

  it("uses the default when unset or empty", () => {
    expect(interpolate("${MISSING:-/tmp}/a", env).value).toBe("/tmp/a");
    expect(interpolate("${EMPTY:-x}", env).value).toBe("x");
    expect(interpolate("${HOST:-x}", env).value).toBe("imap.example.com");
    expect(interpolate("${MISSING:-}", env).value).toBe("");
  });

  it("keeps an empty variable without a default", () => {
    expect(interpolate("${EMPTY}", env)).toEqual({ value: "", problems: [] });
  });

  it("reports each missing variable", () => {
    const { problems } = interpolate("${A}-${B}", env);

    expect(problems).toEqual([
      "environment variable A is not set (referenced as ${A}); set it or write ${A:-default}",
      "environment variable B is not set (referenced as ${B}); set it or write ${B:-default}",
    ]);
  });

  it("writes $${ as a literal", () => {
    expect(interpolate("cost $${HOST} and $$5", env).value).toBe("cost ${HOST} and $$5");
  });

  it("leaves IMAP keywords alone", () => {
    expect(interpolate("$LeadCreated", env)).toEqual({ value: "$LeadCreated", problems: [] });
  });

  it("reports an unclosed reference", () => {
    expect(interpolate("a${HOST", env).problems).toEqual(['unclosed "${" at character 2; write $${ for a literal ${']);
  });

  it("reports an invalid name", () => {
    expect(interpolate("${1X}", env).problems).toEqual(["invalid reference ${1X}; expected ${NAME} or ${NAME:-default}"]);
  });
});

describe("loadConfig interpolation", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it("fills values and numbers from the environment", async () => {
    const config = baseConfig();
    config.mailboxes[0].imap.host = "${IMAP_HOST}";
    config.mailboxes[0].imap.port = "${IMAP_PORT}";
    config.mailboxes[0].imap.secure = "${IMAP_SECURE:-false}";
    const path = await writeConfig(dir, config);

    const loaded = await loadConfig(path, { ...BASE_ENV, IMAP_HOST: "mail.example.org", IMAP_PORT: "1143" });

    expect(loaded.config.mailboxes[0]?.imap).toMatchObject({
      host: "mail.example.org",
      port: 1143,
      secure: false,
      password: "imap-secret",
    });
    expect(loaded.config.superoffice.auth).toEqual({ type: "bearer", token: "so-token" });
  });

  it("names the key path and variable when unset", async () => {
    const config = baseConfig();
    config.mailboxes[0].imap.port = "${IMAP_PORT}";
    const path = await writeConfig(dir, config);

    const errors = await loadErrors(path, { SO_TOKEN: "t" });

    expect(errors).toEqual([
      "mailboxes[0].imap.password: environment variable IMAP_PASSWORD is not set (referenced as ${IMAP_PASSWORD}); set it or write ${IMAP_PASSWORD:-default}",
      "mailboxes[0].imap.port: environment variable IMAP_PORT is not set (referenced as ${IMAP_PORT}); set it or write ${IMAP_PORT:-default}",
    ]);
  });

  it("does not expand keys", async () => {
    const config = baseConfig();
    config.mailboxes[0].folders = { "${X}": "Archive" };
    const path = await writeConfig(dir, config);

    const loaded = await loadConfig(path, BASE_ENV);

    expect(loaded.config.mailboxes[0]?.folders["${X}"]).toBe("Archive");
  });
});
