import { createRequire } from "node:module";

let domains: Set<string> | null = null;

/** Whether a domain is a free-mail provider (gmail.com, outlook.com …), from the email-providers list. */
export function isFreeMailDomain(domain: string): boolean {
  if (!domains) {
    const require = createRequire(import.meta.url);
    domains = new Set((require("email-providers/all.json") as string[]).map((entry) => entry.toLowerCase()));
  }
  return domains.has(domain.toLowerCase());
}
