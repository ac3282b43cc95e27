import { isLeaddError } from "../../errors.js";
import { bundledParsersDir } from "../../paths.js";
import { createLogger } from "../../log/logger.js";
import { loadFormRules } from "../../extract/form-rules.js";
import { parseCommand } from "./parse.js";

/**
 * Settings of `leadd parse` when no config file is found: no default country (phones get
 * their country from the number, the sender's domain or the text), no own domains, and the
 * lead defaults of the example config.
 */
const DEFAULTS_WITHOUT_CONFIG = {
  defaultCountry: "",
  ownDomains: [] as string[],
  ownCompany: undefined as string | undefined,
  appendForwarderNote: false,
  minConfidence: 0.5,
  associateIdForNewContact: 1,
  relation: "Enquiry by e-mail",
  relationId: 1,
  rulesDir: null as string | null,
};

/** `leadd parse`: the config is optional here, so the command works on a machine with none. */
export async function parseCliCommand(paths: string[], options: { json?: boolean; config?: string }): Promise<number> {
  // Logs go to stderr so that stdout carries only the table or the JSON lines.
  const log = createLogger({ level: process.env.LEADD_LOG_LEVEL ?? "warn", destination: process.stderr });
  const settings = await readSettings(options.config);

  const ruleDirs = [bundledParsersDir, ...(settings.rulesDir ? [settings.rulesDir] : [])];
  const formRules = await loadFormRules(ruleDirs, log);
  return parseCommand(
    paths,
    {
      json: options.json === true,
      analyze: {
        defaultCountry: settings.defaultCountry,
        ownDomains: settings.ownDomains,
        ownAddresses: [],
        ownCompany: settings.ownCompany,
        appendForwarderNote: settings.appendForwarderNote,
        minConfidence: settings.minConfidence,
        formRules,
      },
      lead: {
        associateIdForNewContact: settings.associateIdForNewContact,
        relation: settings.relation,
        relationId: settings.relationId,
        ownCompany: settings.ownCompany,
      },
    },
    log,
  );
}

async function readSettings(explicitPath: string | undefined): Promise<typeof DEFAULTS_WITHOUT_CONFIG> {
  const { loadConfig } = await import("../../config/load.js");
  try {
    const { config } = await loadConfig(explicitPath);
    return {
      defaultCountry: config.lead.defaultCountry,
      ownDomains: config.lead.ownDomains,
      ownCompany: config.lead.ownCompany,
      appendForwarderNote: config.lead.appendForwarderNote,
      minConfidence: config.lead.minConfidence,
      associateIdForNewContact: config.lead.associateIdForNewContact,
      relation: config.lead.relation,
      relationId: config.lead.relationId,
      rulesDir: config.parsers?.rulesDir ?? null,
    };
  } catch (error) {
    if (explicitPath === undefined && isLeaddError(error, "CONFIG_NOT_FOUND")) return DEFAULTS_WITHOUT_CONFIG;
    throw error;
  }
}
