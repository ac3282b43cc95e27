import { request } from "node:http";
import { createServer } from "node:net";

import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";

import { isLeaddError } from "../../src/errors.js";
import { Health } from "../../src/ops/health.js";
import { OpsHttpServer } from "../../src/ops/http.js";
import { Metrics } from "../../src/ops/metrics.js";

const START = new Date("2026-03-02T08:00:00Z");
const silent = pino({ level: "silent" });

let server: OpsHttpServer | null = null;

afterEach(async () => {
  await server?.stop();
  server = null;
});

async function startServer(now: Date) {
  const health = new Health({ maxCycleAgeMinutes: 15, mailboxes: ["leads"], startedAt: START }, silent);
  const metrics = new Metrics({ mailboxes: ["leads"] });
  server = new OpsHttpServer({ host: "127.0.0.1", port: 0 }, { health, metrics, now: () => now }, silent);
  const address = await server.start();
  return { health, metrics, port: address.port };
}

function call(port: number, path: string, method = "GET"): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: "127.0.0.1", port, path, method }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

describe("OpsHttpServer", () => {
  it("answers healthz ok", async () => {
    const { health, port } = await startServer(new Date(START.getTime() + 5 * 60_000));
    health.cycleSucceeded("leads", new Date(START.getTime() + 2 * 60_000));

    const response = await call(port, "/healthz");
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(response.body).toBe("ok\n");
  });

  it("answers healthz 503 with reason", async () => {
    const { health, port } = await startServer(new Date(START.getTime() + 30 * 60_000));
    health.cycleFailed("leads", "IMAP login failed for leads@example.com", new Date(START.getTime() + 28 * 60_000));

    const response = await call(port, "/healthz");
    expect(response.status).toBe(503);
    expect(response.body).toBe("mailbox leads: no successful cycle since the start at 2026-03-02T08:00:00.000Z; last error: IMAP login failed for leads@example.com\n");
  });

  it("answers healthz as JSON", async () => {
    const { port } = await startServer(new Date(START.getTime() + 30 * 60_000));
    const response = await call(port, "/healthz?format=json");
    expect(response.status).toBe(503);
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
    const body = JSON.parse(response.body) as { ok: boolean; mailboxes: Array<{ mailbox: string; ok: boolean }> };
    expect(body.ok).toBe(false);
    expect(body.mailboxes).toEqual([{ mailbox: "leads", ok: false, lastSuccessAt: null, lastFailureAt: null, lastError: null }]);
  });

  it("serves metrics text", async () => {
    const { metrics, port } = await startServer(START);
    metrics.recordOutcome("leads", "matched");

    const response = await call(port, "/metrics");
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toContain("text/plain; version=0.0.4");
    expect(response.body).toContain('leadd_messages_total{mailbox="leads",outcome="matched"} 1');
    expect(response.body).toContain("process_resident_memory_bytes");
  });

  it("answers HEAD without body", async () => {
    const { port } = await startServer(START);
    const response = await call(port, "/healthz", "HEAD");
    expect(response.status).toBe(200);
    expect(response.headers["content-length"]).toBe("3");
    expect(response.body).toBe("");
  });

  it("rejects other methods", async () => {
    const { port } = await startServer(START);
    const response = await call(port, "/healthz", "POST");
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe("GET, HEAD");
  });

  it("answers 404 elsewhere", async () => {
    const { port } = await startServer(START);
    const response = await call(port, "/");
    expect(response.status).toBe(404);
    expect(response.body).toContain("/healthz");
  });

  it("reports a port in use", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    const health = new Health({ maxCycleAgeMinutes: 15, mailboxes: [], startedAt: START }, silent);
    const taken = new OpsHttpServer({ host: "127.0.0.1", port }, { health, metrics: new Metrics({ defaultMetrics: false }) }, silent);

    const error = await taken.start().catch((caught: unknown) => caught);
    blocker.close();
    expect(isLeaddError(error, "HTTP_LISTEN_FAILED")).toBe(true);
    expect((error as Error).message).toContain(`127.0.0.1:${port}: EADDRINUSE`);
  });

  it("stops and frees the port", async () => {
    const { port } = await startServer(START);
    await server?.stop();
    server = null;
    await expect(call(port, "/healthz")).rejects.toThrow(/ECONNREFUSED/);
  });
});
