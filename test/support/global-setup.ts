/**
 * Vitest global setup: makes sure Dovecot is available once per test run, installing it when
 * missing and allowed. Otherwise it provides the reason to the test files, which skip.
 */
import type { TestProject } from "vitest/node";
import { ensureDovecot, warnLoudly } from "./dovecot.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Why the Dovecot integration tests are skipped, or null when Dovecot can run. */
    dovecotUnavailable: string | null;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const reason = await ensureDovecot();
  if (reason !== null) {
    warnLoudly("IMAP INTEGRATION TESTS WILL BE SKIPPED: Dovecot is not available", reason);
  }
  project.provide("dovecotUnavailable", reason);
}
