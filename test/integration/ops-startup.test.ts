import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";

import type { TokenProvider } from "../../src/auth/index.js";
import { startOps, type Ops } from "../../src/ops/index.js";

const START = new Date("2026-03-02T08:00:00Z");
let ops: Ops | null = null;

afterEach(async () => {
  await ops?.stop();
  ops = null;
});

describe("startOps", () => {
  it("wires observer, health and HTTP", async () => {
    let now = START;
    ops = await startOps(
      { mailboxes: [{ name: "leads" }], health: { maxCycleAgeMinutes: 15 }, http: { host: "127.0.0.1", port: 0 } },
      pino({ level: "silent" }),
      { now: () => now, env: {} },
    );
    const port = ops.httpAddress?.port;
    expect(port).toBeGreaterThan(0);

    ops.observer.cycleSucceeded?.("leads", START);
    ops.observer.outcome?.("leads", "created");
    now = new Date(START.getTime() + 20 * 60_000);
    ops.observer.cycleFailed?.("leads", "IMAP connection to imap.example.com:993 timed out", now);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.text()).toContain("last error: IMAP connection to imap.example.com:993 timed out");

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('leadd_messages_total{mailbox="leads",outcome="created"} 1');
    expect(metrics).toContain('leadd_cycle_failures_total{mailbox="leads"} 1');
  });

  it("exports watched token expiry", async () => {
    ops = await startOps({ mailboxes: [{ name: "leads" }], health: { maxCycleAgeMinutes: 15 } }, pino({ level: "silent" }), { env: {} });
    expect(ops.httpAddress).toBeNull();
    const provider: TokenProvider = {
      getAccessToken: async () => "unused",
      expiresAt: () => new Date("2026-03-02T09:00:00Z"),
      describe: () => "test",
      credentialExpiry: () => ({ kind: "certificate", expiresAt: new Date("2026-03-05T00:00:00Z") }),
    };
    ops.watchTokens([{ name: "leads/imap", provider }]);

    expect(await ops.metrics.render()).toContain('leadd_token_expiry_timestamp_seconds{provider="leads/imap"} 1772442000');
    expect(ops.health.status(START).credentials[0]?.expiringSoon).toBe(true);
  });

  it("readies without systemd", async () => {
    ops = await startOps({ mailboxes: [], health: { maxCycleAgeMinutes: 15 } }, pino({ level: "silent" }), { env: {} });
    await ops.ready();
    ops.cycleDone();
    await ops.stopping();
    expect(ops.notifier.enabled).toBe(false);
  });
});
