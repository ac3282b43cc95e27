/**
 * Lists the secret values in a resolved config, so that the logger can redact them by
 * value wherever they turn up (an error message, a URL, a library's debug output), not
 * only under the key names it redacts.
 */
import type { LeaddConfig } from "./schema.js";

/** Keys whose string values are secrets: passwords, tokens, tickets, client secrets, private keys, key files. */
const SECRET_KEY = /(password|token|secret|ticket|privateKey|certificate|serviceAccount)$/i;

function addServiceAccountKey(json: string, found: Set<string>): void {
  try {
    const key = JSON.parse(json) as { private_key?: unknown };
    if (typeof key.private_key === "string" && key.private_key !== "") found.add(key.private_key);
  } catch {
    // Validation already rejected a service account that is not JSON.
  }
}

function collect(node: unknown, key: string | undefined, found: Set<string>): void {
  if (typeof node === "string") {
    if (key === undefined || !SECRET_KEY.test(key) || node === "") return;
    found.add(node);
    if (key === "serviceAccount") addServiceAccountKey(node, found);
    return;
  }
  if (Array.isArray(node)) {
    for (const item of node) collect(item, key, found);
    return;
  }
  if (typeof node === "object" && node !== null) {
    for (const [childKey, child] of Object.entries(node)) collect(child, childKey, found);
  }
}

/**
 * Returns every secret value in the config, each once, longest first so that a redactor
 * replacing them in turn never leaves the tail of a longer secret that contains a shorter one.
 */
export function collectSecrets(config: LeaddConfig): string[] {
  const found = new Set<string>();
  collect(config, undefined, found);
  return [...found].sort((a, b) => b.length - a.length);
}
