import { describe, expect, it } from "vitest";
import { backoffDelay, parseRetryAfter, retryDelay, runWithRetry } from "../../../src/crm/retry.js";

describe("backoffDelay", () => {
  it("grows exponentially at full jitter", () => {
    const top = () => 0.999999;
    expect(backoffDelay(1, 1000, 60_000, top)).toBe(999);
    expect(backoffDelay(2, 1000, 60_000, top)).toBe(1999);
    expect(backoffDelay(3, 1000, 60_000, top)).toBe(3999);
  });

  it("stays within the cap", () => {
    expect(backoffDelay(30, 1000, 60_000, () => 0.999999)).toBe(59_999);
    expect(backoffDelay(200, 1000, 60_000, () => 0.5)).toBe(30_000);
  });

  it("jitter can reach zero", () => {
    expect(backoffDelay(4, 1000, 60_000, () => 0)).toBe(0);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-03-02T10:00:00Z");

  it("reads delta seconds", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
  });

  it("reads an HTTP date", () => {
    expect(parseRetryAfter("Mon, 02 Mar 2026 10:00:30 GMT", now)).toBe(30_000);
  });

  it("turns a past date into zero", () => {
    expect(parseRetryAfter("Mon, 02 Mar 2026 09:00:00 GMT", now)).toBe(0);
  });

  it("returns null for missing or unreadable values", () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter("", now)).toBeNull();
    expect(parseRetryAfter("-5", now)).toBeNull();
    expect(parseRetryAfter("1.5", now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
  });
});

describe("retryDelay", () => {
  it("prefers Retry-After over backoff", () => {
    expect(retryDelay(1, 7_000, 1000, 60_000, () => 0)).toBe(7_000);
  });

  it("caps Retry-After at maxDelayMs", () => {
    expect(retryDelay(1, 3_600_000, 1000, 60_000)).toBe(60_000);
  });
});

describe("runWithRetry", () => {
  it("retries until success with fake sleep", async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await runWithRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error("flaky");
        return "ok";
      },
      {
        attempts: 5,
        baseDelayMs: 100,
        maxDelayMs: 1000,
        random: () => 0.5,
        sleep: async (ms) => {
          waits.push(ms);
        },
        decide: () => ({ retry: true, retryAfterMs: null }),
      },
    );
    expect(result).toBe("ok");
    expect(calls).toBe(3);
    expect(waits).toEqual([50, 100]);
  });

  it("stops after the attempt limit", async () => {
    let calls = 0;
    const run = runWithRetry(
      async () => {
        calls += 1;
        throw new Error("down");
      },
      { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {}, decide: () => ({ retry: true, retryAfterMs: null }) },
    );
    await expect(run).rejects.toThrow("down");
    expect(calls).toBe(3);
  });

  it("does not retry a rejected decision", async () => {
    let calls = 0;
    const run = runWithRetry(
      async () => {
        calls += 1;
        throw new Error("bad request");
      },
      { attempts: 5, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {}, decide: () => ({ retry: false, retryAfterMs: null }) },
    );
    await expect(run).rejects.toThrow("bad request");
    expect(calls).toBe(1);
  });

  it("waits what Retry-After asked", async () => {
    const waits: number[] = [];
    let calls = 0;
    await runWithRetry(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error("throttled");
        return calls;
      },
      {
        attempts: 2,
        baseDelayMs: 100,
        maxDelayMs: 10_000,
        sleep: async (ms) => {
          waits.push(ms);
        },
        decide: () => ({ retry: true, retryAfterMs: 4_000 }),
      },
    );
    expect(waits).toEqual([4_000]);
  });
});
