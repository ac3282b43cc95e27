/** Text shown by `--dry-run` for a reply that would have been sent. */
import type { ReplyDecision, ReplyPlan } from "./types.js";

/** Formats the headers and the text body of a planned reply. */
export function formatReplyForDryRun(plan: ReplyPlan): string {
  const to = plan.toName === "" ? plan.to : `${plan.toName} <${plan.to}>`;
  const lines = [
    `(template ${plan.language}/${plan.outcome}.${plan.role}, ${plan.html === null ? "text only" : "text and HTML"})`,
    `From: ${plan.from}`,
    `To: ${to}`,
    `Subject: ${plan.subject}`,
    ...Object.entries(plan.headers).map(([name, value]) => `${name}: ${value}`),
    "",
    plan.text.trimEnd(),
  ];
  return lines.join("\n");
}

/** Formats every planned reply and every skipped one with its reason. */
export function formatDecisionForDryRun(decision: ReplyDecision): string {
  const parts = decision.plans.map((plan) => `DRY-RUN: would send the ${plan.role} reply\n${formatReplyForDryRun(plan)}`);
  for (const skipped of decision.skipped) {
    const to = skipped.to === "" ? "" : ` to ${skipped.to}`;
    parts.push(`DRY-RUN: no ${skipped.role} reply${to}: ${skipped.reason}`);
  }
  return parts.join("\n\n");
}
