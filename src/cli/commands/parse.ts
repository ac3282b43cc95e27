import type { Logger } from "pino";
import { isLeaddError } from "../../errors.js";
import { analyzeMessage, type AnalyzeOptions } from "../../extract/analyze.js";
import { buildLeadRequest, type LeadSettings } from "../../extract/request.js";
import { readLocalMessages } from "../../fetch/local-source.js";
import type { Analysis } from "../../types.js";

export interface ParseCommandOptions {
  json: boolean;
  analyze: AnalyzeOptions;
  lead: LeadSettings;
}

interface ParseRow {
  source: string;
  messageId: string | null;
  isLead: boolean;
  reason: string;
  request: ReturnType<typeof buildLeadRequest> | null;
  evidence: Analysis["evidence"];
  missing: string[];
}

/**
 * `leadd parse`: classifies and extracts local .eml files, folders, Maildir or mbox
 * without any network access. Prints one JSON line or one table block per message; a
 * message that cannot be read still gets a line. Always returns exit status 0.
 */
export async function parseCommand(paths: string[], options: ParseCommandOptions, log: Logger): Promise<number> {
  for await (const { source, raw } of readLocalMessages(paths)) {
    const row = await parseOne(source, raw, options, log);
    process.stdout.write(options.json ? `${JSON.stringify(row)}\n` : formatRow(row));
  }
  return 0;
}

async function parseOne(source: string, raw: Buffer, options: ParseCommandOptions, log: Logger): Promise<ParseRow> {
  if (raw.length === 0) {
    return { source, messageId: null, isLead: false, reason: "unreadable (file missing, empty or not readable)", request: null, evidence: {}, missing: [] };
  }
  try {
    const analysis = await analyzeMessage(raw, options.analyze, log.child({ source }));
    return {
      source,
      messageId: analysis.messageId,
      isLead: analysis.isLead,
      reason: analysis.missing.length > 0 && analysis.isLead ? `${analysis.reason}; incomplete: missing ${analysis.missing.join(", ")}` : analysis.reason,
      request: analysis.isLead ? buildLeadRequest(analysis, options.lead) : null,
      evidence: analysis.evidence,
      missing: analysis.missing,
    };
  } catch (error) {
    if (!isLeaddError(error, "MESSAGE_UNREADABLE")) log.error({ err: error, source }, "message analysis failed");
    const why = error instanceof Error ? error.message : String(error);
    return { source, messageId: null, isLead: false, reason: `unreadable (${why})`, request: null, evidence: {}, missing: [] };
  }
}

function formatRow(row: ParseRow): string {
  const request = row.request;
  const lines = [`${row.source}`, `  lead:     ${row.isLead ? "yes" : "no"}  ${row.reason}`];
  if (request) {
    const field = (label: string, value: string, key: keyof ParseRow["evidence"]): string => {
      const evidence = row.evidence[key];
      const source = evidence ? `  [${evidence.from}, ${evidence.confidence.toFixed(2)}]` : "";
      return `  ${label.padEnd(9)} ${value || "-"}${source}`;
    };
    lines.push(
      field("person:", `${request.LeadPersonFirstname} ${request.LeadPersonLastname}`.trim(), "LeadPersonLastname"),
      field("e-mail:", request.LeadPersonEmail, "LeadPersonEmail"),
      field("phone:", request.LeadPhoneNumber, "LeadPhoneNumber"),
      field("company:", request.LeadContact, "LeadContact"),
      field("creator:", `${request.CreatorsFirstname} ${request.CreatorsLastname}`.trim(), "CreatorsLastname"),
      field("text:", request.LeadDescription.replace(/\s+/g, " ").slice(0, 100), "LeadDescription"),
    );
  }
  return `${lines.join("\n")}\n\n`;
}
