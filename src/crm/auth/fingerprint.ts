import { createHash } from "node:crypto";

/** Returns a short SHA-256 fingerprint of a secret, so logs can tell credentials apart without showing them. */
export function fingerprint(secret: string): string {
  return `sha256:${createHash("sha256").update(secret).digest("hex").slice(0, 8)}`;
}
