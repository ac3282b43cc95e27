import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../../src/crm/circuit-breaker.js";

describe("CircuitBreaker", () => {
  it("opens after the threshold of consecutive failures", () => {
    const breaker = new CircuitBreaker(3);
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.isOpen).toBe(false);
    breaker.recordFailure();
    expect(breaker.isOpen).toBe(true);
  });

  it("a success clears the count", () => {
    const breaker = new CircuitBreaker(2);
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    expect(breaker.isOpen).toBe(false);
  });

  it("reset closes an open breaker", () => {
    const breaker = new CircuitBreaker(1);
    breaker.recordFailure();
    expect(breaker.isOpen).toBe(true);
    breaker.reset();
    expect(breaker.isOpen).toBe(false);
  });

  it("threshold zero never opens", () => {
    const breaker = new CircuitBreaker(0);
    for (let i = 0; i < 10; i++) breaker.recordFailure();
    expect(breaker.isOpen).toBe(false);
  });
});
