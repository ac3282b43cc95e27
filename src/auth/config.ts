import { z } from "zod";

/**
 * Schema of the `imap.auth` and `replies.smtp.auth` blocks, after the config loader has read
 * every `…File` key into the key without the suffix (`certificateFile` → `certificate`,
 * `serviceAccountFile` → `serviceAccount`).
 */
const passwordAuth = z.strictObject({ type: z.literal("password") });

const microsoftAuth = z
  .strictObject({
    type: z.literal("microsoft"),
    tenantId: z.string().min(1),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
    certificate: z.string().min(1).optional(),
    certificateThumbprint: z.string().min(1).optional(),
    authorityHost: z.url({ protocol: /^https$/ }).optional(),
    tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
  })
  .refine((auth) => (auth.clientSecret === undefined) !== (auth.certificate === undefined), {
    message: "set either clientSecret or certificateFile (with certificateThumbprint), not both or neither",
  });

const googleAuth = z
  .strictObject({
    type: z.literal("google"),
    serviceAccount: z.string().min(1).optional(),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    refreshToken: z.string().min(1).optional(),
    tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
  })
  .refine(
    (auth) => {
      const refreshKeys = [auth.clientId, auth.clientSecret, auth.refreshToken].filter((value) => value !== undefined).length;
      return auth.serviceAccount !== undefined ? refreshKeys === 0 : refreshKeys === 3;
    },
    { message: "set either serviceAccountFile, or all of clientId, clientSecret and refreshToken" },
  );

export const mailAuthSchema = z.discriminatedUnion("type", [passwordAuth, microsoftAuth, googleAuth]);

export type MailAuthConfig = z.infer<typeof mailAuthSchema>;
