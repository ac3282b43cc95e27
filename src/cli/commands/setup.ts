import type { Logger } from "pino";
import { loadConfig } from "../../config/load.js";
import type { LeaddConfig } from "../../config/schema.js";
import { createLogger, stdoutIsTerminal } from "../../log/logger.js";

export interface Setup {
  config: LeaddConfig;
  configPath: string;
  log: Logger;
}

/**
 * Load the config and create the process logger from it, with every secret of the config
 * redacted by value. Config warnings (readable secrets, TLS checks off) are logged here.
 */
export async function setUp(configPath: string | undefined, destination?: NodeJS.WritableStream): Promise<Setup> {
  const loaded = await loadConfig(configPath);
  const { collectSecrets } = await import("../../config/secrets.js");
  const log = createLogger({
    level: process.env.LEADD_LOG_LEVEL ?? loaded.config.log.level,
    pretty: destination === undefined && stdoutIsTerminal(),
    secrets: collectSecrets(loaded.config),
    destination,
  });
  for (const warning of loaded.warnings) log.warn({ config: loaded.path }, warning);
  return { config: loaded.config, configPath: loaded.path, log };
}
