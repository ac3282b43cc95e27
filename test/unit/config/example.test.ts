import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { configFileSchema } from "../../../src/config/schema.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("config/leadd.example.yaml", () => {
  it("loads with its variables set", async () => {
    const env = { LEADD_IMAP_PASSWORD: "i", LEADD_SO_TOKEN: "t", LEADD_SO_APP_TOKEN: "a", LEADD_SMTP_PASSWORD: "s" };
    const { config } = await loadConfig(`${root}config/leadd.example.yaml`, env);

    expect(config.schedule).toBe("*/2 * * * *");
    expect(config.mailboxes.map((mailbox) => mailbox.name)).toEqual(["leads"]);
    expect(config.mailboxes[0]?.imap?.password).toBe("i");
    expect(config.mailboxes[0]?.replies?.smtp.password).toBe("s");
    expect(config.superoffice.appToken).toBeUndefined();
    expect(config.outcomes["not-lead"]).toEqual({ keyword: "$LeadIgnored", folder: "ignored", replies: [] });
    expect(config.http).toEqual({ listen: "127.0.0.1:9464", host: "127.0.0.1", port: 9464 });
  });

  it("names each variable it needs when unset", async () => {
    await expect(loadConfig(`${root}config/leadd.example.yaml`, {})).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      details: {
        errors: expect.arrayContaining([
          expect.stringMatching(/^mailboxes\[0\]\.imap\.password: environment variable LEADD_IMAP_PASSWORD is not set/),
          expect.stringMatching(/^superoffice\.auth\.token: environment variable LEADD_SO_TOKEN is not set/),
        ]),
      },
    });
  });
});

/** Collects every key name the schema declares, by walking zod's definitions. */
function schemaKeys(schema: unknown, found = new Set<string>()): Set<string> {
  const def = (schema as { _zod?: { def?: Record<string, any> } })._zod?.def;
  if (def === undefined) return found;
  switch (def.type) {
    case "object":
      for (const [key, child] of Object.entries(def.shape)) {
        found.add(key);
        schemaKeys(child, found);
      }
      break;
    case "optional":
    case "nullable":
    case "default":
      schemaKeys(def.innerType, found);
      break;
    case "pipe":
      schemaKeys(def.in, found);
      schemaKeys(def.out, found);
      break;
    case "array":
      schemaKeys(def.element, found);
      break;
    case "union":
      for (const option of def.options) schemaKeys(option, found);
      break;
  }
  return found;
}

describe("config/leadd.example.yaml keys", () => {
  it("documents every schema key", async () => {
    const example = await readFile(`${root}config/leadd.example.yaml`, "utf8");
    const keys = schemaKeys(configFileSchema);

    expect(keys.size).toBeGreaterThan(80);
    const missing = [...keys].filter((key) => !new RegExp(`\\b${key}(File)?:`).test(example));
    expect(missing).toEqual([]);
  });
});

describe("config/demo.yaml", () => {
  it("reads the samples folder with no secrets needed", async () => {
    const { config, warnings } = await loadConfig(`${root}config/demo.yaml`, { TMPDIR: "/var/tmp" });

    expect(warnings).toEqual([]);
    expect(config.state).toBe("/var/tmp/leadd-demo.db");
    expect(config.mailboxes).toHaveLength(1);
    expect(config.mailboxes[0]?.name).toBe("demo");
    expect(config.mailboxes[0]?.imap).toBeUndefined();
    expect(config.mailboxes[0]?.source).toEqual({ type: "folder", path: `${root}samples` });
    expect(config.mailboxes[0]?.replies).toBeUndefined();
    expect(config.superoffice.url).toBe("http://127.0.0.1:9/Cust00000");
  });

  it("falls back to /tmp without TMPDIR", async () => {
    const { config } = await loadConfig(`${root}config/demo.yaml`, {});

    expect(config.state).toBe("/tmp/leadd-demo.db");
  });
});
