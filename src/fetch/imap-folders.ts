/**
 * Folder paths. The config writes nested folders with "/" (`Leads/Done`). Servers use their
 * own hierarchy delimiter ("." in Dovecot's Maildir layout), and some need a namespace
 * prefix (`INBOX.` on Courier-style servers).
 */
import type { ImapFlow } from "imapflow";

/** Separator between levels in folder paths written in leadd's config. */
export const CONFIG_FOLDER_SEPARATOR = "/";

function isInbox(path: string): boolean {
  return path.toUpperCase() === "INBOX";
}

/**
 * Returns the server's path for a config folder path: levels joined with the server's
 * delimiter and the personal namespace prefix added, as imapflow's own path handling does.
 */
export function toServerPath(client: ImapFlow, folder: string): string {
  if (isInbox(folder)) {
    return "INBOX";
  }
  const delimiter = client.namespace?.delimiter ?? CONFIG_FOLDER_SEPARATOR;
  const joined = folder.split(CONFIG_FOLDER_SEPARATOR).join(delimiter);
  const prefix = client.namespace?.prefix ?? "";
  if (prefix !== "" && !joined.startsWith(prefix) && !isInbox(joined.split(delimiter)[0] ?? "")) {
    return prefix + joined;
  }
  return joined;
}

/** Returns each level of a config folder path, parents first: `A/B/C` gives `A`, `A/B`, `A/B/C`. */
export function withParents(folder: string): string[] {
  const levels = folder.split(CONFIG_FOLDER_SEPARATOR);
  return levels.map((_, index) => levels.slice(0, index + 1).join(CONFIG_FOLDER_SEPARATOR));
}

/**
 * Creates the folders (and their parents) that the server does not list as selectable, and
 * returns the server paths it created. Creating a parent explicitly matters: some servers
 * otherwise show it as a \NonExistent placeholder that mail clients hide.
 */
export async function createMissingFolders(client: ImapFlow, folders: string[]): Promise<string[]> {
  const listed = await client.list();
  const existing = new Set(
    listed.filter((entry) => !entry.flags.has("\\NonExistent") && !entry.flags.has("\\Noselect")).map((entry) => entry.path),
  );

  const created: string[] = [];
  const wanted = new Set(folders.filter((folder) => folder !== "").flatMap(withParents));
  for (const folder of wanted) {
    const path = toServerPath(client, folder);
    if (existing.has(path)) {
      continue;
    }
    const result = await client.mailboxCreate(path);
    existing.add(path);
    if (result.created) {
      created.push(path);
    }
  }
  return created;
}
