/** In-Reply-To and References for a reply (RFC 5322 3.6.4). */
import { MAX_REFERENCES_CHARS, parseMessageIds, toMessageId } from "./header-safety.js";

export interface ThreadingHeaders {
  inReplyTo: string | null;
  references: string | null;
}

/**
 * Returns In-Reply-To = the parent's Message-ID and References = the parent's References
 * (or In-Reply-To when it has none) followed by the parent's Message-ID. Invalid ids are
 * dropped. When the list is longer than MAX_REFERENCES_CHARS, the first id (the thread
 * root) and the newest ids are kept, as mail clients do.
 */
export function buildThreadingHeaders(
  parentMessageId: string | null,
  parentReferences: string | null | undefined,
  parentInReplyTo: string | null | undefined,
): ThreadingHeaders {
  const parent = toMessageId(parentMessageId);
  if (parent === null) {
    return { inReplyTo: null, references: null };
  }

  let ancestors = parseMessageIds(parentReferences);
  if (ancestors.length === 0) {
    ancestors = parseMessageIds(parentInReplyTo).slice(0, 1);
  }
  const ids = [...new Set([...ancestors.filter((id) => id !== parent), parent])];
  return { inReplyTo: parent, references: capReferences(ids).join(" ") };
}

/** Keeps the root and as many of the newest ids as fit in MAX_REFERENCES_CHARS. */
function capReferences(ids: string[]): string[] {
  if (ids.join(" ").length <= MAX_REFERENCES_CHARS) {
    return ids;
  }

  const newest = ids[ids.length - 1] as string;
  const root = ids[0] as string;
  const kept: string[] = [newest];
  let length = newest.length;
  const rootCost = root.length + 1;
  for (let index = ids.length - 2; index >= 1; index -= 1) {
    const id = ids[index] as string;
    if (length + id.length + 1 + rootCost > MAX_REFERENCES_CHARS) {
      break;
    }
    kept.unshift(id);
    length += id.length + 1;
  }
  if (length + rootCost <= MAX_REFERENCES_CHARS) {
    kept.unshift(root);
  }
  return kept;
}
