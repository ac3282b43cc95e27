import { describe, expect, it } from "vitest";

import { createTokenProvider } from "../../../src/auth/index.js";
import { GoogleRefreshTokenProvider } from "../../../src/auth/google.js";
import { MicrosoftProvider } from "../../../src/auth/microsoft.js";
import { captureLogger } from "./token-server.js";

const context = { configPath: "mailboxes[0].imap.auth" };

describe("createTokenProvider", () => {
  it("returns null for password auth", () => {
    const { log } = captureLogger();
    expect(createTokenProvider(undefined, "leads@example.com", log, context)).toBeNull();
    expect(createTokenProvider({ type: "password" }, "leads@example.com", log, context)).toBeNull();
  });

  it("builds a Microsoft provider", () => {
    const provider = createTokenProvider(
      { type: "microsoft", tenantId: "contoso.onmicrosoft.com", clientId: "app-1", clientSecret: "s3cret" },
      "leads@contoso.com",
      captureLogger().log,
      context,
    );
    expect(provider).toBeInstanceOf(MicrosoftProvider);
    expect(provider?.describe()).not.toContain("s3cret");
  });

  it("builds a Google refresh token provider", () => {
    const provider = createTokenProvider(
      { type: "google", clientId: "1.apps.googleusercontent.com", clientSecret: "GOCSPX-x", refreshToken: "1//r" },
      "leads@example.com",
      captureLogger().log,
      context,
    );
    expect(provider).toBeInstanceOf(GoogleRefreshTokenProvider);
  });

  it("rejects Google without credentials", () => {
    expect(() => createTokenProvider({ type: "google" }, "leads@example.com", captureLogger().log, context)).toThrow(
      /mailboxes\[0\]\.imap\.auth: type google needs serviceAccountFile/,
    );
  });
});
