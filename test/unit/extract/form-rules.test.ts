import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFormRules } from "../../../src/extract/form-rules.js";
import { readForm } from "../../../src/extract/form.js";
import { toLines } from "../../../src/extract/body.js";
import { silentLog } from "./options.js";

function ruleDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "leadd-rules-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("loadFormRules", () => {
  it("loads the bundled rules", async () => {
    const rules = await loadFormRules([], silentLog);
    expect(rules.map((rule) => rule.label)).toContain("WordPress");
    expect(rules.map((rule) => rule.label)).toContain("generic");
  });

  it("names the file and key of an invalid rule", async () => {
    const dir = ruleDir({ "bad.yaml": "rules:\n  - name: x\n    fields:\n      phonenumber: [Tel]\n" });
    await expect(loadFormRules([dir], silentLog)).rejects.toThrow(/bad\.yaml is invalid at key rules\.0\.fields/);
  });

  it("names the file of broken YAML", async () => {
    const dir = ruleDir({ "broken.yml": "rules: [\n  - name: x" });
    await expect(loadFormRules([dir], silentLog)).rejects.toMatchObject({ code: "CONFIG_INVALID", message: expect.stringContaining("broken.yml") });
  });

  it("rejects an invalid regular expression", async () => {
    const dir = ruleDir({ "re.yaml": "rules:\n  - name: x\n    match:\n      from: '(unclosed'\n    fields:\n      email: [Mail]\n" });
    await expect(loadFormRules([dir], silentLog)).rejects.toThrow(/match\.from/);
  });

  it("applies an admin rule before the generic one", async () => {
    const dir = ruleDir({
      "shop.yaml": "rules:\n  - name: Shop form\n    label: Shop\n    priority: 50\n    match:\n      from: '^shop@'\n    fields:\n      name: [Kunde]\n      email: [Kontakt-Mail]\n      message: [Wunsch]\n",
    });
    const rules = await loadFormRules([dir], silentLog);
    const form = readForm(toLines("Kunde: Eva Maier\nKontakt-Mail: eva@example.de\nWunsch: Zwei Räume"), rules, "shop@example.de", "Neue Bestellung");
    expect(form?.rule.label).toBe("Shop");
    expect(form?.values).toMatchObject({ name: "Eva Maier", email: "eva@example.de", message: "Zwei Räume" });
  });
});
