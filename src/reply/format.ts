/** Text shown by `--dry-run` for a reply that would have been sent. */
import type { ReplyPlan } from "./types.js";

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

