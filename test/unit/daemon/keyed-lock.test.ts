import { describe, expect, it } from "vitest";
import { KeyedLock } from "../../../src/daemon/keyed-lock.js";

describe("KeyedLock", () => {
  it("serialises work on a shared key", async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const slow = lock.run(["company:acme"], async () => {
      events.push("a-start");
      await new Promise((resolve) => setTimeout(resolve, 20));
      events.push("a-end");
    });
    const fast = lock.run(["email:x@acme.example", "company:acme"], async () => {
      events.push("b");
    });
    await Promise.all([slow, fast]);
    expect(events).toEqual(["a-start", "a-end", "b"]);
  });

  it("runs unrelated keys side by side", async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    await Promise.all([
      lock.run(["company:one"], async () => {
        events.push("one-start");
        await new Promise((resolve) => setTimeout(resolve, 20));
        events.push("one-end");
      }),
      lock.run(["company:two"], async () => {
        events.push("two");
      }),
    ]);
    expect(events).toEqual(["one-start", "two", "one-end"]);
  });

  it("releases the key after a failure", async () => {
    const lock = new KeyedLock();
    await expect(lock.run(["k"], async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(lock.run(["k"], async () => "next")).resolves.toBe("next");
  });
});
