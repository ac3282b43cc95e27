import type { AuthProvider } from "./provider.js";

/** Basic (onsite), SOTicket or Bearer with a fixed credential from the config. */
export function createStaticAuth(
  auth: { type: "basic"; user: string; password: string } | { type: "soticket"; ticket: string } | { type: "bearer"; token: string },
  appToken: string | null,
): AuthProvider {
  const headers: Record<string, string> = {};
  switch (auth.type) {
    case "basic":
      headers.Authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`, "utf8").toString("base64")}`;
      break;
    case "soticket":
      headers.Authorization = `SOTicket ${auth.ticket}`;
      break;
    case "bearer":
      headers.Authorization = `Bearer ${auth.token}`;
      break;
  }
  if (appToken) {
    headers["SO-AppToken"] = appToken;
  }
  return {
    type: auth.type,
    headers: async () => ({ ...headers }),
    renew: async () => false,
    expiresAt: () => null,
  };
}
