import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findConfigFile, loadConfig } from "../../../src/config/load.js";
import { isLeaddError } from "../../../src/errors.js";
import { BASE_ENV, baseConfig, removeDir, tempDir, writeConfig } from "./config-files.js";

let dir: string;
let first: string;
let second: string;
beforeEach(async () => {
  dir = await tempDir();
  first = join(dir, "etc.yaml");
  second = join(dir, "local.yaml");
});
afterEach(async () => {
  await removeDir(dir);
});

describe("findConfigFile", () => {
  it("prefers -c over LEADD_CONFIG", async () => {
    const explicit = await writeConfig(dir, baseConfig(), 0o600, "explicit.yaml");
    const fromEnv = await writeConfig(dir, baseConfig(), 0o600, "env.yaml");

    await expect(findConfigFile(explicit, { LEADD_CONFIG: fromEnv }, [first])).resolves.toBe(explicit);
  });

  it("prefers LEADD_CONFIG over the default paths", async () => {
    const fromEnv = await writeConfig(dir, baseConfig(), 0o600, "env.yaml");
    await writeConfig(dir, baseConfig(), 0o600, "etc.yaml");

    await expect(findConfigFile(undefined, { LEADD_CONFIG: fromEnv }, [first])).resolves.toBe(fromEnv);
  });

  it("takes the first default path that exists", async () => {
    await writeConfig(dir, baseConfig(), 0o600, "etc.yaml");
    await writeConfig(dir, baseConfig(), 0o600, "local.yaml");

    await expect(findConfigFile(undefined, {}, [first, second])).resolves.toBe(first);
  });

  it("falls back to the next default path", async () => {
    await writeConfig(dir, baseConfig(), 0o600, "local.yaml");

    await expect(findConfigFile(undefined, { LEADD_CONFIG: "" }, [first, second])).resolves.toBe(second);
  });

  it("lists every path tried when none exists", async () => {
    let caught: unknown;
    try {
      await findConfigFile(undefined, {}, [first, second]);
    } catch (error) {
      caught = error;
    }

    expect(isLeaddError(caught, "CONFIG_NOT_FOUND")).toBe(true);
    expect((caught as Error).message).toContain(`tried ${first}, ${second}`);
    expect((caught as { details: unknown }).details).toEqual({ tried: [first, second] });
  });

  it("does not fall back when -c names a missing file", async () => {
    await writeConfig(dir, baseConfig(), 0o600, "etc.yaml");
    const missing = join(dir, "missing.yaml");

    await expect(findConfigFile(missing, {}, [first])).rejects.toMatchObject({
      code: "CONFIG_NOT_FOUND",
      message: expect.stringContaining(`(given with -c); tried ${missing}.`),
    });
  });

  it("does not fall back when LEADD_CONFIG names a missing file", async () => {
    await writeConfig(dir, baseConfig(), 0o600, "etc.yaml");
    const missing = join(dir, "missing.yaml");

    await expect(findConfigFile(undefined, { LEADD_CONFIG: missing }, [first])).rejects.toMatchObject({
      code: "CONFIG_NOT_FOUND",
      message: expect.stringContaining(`(from LEADD_CONFIG); tried ${missing}.`),
    });
  });

  it("loads the file it finds", async () => {
    await writeConfig(dir, baseConfig(), 0o600, "local.yaml");

    const loaded = await loadConfig(undefined, { ...BASE_ENV }, [first, second]);

    expect(loaded.path).toBe(second);
    expect(loaded.config.mailboxes[0]?.name).toBe("leads");
  });
});
