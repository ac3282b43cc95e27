import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { LeaddError } from "../errors.js";
import type { Analysis } from "../types.js";
import type { AnalyzeOptions } from "../extract/analyze.js";

/** Analyzes one raw message at a time within a time limit; a hostile body cannot stall the daemon. */
export interface Analyzer {
  analyze(raw: Buffer): Promise<Analysis>;
  close(): Promise<void>;
}

/** Settings the worker rebuilds AnalyzeOptions from; it loads the form rules from their folders itself. */
export interface AnalyzerSettings {
  options: Omit<AnalyzeOptions, "formRules">;
  ruleDirs: string[];
  timeoutMs: number;
  logLevel: string;
}

/**
 * Longest wait for a new worker to load the extraction modules and form rules. That takes
 * about a second, and several on a busy host, so it is kept out of limits.parseTimeoutMs.
 */
const WORKER_START_TIMEOUT_MS = 60_000;

/** A worker thread and the promise that settles once it has loaded and can take messages. */
interface WorkerHandle {
  worker: Worker;
  ready: Promise<void>;
}

interface WorkerReply {
  id: number;
  analysis?: Analysis;
  error?: { message: string; code?: string };
}

/**
 * Create the analyzer. From the built package it runs extraction in a worker thread that is
 * terminated and replaced when a message takes longer than `timeoutMs`. From TypeScript
 * sources (tests) worker threads cannot load the module, so it runs in this thread and the
 * limit only applies between awaits.
 */
export async function createAnalyzer(settings: AnalyzerSettings, log: Logger): Promise<Analyzer> {
  if (import.meta.url.endsWith(".ts")) return createInlineAnalyzer(settings, log);
  const analyzer = new WorkerAnalyzer(settings, log);
  // Start the worker now: loading the extraction modules takes about two seconds, which
  // would otherwise delay the first message after start-up or IDLE pick-up.
  analyzer.warmUp();
  return analyzer;
}

async function createInlineAnalyzer(settings: AnalyzerSettings, log: Logger): Promise<Analyzer> {
  const { analyzeMessage } = await import("../extract/analyze.js");
  const { loadFormRules } = await import("../extract/form-rules.js");
  const formRules = await loadFormRules(settings.ruleDirs, log);
  const options = { ...settings.options, formRules } as AnalyzeOptions;
  return {
    analyze: (raw) => withTimeout(analyzeMessage(raw, options, log), settings.timeoutMs),
    close: async () => {},
  };
}

class WorkerAnalyzer implements Analyzer {
  private handle: WorkerHandle | null = null;
  private nextId = 1;
  private readonly settings: AnalyzerSettings;
  private readonly log: Logger;

  constructor(settings: AnalyzerSettings, log: Logger) {
    this.settings = settings;
    this.log = log;
  }

  async analyze(raw: Buffer): Promise<Analysis> {
    const { worker, ready } = this.ensureWorker();
    // The time limit is for this message, so it starts once the worker has loaded.
    await ready;
    const id = this.nextId++;

    return new Promise<Analysis>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        // Terminating is the only way to stop a synchronous loop inside the worker.
        void this.replaceWorker();
        reject(timeoutError(this.settings.timeoutMs));
      }, this.settings.timeoutMs);

      const onMessage = (reply: WorkerReply) => {
        if (reply.id !== id) return;
        cleanup();
        if (reply.analysis) resolve(reply.analysis);
        else reject(new LeaddError("MESSAGE_UNREADABLE", reply.error?.message ?? "The message could not be analysed.", { details: { analysisCode: reply.error?.code } }));
      };
      const onError = (error: Error) => {
        cleanup();
        if (this.handle?.worker === worker) this.handle = null;
        reject(new LeaddError("MESSAGE_UNREADABLE", `The analysis worker crashed on this message: ${error.message}`, { cause: error }));
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
      };

      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.postMessage({ id, raw });
    });
  }

  warmUp(): void {
    this.ensureWorker();
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (handle) await handle.worker.terminate();
  }

  private ensureWorker(): WorkerHandle {
    if (this.handle) return this.handle;
    const worker = new Worker(new URL("./analyze-worker.js", import.meta.url), {
      workerData: { options: this.settings.options, ruleDirs: this.settings.ruleDirs, logLevel: this.settings.logLevel },
    });
    worker.unref();
    const handle: WorkerHandle = { worker, ready: this.waitUntilReady(worker) };
    this.handle = handle;
    return handle;
  }

  /** Resolves on the worker's "ready" message; rejects when it fails or takes too long to start. */
  private waitUntilReady(worker: Worker): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        void worker.terminate();
        reject(new LeaddError("MESSAGE_UNREADABLE", `The analysis worker did not start within ${WORKER_START_TIMEOUT_MS} ms.`));
      }, WORKER_START_TIMEOUT_MS);
      const onMessage = (message: { ready?: boolean }) => {
        if (message.ready !== true) return;
        cleanup();
        resolve();
      };
      const onError = (error: Error) => {
        cleanup();
        reject(new LeaddError("MESSAGE_UNREADABLE", `The analysis worker failed to start: ${error.message}`, { cause: error }));
      };
      // close() may terminate a worker that is still loading; its start-up is then over.
      const onExit = (code: number) => {
        cleanup();
        reject(new LeaddError("MESSAGE_UNREADABLE", `The analysis worker exited with code ${code} before it was ready.`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      // The worker is unref'd, and so is this timer: neither keeps a finished process alive.
      timer.unref();
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
    });
    ready.catch(() => {
      if (this.handle?.worker === worker) this.handle = null;
    });
    return ready;
  }

  private async replaceWorker(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (!handle) return;
    this.log.warn({ timeoutMs: this.settings.timeoutMs }, "analysis worker stopped after the parse time limit; starting a new one");
    await handle.worker.terminate();
  }
}

function timeoutError(timeoutMs: number): LeaddError {
  return new LeaddError("PARSE_TIMEOUT", `Parsing took longer than ${timeoutMs} ms (limits.parseTimeoutMs); the message is quarantined.`, { details: { timeoutMs } });
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
