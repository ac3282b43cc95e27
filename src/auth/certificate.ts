import { createPrivateKey, X509Certificate } from "node:crypto";

import { LeaddError } from "../errors.js";

/** A client certificate for Microsoft's certificate credential, ready for msal-node. */
export interface ClientCertificate {
  /** PKCS#8 PEM of the private key. */
  privateKey: string;
  /** Hex thumbprint without separators; 40 digits = SHA-1, 64 digits = SHA-256. */
  thumbprint: string;
  algorithm: "sha1" | "sha256";
  /** Expiry of the certificate when the PEM contains it. */
  notAfter: Date | null;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * Reads the private key and, when present, the certificate from one PEM text. The thumbprint
 * comes from the config or, when the config leaves it out, from the certificate itself. A
 * configured thumbprint that does not match the certificate is an error, because Entra ID would
 * reject every token request with a message that does not say so.
 */
export function loadClientCertificate(pem: string, configuredThumbprint: string | undefined, configPath: string): ClientCertificate {
  let privateKey: string;
  try {
    privateKey = createPrivateKey(pem).export({ type: "pkcs8", format: "pem" }).toString();
  } catch (error) {
    throw new LeaddError(
      "CONFIG_INVALID",
      `${configPath}.certificateFile does not contain a readable unencrypted private key (PEM). ` +
        "Export the key without a passphrase, e.g. `openssl pkcs12 -in cert.pfx -nodes`.",
      { cause: error },
    );
  }

  const block = CERTIFICATE_BLOCK.exec(pem)?.[0];
  const certificate = block ? new X509Certificate(block) : null;
  const thumbprint = configuredThumbprint === undefined ? undefined : normalizeThumbprint(configuredThumbprint, configPath);

  if (!certificate) {
    if (!thumbprint) {
      throw new LeaddError(
        "CONFIG_INVALID",
        `${configPath}.certificateThumbprint is required because certificateFile contains no certificate. ` +
          "Copy the thumbprint from the app registration's Certificates & secrets page, or append the certificate to the PEM file.",
      );
    }
    return { privateKey, thumbprint, algorithm: thumbprint.length === 40 ? "sha1" : "sha256", notAfter: null };
  }

  const sha1 = certificate.fingerprint.replaceAll(":", "");
  const sha256 = certificate.fingerprint256.replaceAll(":", "");
  if (thumbprint && thumbprint !== sha1 && thumbprint !== sha256) {
    throw new LeaddError(
      "CONFIG_INVALID",
      `${configPath}.certificateThumbprint ${thumbprint} does not match the certificate in certificateFile (SHA-1 ${sha1}). ` +
        "Use the thumbprint of the certificate that belongs to this private key.",
    );
  }
  if (!certificate.checkPrivateKey(createPrivateKey(privateKey))) {
    throw new LeaddError(
      "CONFIG_INVALID",
      `${configPath}.certificateFile: the private key does not belong to the certificate (SHA-1 ${sha1}). Put the matching key and certificate in the file.`,
    );
  }

  const chosen = thumbprint ?? sha256;
  return { privateKey, thumbprint: chosen, algorithm: chosen.length === 40 ? "sha1" : "sha256", notAfter: new Date(certificate.validTo) };
}

/** Accepts a hex thumbprint with or without colons or spaces and returns it upper-case. */
function normalizeThumbprint(value: string, configPath: string): string {
  const hex = value.replace(/[\s:]/g, "").toUpperCase();
  if (!/^[0-9A-F]+$/.test(hex) || (hex.length !== 40 && hex.length !== 64)) {
    throw new LeaddError(
      "CONFIG_INVALID",
      `${configPath}.certificateThumbprint "${value}" is not a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) thumbprint.`,
    );
  }
  return hex;
}
