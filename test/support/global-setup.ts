/**
 * Vitest global setup: makes sure Dovecot is available once per test run (installing it
 * when missing and allowed), and stops any Dovecot a test file left running.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureDovecot, PID_REGISTRY_ENV, warnLoudly } from "./dovecot.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Why the Dovecot integration tests are skipped, or null when Dovecot can run. */
    dovecotUnavailable: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reason = await ensureDovecot();
  if (reason !== null) {
    warnLoudly("IMAP INTEGRATION TESTS WILL BE SKIPPED: Dovecot is not available", reason);
  }
  project.provide("dovecotUnavailable", reason);

  // Test workers inherit this variable and record each Dovecot pid there until it stops.
  const registry = await mkdtemp(join(tmpdir(), "leadd-dovecot-pids-"));
  process.env[PID_REGISTRY_ENV] = registry;

  return async () => {
    for (const name of await readdir(registry)) {
      const pid = Number(name);
      try {
        process.kill(pid, "SIGTERM");
        console.warn(`Stopped Dovecot pid ${pid} that a test file left running`);
      } catch {
        // Already gone.
      }
    }
    await rm(registry, { recursive: true, force: true });
  };
}
