/**
 * Counts consecutive CRM failures within one poll cycle. Once `threshold` calls in a row have
 * failed (each after its own retries), the breaker opens and stays open until the next cycle
 * resets it, so a CRM outage costs a few calls per cycle instead of one per message.
 */
export class CircuitBreaker {
  private consecutiveFailures = 0;

  constructor(private readonly threshold: number) {}

  get isOpen(): boolean {
    return this.threshold > 0 && this.consecutiveFailures >= this.threshold;
  }

  get failures(): number {
    return this.consecutiveFailures;
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0;
  }

  recordFailure(): void {
    this.consecutiveFailures += 1;
  }

  reset(): void {
    this.consecutiveFailures = 0;
  }
}
