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
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly settings: AnalyzerSettings;
  private readonly log: Logger;

  constructor(settings: AnalyzerSettings, log: Logger) {
    this.settings = settings;
    this.log = log;
  }

  async analyze(raw: Buffer): Promise<Analysis> {
    const worker = this.ensureWorker();
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
        this.worker = null;
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
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL("./analyze-worker.js", import.meta.url), {
      workerData: { options: this.settings.options, ruleDirs: this.settings.ruleDirs, logLevel: this.settings.logLevel },
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private async replaceWorker(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    this.log.warn({ timeoutMs: this.settings.timeoutMs }, "analysis worker stopped after the parse time limit; starting a new one");
    await worker.terminate();
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
