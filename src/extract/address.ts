import type { Address } from "./mime.js";

const EMAIL = /[\p{L}\p{N}._%+'-]{1,64}@[\p{L}\p{N}.-]{1,253}\.[\p{L}]{2,24}/u;
const EMAIL_GLOBAL = new RegExp(EMAIL.source, "gu");
const ON_BEHALF = /\s+(?:on behalf of|im auftrag von|i stedet for|på vegne av|på vegne af|på uppdrag av|för|namens|pour le compte de)\s+/i;
const VIA_GROUP = /^['"]?(.+?)['"]?\s+via\s+\S.*$/i;

export function findEmail(text: string): string | null {
  const match = EMAIL.exec(text);
  return match ? match[0].replace(/^[.'-]+|[.'-]+$/g, "").toLowerCase() : null;
}

export function findEmails(text: string): string[] {
  return [...text.matchAll(EMAIL_GLOBAL)].map((match) => match[0].toLowerCase());
}

/**
 * Reads "Name <a@b>", "Name [mailto:a@b]", "a@b", "'Name' via Group <g@b>" or a bare name
 * from a forward header line. For "X on behalf of Y" the principal Y is returned.
 */
export function parseAddressText(input: string): Address {
  let text = input.replace(/\s+/g, " ").trim();
  const behalf = text.split(ON_BEHALF);
  if (behalf.length > 1) text = behalf[behalf.length - 1]!.trim();

  const address = findEmail(text) ?? "";
  let name = text
    .replace(/\[mailto:[^\]]*\]/gi, "")
    .replace(/<[^>]*>/g, "")
    .replace(/\([^)]*@[^)]*\)/g, "")
    .replace(address ? new RegExp(escapeRegExp(address), "i") : /$^/, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^["'“”‘’]+|["'“”‘’]+$/g, "")
    .trim();
  const via = VIA_GROUP.exec(name);
  if (via) name = via[1]!.trim();
  if (name.includes("@")) name = "";
  return { name, address };
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function domainOf(email: string): string {
  const at = email.lastIndexOf("@");
  return at < 0 ? "" : email.slice(at + 1).toLowerCase();
}

/** Whether an address belongs to one of our own domains (subdomains included) or addresses. */
export function isOwnAddress(email: string, ownDomains: string[], ownAddresses: string[]): boolean {
  if (!email) return false;
  const lower = email.toLowerCase();
  if (ownAddresses.some((own) => own.toLowerCase() === lower)) return true;
  const domain = domainOf(lower);
  return ownDomains.some((own) => {
    const ownLower = own.toLowerCase();
    return domain === ownLower || domain.endsWith(`.${ownLower}`);
  });
}

/** Sender local parts of automated relays: web forms, notification services, mailer daemons. */
const NO_REPLY = /^(no-?reply|do-?not-?reply|donotreply|noreply[-.\w]*|no_reply|wordpress|forms?|notifications?|notify|mailer|webmaster|website|web|www|contact-?form|automailer|system|info-noreply|bounce[s]?)([-.+_].*)?$/i;

export function isRelayAddress(email: string): boolean {
  const local = email.split("@")[0] ?? "";
  return NO_REPLY.test(local);
}
