/** Sends planned replies over SMTP with nodemailer. */
import nodemailer, { type Transporter } from "nodemailer";
import type { Logger } from "pino";

import { isLeaddError, LeaddError } from "../errors.js";
import { composeReply } from "./compose.js";
import type { ReplyPlan, ReplySender, SentReply, SmtpOptions } from "./types.js";

/** A reachable SMTP server accepts a connection within seconds, and 30 s also covers a slow TLS handshake. */
const CONNECTION_TIMEOUT_MS = 30_000;

/** Time to the server greeting. Servers that tarpit delay it, but rarely past 30 s (an estimate). */
const GREETING_TIMEOUT_MS = 30_000;

/** Inactivity limit for one reply of a few kilobytes. nodemailer's 10-minute default would stall a cycle. */
const SOCKET_TIMEOUT_MS = 60_000;

interface TransportAuth {
  type?: "OAuth2";
  user: string;
  pass?: string;
  accessToken?: string;
}

async function authFor(options: SmtpOptions): Promise<TransportAuth | undefined> {
  if (options.user === undefined || options.user === "") {
    return undefined;
  }
  if (options.accessToken !== undefined) {
    return { type: "OAuth2", user: options.user, accessToken: await options.accessToken() };
  }
  if (options.password === undefined) {
    return undefined;
  }
  return { user: options.user, pass: options.password };
}

/**
 * Returns a sender whose `send` builds the message with MailComposer and sends those
 * exact bytes, so the caller can append the returned `raw` to the Sent folder.
 * A fresh transport per call picks up a renewed XOAUTH2 token.
 */
export function createReplySender(options: SmtpOptions, log: Logger): ReplySender {
  const endpoint = `${options.host}:${options.port}`;
  const smtpLog = log.child({ component: "smtp", server: endpoint });
  if (!options.tlsRejectUnauthorized) {
    smtpLog.warn("replies.smtp.tlsRejectUnauthorized is false: the SMTP server certificate is not checked");
  }

  async function transport(): Promise<Transporter> {
    const auth = await authFor(options);
    return nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure,
      ...(auth === undefined ? {} : { auth }),
      tls: { rejectUnauthorized: options.tlsRejectUnauthorized },
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      greetingTimeout: GREETING_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
      logger: false,
    });
  }

  function failure(action: string, error: unknown): LeaddError {
    // The error of a token that could not be fetched already names the failed OAuth step and the fix.
    if (isLeaddError(error, "OAUTH_FAILED")) return error;
    const detail = error instanceof Error ? error.message : String(error);
    const credential = options.accessToken === undefined ? "replies.smtp.user and its password" : "replies.smtp.user and its access token";
    // nodemailer marks a rejected login with code EAUTH; the server was reached, so only the credentials are in doubt.
    const hint = (error as { code?: string }).code === "EAUTH" ? `Check ${credential}.` : `Check replies.smtp.host, port, secure and ${credential}.`;
    return new LeaddError("SMTP_FAILED", `${action} via SMTP server ${endpoint} failed: ${detail.replace(/[.\s]+$/, "")}. ${hint}`, {
      cause: error,
      details: { host: options.host, port: options.port },
    });
  }

  return {
    async send(plan: ReplyPlan): Promise<SentReply> {
      const composed = await composeReply(plan);
      const started = Date.now();
      try {
        const transporter = await transport();
        try {
          await transporter.sendMail({ envelope: { from: composed.from, to: [composed.to] }, raw: composed.raw });
        } finally {
          transporter.close();
        }
      } catch (error) {
        throw failure(`Sending the ${plan.outcome} reply to ${composed.to}`, error);
      }
      smtpLog.info(
        { role: plan.role, outcome: plan.outcome, to: composed.to, messageId: composed.messageId, durationMs: Date.now() - started },
        "reply sent",
      );
      return { messageId: composed.messageId, raw: composed.raw };
    },

    async verify(): Promise<void> {
      try {
        const transporter = await transport();
        try {
          await transporter.verify();
        } finally {
          transporter.close();
        }
      } catch (error) {
        throw failure("Connecting and signing in", error);
      }
    },
  };
}
