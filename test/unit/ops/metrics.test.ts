import { describe, expect, it } from "vitest";

import type { TokenProvider } from "../../../src/auth/index.js";
import { Metrics } from "../../../src/ops/metrics.js";

function line(text: string, prefix: string): string | undefined {
  return text.split("\n").find((candidate) => candidate.startsWith(prefix));
}

describe("Metrics", () => {
  it("counts outcomes per mailbox", async () => {
    const metrics = new Metrics({ mailboxes: ["leads"], defaultMetrics: false });
    metrics.recordOutcome("leads", "created");
    metrics.recordOutcome("leads", "created");
    metrics.recordOutcome("leads", "quarantined");

    const text = await metrics.render();
    expect(line(text, 'leadd_messages_total{mailbox="leads",outcome="created"}')).toBe('leadd_messages_total{mailbox="leads",outcome="created"} 2');
    expect(line(text, 'leadd_messages_total{mailbox="leads",outcome="quarantined"}')).toMatch(/ 1$/);
    expect(line(text, 'leadd_messages_total{mailbox="leads",outcome="not-lead"}')).toMatch(/ 0$/);
  });

  it("records calls and duration", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.recordCall("created", 0.3);
    metrics.recordCall("error", 12);

    const text = await metrics.render();
    expect(line(text, 'leadd_generatelead_calls_total{result="created"}')).toMatch(/ 1$/);
    expect(line(text, 'leadd_generatelead_calls_total{result="error"}')).toMatch(/ 1$/);
    expect(line(text, "leadd_generatelead_duration_seconds_count")).toBe("leadd_generatelead_duration_seconds_count 2");
    expect(line(text, 'leadd_generatelead_duration_seconds_bucket{le="0.5"}')).toMatch(/ 1$/);
  });

  it("records errors and retries", async () => {
    const metrics = new Metrics({ mailboxes: ["leads"], defaultMetrics: false });
    metrics.recordCrmRetry();
    metrics.recordImapError("leads");
    metrics.recordCrmError("CRM_UNAVAILABLE");
    metrics.cycleFailed("leads");

    const text = await metrics.render();
    expect(line(text, "leadd_crm_retries_total")).toBe("leadd_crm_retries_total 1");
    expect(line(text, 'leadd_imap_errors_total{mailbox="leads"}')).toMatch(/ 1$/);
    expect(line(text, 'leadd_crm_errors_total{code="CRM_UNAVAILABLE"}')).toMatch(/ 1$/);
    expect(line(text, 'leadd_cycle_failures_total{mailbox="leads"}')).toMatch(/ 1$/);
  });

  it("sets the last success timestamp", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.cycleSucceeded("leads", new Date("2026-03-02T08:00:00Z"));
    const text = await metrics.render();
    expect(line(text, 'leadd_last_successful_cycle_timestamp_seconds{mailbox="leads"}')).toBe(
      'leadd_last_successful_cycle_timestamp_seconds{mailbox="leads"} 1772438400',
    );
  });

  it("reads watched token expiry at scrape", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    let expiresAt: Date | null = null;
    const provider: TokenProvider = {
      getAccessToken: async () => "unused",
      expiresAt: () => expiresAt,
      describe: () => "test provider",
      credentialExpiry: () => null,
    };
    metrics.watchTokenProvider("leads/imap", provider);

    expect(line(await metrics.render(), "leadd_token_expiry_timestamp_seconds{")).toBeUndefined();
    expiresAt = new Date("2026-03-02T09:00:00Z");
    expect(line(await metrics.render(), "leadd_token_expiry_timestamp_seconds{")).toBe('leadd_token_expiry_timestamp_seconds{provider="leads/imap"} 1772442000');
  });

  it("keeps registries apart", async () => {
    const first = new Metrics({ defaultMetrics: false });
    const second = new Metrics({ defaultMetrics: false });
    first.recordCrmRetry();
    expect(line(await second.render(), "leadd_crm_retries_total")).toBe("leadd_crm_retries_total 0");
  });

  it("includes default process metrics", async () => {
    const metrics = new Metrics();
    const text = await metrics.render();
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toContain("nodejs_heap_size_used_bytes");
  });
});
