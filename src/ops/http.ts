import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { Logger } from "pino";

import { LeaddError } from "../errors.js";
import type { Health } from "./health.js";
import type { Metrics } from "./metrics.js";

/** A scrape or probe is one small request, so ten seconds frees a socket from a stuck client. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Open connections get this long to finish when the listener stops. */
const STOP_GRACE_MS = 2_000;

export interface OpsHttpOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
}

/**
 * Health and metrics listener: `GET /healthz` (200 `ok` or 503 with the reason, JSON with
 * `?format=json`) and `GET /metrics` (Prometheus text). It serves GET and HEAD only, and
 * has no authentication, so it should listen on loopback or a private network.
 */
export class OpsHttpServer {
  private server: Server | null = null;

  constructor(
    private readonly options: OpsHttpOptions,
    private readonly deps: { health: Health; metrics: Metrics; now?: () => Date },
    private readonly log: Logger,
  ) {}

  /** Starts listening and returns the bound address. Throws HTTP_LISTEN_FAILED when the bind fails. */
  async start(): Promise<{ host: string; port: number }> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.log.error({ err: error, url: request.url }, "ops HTTP request failed");
        if (!response.headersSent) {
          response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        }
        response.end("internal error\n");
      });
    });
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    server.headersTimeout = REQUEST_TIMEOUT_MS;

    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          new LeaddError(
            "HTTP_LISTEN_FAILED",
            `Cannot listen on http.listen ${this.options.host}:${this.options.port}: ${error.code ?? error.message}. ` +
              "Choose a free port and an address of this host, or remove http.listen.",
            { cause: error, details: { host: this.options.host, port: this.options.port } },
          ),
        );
      };
      server.once("error", onError);
      server.listen(this.options.port, this.options.host, () => {
        server.off("error", onError);
        resolve();
      });
    });

    server.on("error", (error) => this.log.error({ err: error }, "ops HTTP listener failed"));
    this.server = server;
    const address = server.address() as AddressInfo;
    this.log.info({ host: address.address, port: address.port }, "health and metrics listener started");
    return { host: address.address, port: address.port };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) {
      return;
    }
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
    await closed;
    clearTimeout(timer);
    this.log.info("health and metrics listener stopped");
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? "GET";
    const url = new URL(request.url ?? "/", "http://localhost");
    const head = method === "HEAD";

    if (method !== "GET" && !head) {
      send(response, 405, "text/plain; charset=utf-8", "method not allowed\n", head, { allow: "GET, HEAD" });
      return;
    }

    if (url.pathname === "/healthz") {
      const status = this.deps.health.status(this.deps.now?.() ?? new Date());
      const code = status.ok ? 200 : 503;
      if (url.searchParams.get("format") === "json") {
        send(response, code, "application/json; charset=utf-8", `${JSON.stringify(status)}\n`, head);
      } else {
        send(response, code, "text/plain; charset=utf-8", `${status.reason}\n`, head);
      }
      return;
    }

    if (url.pathname === "/metrics") {
      const body = await this.deps.metrics.render();
      send(response, 200, this.deps.metrics.contentType, body, head);
      return;
    }

    send(response, 404, "text/plain; charset=utf-8", "not found: use /healthz or /metrics\n", head);
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string, head: boolean, headers: Record<string, string> = {}): void {
  response.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    ...headers,
  });
  response.end(head ? undefined : body);
}
