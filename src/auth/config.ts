/**
 * The `imap.auth` and `replies.smtp.auth` blocks as the token providers read them, after the
 * config loader has read each `…File` key into the key without the suffix (`certificateFile`
 * → `certificate`, `serviceAccountFile` → `serviceAccount`). The config schema validates them.
 */
export type MailAuthConfig =
  | { type: "password" }
  | {
      type: "microsoft";
      tenantId: string;
      clientId: string;
      clientSecret?: string;
      certificate?: string;
      certificateThumbprint?: string;
      /** Sign-in host for national clouds; default https://login.microsoftonline.com. */
      authorityHost?: string;
      tokenUrl?: string;
    }
  | {
      type: "google";
      serviceAccount?: string;
      clientId?: string;
      clientSecret?: string;
      refreshToken?: string;
      tokenUrl?: string;
    };
