import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { isLeaddError } from "../../../src/errors.js";
import { loadConfig } from "../../../src/config/load.js";

/** Returns a minimal valid config tree for a test to change. */
export function baseConfig(): Record<string, any> {
  return {
    mailboxes: [{ name: "leads", imap: { host: "imap.example.com", user: "leads@example.com", password: "${IMAP_PASSWORD}" } }],
    superoffice: { url: "https://online.superoffice.com/Cust12345/api/v1", auth: { type: "bearer", token: "${SO_TOKEN}" } },
    lead: { associateIdForNewContact: 12, relation: "Enquiry by e-mail", relationId: 3, defaultCountry: "NO" },
  };
}

export const BASE_ENV = { IMAP_PASSWORD: "imap-secret", SO_TOKEN: "so-token" };

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "leadd-config-"));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Writes a config (a tree or raw YAML text) as leadd.yaml in dir, with mode 0600 by default. */
export async function writeConfig(dir: string, config: unknown, mode = 0o600, name = "leadd.yaml"): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof config === "string" ? config : stringify(config));
  await chmod(path, mode);
  return path;
}

/** Loads a config expected to be invalid and returns its error lines. */
export async function loadErrors(path: string, env: NodeJS.ProcessEnv = BASE_ENV): Promise<string[]> {
  try {
    await loadConfig(path, env);
  } catch (error) {
    if (isLeaddError(error, "CONFIG_INVALID")) return error.details.errors as string[];
    throw error;
  }
  throw new Error(`expected ${path} to be invalid, but it loaded`);
}
