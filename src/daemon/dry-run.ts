import type { Mailbox, MailboxMessage } from "../fetch/mailbox.js";
import type { LeadRequest } from "../types.js";
import type { LeadSender } from "./runtime.js";

/**
 * Collects what a dry-run would have done, message by message, and prints it. The wrappers
 * below sit at the side-effect boundary (mailbox writes, CRM call, replies); the code behind
 * them has no dry-run branches.
 */
export class DryRunReport {
  private readonly out: NodeJS.WritableStream;

  constructor(out: NodeJS.WritableStream = process.stdout) {
    this.out = out;
  }

  message(title: string): void {
    this.out.write(`\n=== ${title}\n`);
  }

  line(text: string): void {
    this.out.write(`  ${text}\n`);
  }

  block(title: string, body: string): void {
    this.out.write(`  ${title}\n`);
    for (const row of body.split("\n")) this.out.write(`    ${row}\n`);
  }
}

/** Wrap a mailbox so reads go to the real one and writes are only reported. */
export function dryRunMailbox(inner: Mailbox, report: DryRunReport): Mailbox {
  return {
    connect: () => inner.connect(),
    close: () => inner.close(),
    listPending: (folder: string, excludeKeywords: string[]): Promise<{ uidValidity: string; messages: MailboxMessage[] }> =>
      inner.listPending(folder, excludeKeywords),
    fetchSource: (folder: string, uid: number, maxBytes: number) => inner.fetchSource(folder, uid, maxBytes),
    ensureFolders: async (paths: string[]) => {
      if (paths.length > 0) report.line(`DRY-RUN: would create missing folders: ${paths.join(", ")}`);
    },
    addKeywords: async (_folder: string, _uid: number, keywords: string[]) => {
      report.line(`DRY-RUN: would set keyword ${keywords.join(" ")}`);
    },
    move: async (_folder: string, _uid: number, destination: string) => {
      report.line(`DRY-RUN: would move the message to ${destination}`);
    },
    append: async (folder: string) => {
      report.line(`DRY-RUN: would append a copy to ${folder}`);
    },
  };
}

/** Marker of a response the dry-run CRM made up, so reply rendering and the report can show it as such. */
export const DRY_RUN_RESPONSE = { dryRun: true, RequestedContacts: [], RequestedPerson: null, SalesRep: null } as const;

/** Create a CRM stand-in that prints the GenerateLead body it would send and reports the lead as created. */
export function dryRunCrm(report: DryRunReport): LeadSender {
  return {
    startCycle: () => {},
    generateLead: async (request: LeadRequest) => {
      report.block("DRY-RUN: would POST /api/v1/Agents/Appointment/GenerateLead with:", JSON.stringify(request, null, 2));
      report.line("(the CRM decides between created, matched and ambiguous; the actions below assume created)");
      return { outcome: "created", response: DRY_RUN_RESPONSE };
    },
  };
}
