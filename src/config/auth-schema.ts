/**
 * Sign-in blocks: `imap.auth` and `replies.smtp.auth` (mail servers) and
 * `superoffice.auth` (the CRM). Keys ending in `File` were already read into the key
 * without the suffix by the loader, so `privateKeyFile` arrives here as `privateKey`.
 */
import { createPrivateKey } from "node:crypto";
import { z } from "zod";
import { looksLikePemPrivateKey, pemPrivateKey, secret, text } from "./fields.js";

/** Online tenant ids look like Cust12345. */
export const CONTEXT_IDENTIFIER = /^Cust\d+$/i;

/**
 * Accepts the absolute URL of a sign-in or service endpoint, for installations that reach it
 * somewhere other than the vendor's public host (onsite, a national cloud, a proxy).
 * `httpsOnly` is for endpoints whose client library refuses plain http.
 */
export function endpointUrl(example: string, options: { httpsOnly?: boolean } = {}) {
  const schemes = options.httpsOnly ? "an https URL" : "an http or https URL";
  const error = `expected ${schemes} such as ${example}`;
  return z
    .string({ error })
    .trim()
    .refine(
      (value) => {
        try {
          const url = new URL(value);
          const schemeOk = url.protocol === "https:" || (!options.httpsOnly && url.protocol === "http:");
          return schemeOk && url.search === "" && url.hash === "" && url.username === "" && url.password === "";
        } catch {
          return false;
        }
      },
      { error: `${error}, without query, fragment or credentials` },
    );
}

const microsoftAuth = z
  .strictObject({
    type: z.literal("microsoft"),
    tenantId: text(),
    clientId: text(),
    clientSecret: secret().optional(),
    certificate: pemPrivateKey().optional(),
    certificateThumbprint: z
      .string({ error: "expected a hexadecimal certificate thumbprint" })
      .regex(/^[0-9a-fA-F]{40}([0-9a-fA-F]{24})?$/, { error: "expected a SHA-1 or SHA-256 certificate thumbprint in hexadecimal" })
      .optional(),
    authorityHost: endpointUrl("https://login.microsoftonline.us", { httpsOnly: true }).optional(),
    tokenUrl: endpointUrl("https://login.microsoftonline.com/TENANT/oauth2/v2.0/token").optional(),
  })
  .superRefine((auth, ctx) => {
    const withSecret = auth.clientSecret !== undefined;
    const withCertificate = auth.certificate !== undefined || auth.certificateThumbprint !== undefined;
    if (withSecret === withCertificate) {
      ctx.addIssue({
        code: "custom",
        message: "set either clientSecret or certificateFile with certificateThumbprint",
      });
    } else if (withCertificate && (auth.certificate === undefined || auth.certificateThumbprint === undefined)) {
      ctx.addIssue({ code: "custom", message: "certificateFile and certificateThumbprint go together; set both" });
    }
  });

const googleServiceAccount = z.string().refine(
  (value) => {
    try {
      const key = JSON.parse(value) as Record<string, unknown>;
      return typeof key.client_email === "string" && typeof key.private_key === "string";
    } catch {
      return false;
    }
  },
  { error: "expected a Google service account JSON key with client_email and private_key" },
);

const googleAuth = z
  .strictObject({
    type: z.literal("google"),
    serviceAccount: googleServiceAccount.optional(),
    clientId: text().optional(),
    clientSecret: secret().optional(),
    refreshToken: secret().optional(),
    tokenUrl: endpointUrl("https://oauth2.googleapis.com/token").optional(),
  })
  .superRefine((auth, ctx) => {
    const oauthKeys = [auth.clientId, auth.clientSecret, auth.refreshToken].filter((value) => value !== undefined).length;
    const withServiceAccount = auth.serviceAccount !== undefined;
    if (withServiceAccount ? oauthKeys > 0 : oauthKeys !== 3) {
      ctx.addIssue({
        code: "custom",
        message: "set either serviceAccountFile, or clientId with clientSecret and refreshToken",
      });
    }
  });

/** Sign-in method for an IMAP or SMTP server. Type `password` uses the sibling user and password keys. */
export const mailAuthSchema = z.discriminatedUnion(
  "type",
  [z.strictObject({ type: z.literal("password") }), microsoftAuth, googleAuth],
  { error: "expected type password, microsoft or google" },
);

function isRsaPrivateKey(pem: string): boolean {
  try {
    return createPrivateKey(pem).asymmetricKeyType === "rsa";
  } catch {
    return false;
  }
}

/** Sign-in method for SuperOffice. */
export const superOfficeAuthSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("basic"), user: text(), password: secret() }),
    z.strictObject({ type: z.literal("soticket"), ticket: secret() }),
    z.strictObject({ type: z.literal("bearer"), token: secret() }),
    z.strictObject({
      type: z.literal("systemuser"),
      systemToken: secret(),
      // Text without a PEM header already failed pemPrivateKey(); only one message per cause.
      privateKey: pemPrivateKey().refine((pem) => !looksLikePemPrivateKey(pem) || isRsaPrivateKey(pem), {
        error: "expected an unencrypted RSA private key in PEM format (the app's key for signing the system user token)",
      }),
      clientSecret: secret(),
      contextIdentifier: z
        .string()
        .regex(CONTEXT_IDENTIFIER, { error: "expected a tenant id such as Cust12345" })
        .optional(),
    }),
    z.strictObject({ type: z.literal("refreshtoken"), clientId: text(), clientSecret: secret(), refreshToken: secret() }),
  ],
  { error: "expected type basic, soticket, bearer, systemuser or refreshtoken" },
);

export type MailAuth = z.output<typeof mailAuthSchema>;
export type SuperOfficeAuth = z.output<typeof superOfficeAuthSchema>;
