import { parentPort, workerData } from "node:worker_threads";
import { analyzeMessage, type AnalyzeOptions } from "../extract/analyze.js";
import { loadFormRules } from "../extract/form-rules.js";
import { createLogger } from "../log/logger.js";

/** Worker thread body of the analyzer: one message in, one Analysis or error out. */
const settings = workerData as { options: Omit<AnalyzeOptions, "formRules">; ruleDirs: string[]; logLevel: string };
const log = createLogger({ level: settings.logLevel }).child({ component: "analyzer" });
const formRules = await loadFormRules(settings.ruleDirs, log);
const options = { ...settings.options, formRules } as AnalyzeOptions;

parentPort!.on("message", async (request: { id: number; raw: Uint8Array }) => {
  try {
    const analysis = await analyzeMessage(Buffer.from(request.raw), options, log);
    parentPort!.postMessage({ id: request.id, analysis });
  } catch (error) {
    const code = (error as { code?: string }).code;
    parentPort!.postMessage({ id: request.id, error: { message: (error as Error).message, code } });
  }
});

// Tells the analyzer that loading is over, so that its per-message time limit can start.
parentPort!.postMessage({ ready: true });
