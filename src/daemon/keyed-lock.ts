/**
 * Serialise async work per key. Two messages about the same new company or e-mail address,
 * from two mailboxes processed at once, must not both reach GenerateLead together and make
 * two contacts.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(keys: string[], work: () => Promise<T>): Promise<T> {
    // Sorted, unique keys: two callers wanting the same pair of locks take them in the same order.
    const ordered = [...new Set(keys.filter((key) => key !== ""))].sort();
    const releases: Array<() => void> = [];
    for (const key of ordered) releases.push(await this.acquire(key));
    try {
      return await work();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  private async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
