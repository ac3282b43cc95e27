import { describe, expect, it } from "vitest";

import { REFRESH_MARGIN_MS, TokenCache } from "../../../src/auth/token-cache.js";
import type { IssuedToken } from "../../../src/auth/types.js";
import { captureLogger, manualClock } from "./token-server.js";

const HOUR_MS = 3_600_000;

function counterFetcher(clock: { now: () => Date }, lifetimeMs = HOUR_MS) {
  let calls = 0;
  const fetcher = async (): Promise<IssuedToken> => {
    calls += 1;
    return { accessToken: `token-${calls}`, expiresAt: new Date(clock.now().getTime() + lifetimeMs) };
  };
  return { fetcher, calls: () => calls };
}

describe("TokenCache", () => {
  it("reuses a token until the refresh margin", async () => {
    const clock = manualClock();
    const { fetcher, calls } = counterFetcher(clock);
    const cache = new TokenCache(fetcher, clock.now, captureLogger().log);

    expect(await cache.get()).toBe("token-1");
    clock.advance(HOUR_MS - REFRESH_MARGIN_MS - 1000);
    expect(await cache.get()).toBe("token-1");
    expect(calls()).toBe(1);
  });

  it("refreshes inside the margin", async () => {
    const clock = manualClock();
    const { fetcher, calls } = counterFetcher(clock);
    const cache = new TokenCache(fetcher, clock.now, captureLogger().log);

    await cache.get();
    clock.advance(HOUR_MS - REFRESH_MARGIN_MS + 1000);
    expect(await cache.get()).toBe("token-2");
    expect(calls()).toBe(2);
    expect(cache.expiresAt()?.getTime()).toBe(clock.now().getTime() + HOUR_MS);
  });

  it("shares one fetch between concurrent callers", async () => {
    const clock = manualClock();
    const { fetcher, calls } = counterFetcher(clock);
    const cache = new TokenCache(fetcher, clock.now, captureLogger().log);

    const tokens = await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(tokens).toEqual(["token-1", "token-1", "token-1"]);
    expect(calls()).toBe(1);
  });

  it("keeps the cached token when a refresh fails before expiry", async () => {
    const clock = manualClock();
    let fail = false;
    const fetcher = async (): Promise<IssuedToken> => {
      if (fail) {
        throw new Error("endpoint down");
      }
      return { accessToken: "secret-token-value", expiresAt: new Date(clock.now().getTime() + HOUR_MS) };
    };
    const { log, lines } = captureLogger();
    const cache = new TokenCache(fetcher, clock.now, log);

    await cache.get();
    fail = true;
    clock.advance(HOUR_MS - 60_000);
    expect(await cache.get()).toBe("secret-token-value");
    expect(lines.join("")).toContain("using the cached token");
    expect(lines.join("")).not.toContain("secret-token-value");

    clock.advance(120_000);
    await expect(cache.get()).rejects.toThrow("endpoint down");
  });

  it("rejects with no cached token", async () => {
    const clock = manualClock();
    const cache = new TokenCache(async () => Promise.reject(new Error("invalid_client")), clock.now, captureLogger().log);
    await expect(cache.get()).rejects.toThrow("invalid_client");
    expect(cache.expiresAt()).toBeNull();
  });
});
