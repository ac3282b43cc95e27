import type { Logger } from "pino";
import { decideReplies } from "../reply/plan.js";
import { formatReplyForDryRun } from "../reply/format.js";
import type { DuplicateOf, ReplySender, ReplySettings, SalesActivityLike } from "../reply/types.js";
import type { Mailbox } from "../fetch/mailbox.js";
import type { Journal } from "../state/journal.js";
import type { Outcome } from "../types.js";
import type { DryRunReport } from "./dry-run.js";
import type { OutcomeAction, ReplyRequest, ReplyStage } from "./runtime.js";

export interface ReplyStageOptions {
  settings: ReplySettings;
  sender: ReplySender;
  ownAddresses: string[];
  journal: Journal;
  mailbox: Mailbox;
  /** Folder that gets a copy of each reply, or null. */
  sentFolder: string | null;
  actions: Record<Outcome, OutcomeAction>;
  dryRun: DryRunReport | null;
  now: () => Date;
}

/**
 * Decide, send and record the replies of one message. The journal records each sent reply
 * under the message and role, so a restart that applies the outcome again sends nothing twice;
 * it also counts replies per recipient for the daily cap.
 */
export function createReplyStage(options: ReplyStageOptions): ReplyStage {
  const { journal } = options;
  const ledger = {
    countSince: (recipient: string, since: Date) => journal.countSince(recipient, since),
    // Recorded below with the journal entry id, once the SMTP server accepted the reply.
    record: () => {},
  };

  return {
    async sendReplies(input: ReplyRequest, log: Logger) {
      const now = options.now();
      const decision = decideReplies(
        {
          analysis: input.analysis,
          outcome: input.outcome,
          reason: input.reason ?? undefined,
          crm: (input.crm ?? null) as SalesActivityLike | null,
          roles: input.roles,
          settings: options.settings,
          ownAddresses: options.ownAddresses,
          folder: input.folder,
          duplicateOf: input.duplicateOf ? duplicateOf(input.duplicateOf) : undefined,
          // Replies go out only for final outcomes: a message waiting for a CRM retry gets none yet.
          willRetry: false,
        },
        ledger,
        now,
        log,
      );

      for (const skipped of decision.skipped) {
        if (options.dryRun) options.dryRun.line(`no ${skipped.role} reply${skipped.to ? ` to ${skipped.to}` : ""}: ${skipped.reason}`);
      }

      for (const plan of decision.plans) {
        if (journal.replySent(input.entryId, plan.role)) continue;
        if (options.dryRun) {
          options.dryRun.block(`DRY-RUN: would send this ${plan.role} reply:`, formatReplyForDryRun(plan));
          continue;
        }
        const sent = await options.sender.send(plan);
        journal.recordReply(input.entryId, plan.role, plan.to, sent.messageId, now);
        log.info({ role: plan.role, to: plan.to, language: plan.language, smtpMessageId: sent.messageId }, "reply sent");
        if (options.sentFolder) {
          await options.mailbox.append(options.sentFolder, sent.raw, ["\\Seen"]).catch((error: unknown) => {
            log.warn({ err: error, folder: options.sentFolder }, "reply sent, but appending its copy to the Sent folder failed");
          });
        }
      }
    },
  };
}

/** CRM ids of the earlier lead, read from its stored GenerateLead response. */
function duplicateOf(earlier: { messageId: string | null; crm: unknown }): DuplicateOf {
  const response = (earlier.crm ?? {}) as SalesActivityLike;
  const person = response.RequestedPerson ?? null;
  const contacts = response.RequestedContacts ?? [];
  return {
    messageId: earlier.messageId,
    crmIds: {
      contactId: person?.ContactId ?? (contacts.length === 1 ? contacts[0]!.ContactId : null),
      personId: person?.PersonId ?? null,
      salesRepId: response.SalesRep?.PersonId ?? null,
    },
  };
}
