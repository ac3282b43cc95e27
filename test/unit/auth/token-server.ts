import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import pino, { type Logger } from "pino";

/** One request the stand-in received. */
export interface TokenRequest {
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
}

export type TokenHandler = (request: TokenRequest) => Promise<{ status: number; body: unknown }> | { status: number; body: unknown };

/** A stand-in OAuth2 token endpoint on 127.0.0.1 whose answers the test decides. */
export interface TokenServer {
  origin: string;
  requests: TokenRequest[];
  /** Errors thrown by the handler, e.g. failed expectations; tests assert that it stays empty. */
  handlerErrors: unknown[];
  handler: TokenHandler;
  close(): Promise<void>;
}

export async function startTokenServer(handler: TokenHandler): Promise<TokenServer> {
  const state: TokenServer = {
    origin: "",
    requests: [],
    handlerErrors: [],
    handler,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  const server: Server = createServer((request, response) => {
    void readBody(request).then(async (text) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const tokenRequest = { path: url.pathname, query: url.searchParams, form: new URLSearchParams(text) };
      state.requests.push(tokenRequest);
      let answer: { status: number; body: unknown };
      try {
        answer = await state.handler(tokenRequest);
      } catch (error) {
        // A failed check inside the handler becomes a 500, so the client fails instead of hanging.
        state.handlerErrors.push(error);
        answer = { status: 500, body: "stand-in handler failed" };
      }
      const payload = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
      response.writeHead(answer.status, { "content-type": typeof answer.body === "string" ? "text/html" : "application/json" });
      response.end(payload);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** A pino logger whose lines the test can read, to check that no secret is logged. */
export function captureLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = pino({ level: "trace" }, { write: (line: string) => lines.push(line) });
  return { log, lines };
}

/** A clock the test moves forward by hand. */
export function manualClock(start = new Date("2026-03-02T08:00:00Z")): { now: () => Date; advance(ms: number): void } {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (ms: number) => {
      current += ms;
    },
  };
}
