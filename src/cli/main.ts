#!/usr/bin/env node
import { Command, CommanderError, Option } from "commander";
import { EXIT, isLeaddError } from "../errors.js";

const program = new Command();

program
  // Throw instead of exiting, so argument errors get the documented exit status 2.
  .exitOverride()
  .name("leadd")
  .description("Turn enquiry e-mails in an IMAP mailbox into SuperOffice sales leads (GenerateLead).")
  .version(await readVersion(), "-V, --version", "print the leadd version")
  .showHelpAfterError("(run leadd --help for the commands and options)")
  .addHelpText(
    "after",
    `
Config file lookup: -c FILE, else $LEADD_CONFIG, else /etc/leadd/leadd.yaml, else ./config/leadd.yaml.
Exit status: 0 ok, 1 the run failed (login, network, state), 2 invalid config or arguments, 3 another leadd holds the state lock.`,
  );

const configOption = () => new Option("-c, --config <file>", "config file (YAML)");
const dryRunOption = () => new Option("--dry-run", "go through the whole pipeline but change nothing: no CRM call, no flag, no move, no reply; print what would happen");

program
  .command("run")
  .description("run as a daemon: poll every mailbox on the configured cron schedule until SIGTERM or SIGINT")
  .addOption(configOption())
  .addOption(dryRunOption())
  .action(async (options: { config?: string; dryRun?: boolean }) => {
    const { runCommand } = await import("./commands/run.js");
    process.exitCode = await runCommand(options);
  });

program
  .command("once")
  .description("run one poll cycle over every configured mailbox, then exit (0 when the cycle ran, whatever the outcomes)")
  .addOption(configOption())
  .addOption(dryRunOption())
  .action(async (options: { config?: string; dryRun?: boolean }) => {
    const { onceCommand } = await import("./commands/once.js");
    process.exitCode = await onceCommand(options);
  });

program
  .command("parse")
  .description("offline: classify and extract .eml files, folders of them, Maildir folders or mbox files; no network")
  .argument("<paths...>", ".eml files, folders, Maildir folders or mbox files")
  .option("--json", "print one JSON object per message (source, messageId, isLead, reason, request, evidence)")
  .addOption(configOption())
  .action(async (paths: string[], options: { json?: boolean; config?: string }) => {
    const { parseCliCommand } = await import("./commands/parse-cli.js");
    process.exitCode = await parseCliCommand(paths, options);
  });

program
  .command("check")
  .description("validate the config, sign in to every IMAP mailbox, SuperOffice and SMTP; change nothing")
  .addOption(configOption())
  .action(async (options: { config?: string }) => {
    const { checkCommand } = await import("./commands/check.js");
    process.exitCode = await checkCommand(options);
  });

program
  .command("replay")
  .description("process quarantined or failed messages again, for example after a parser fix")
  .addOption(configOption())
  .addOption(dryRunOption())
  .option("-m, --mailbox <name>", "only this mailbox (default: every mailbox)")
  .addOption(new Option("-o, --outcome <outcome...>", "outcomes to replay").choices(["quarantined", "failed", "incomplete"]).default(["quarantined", "failed"]))
  .option("--id <id...>", "only these journal entry ids (see the replay listing)")
  .option("--list", "list the messages that would be replayed and exit")
  .action(async (options: { config?: string; dryRun?: boolean; mailbox?: string; outcome: string[]; id?: string[]; list?: boolean }) => {
    const { replayCommand } = await import("./commands/replay.js");
    process.exitCode = await replayCommand(options);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its message already; --help and --version end with exit code 0.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.exitCode = reportFatal(error);
  }
}

/**
 * Turn an error that escaped a command into a message and an exit status; the one place that
 * does so. The message goes to stderr as plain text, which reads well at a terminal and in
 * journald alike.
 */
function reportFatal(error: unknown): number {
  if (isLeaddError(error)) {
    process.stderr.write(`leadd: ${error.message}\n`);
    if (error.code === "CONFIG_INVALID" || error.code === "CONFIG_NOT_FOUND") return EXIT.usage;
    if (error.code === "STATE_LOCKED") return EXIT.locked;
    return EXIT.failed;
  }
  process.stderr.write(`leadd: stopped on an unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.failed;
}

async function readVersion(): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const { packageRoot } = await import("../paths.js");
  const text = await readFile(`${packageRoot}/package.json`, "utf8");
  return (JSON.parse(text) as { version: string }).version;
}
