import { EXIT, isLeaddError } from "../../errors.js";
import { buildRuntime, smtpOptions } from "../../daemon/build-runtime.js";
import { createReplySender } from "../../reply/send.js";
import { setUp } from "./setup.js";

/**
 * `leadd check`: validate the config, then sign in to every mailbox, SuperOffice and SMTP
 * server without changing anything. Prints one line per step; exit 0 when every step passed.
 */
export async function checkCommand(options: { config?: string }): Promise<number> {
  const { config, configPath, log } = await setUp(options.config, process.stderr);
  const out = (text: string) => process.stdout.write(`${text}\n`);
  out(`ok      config ${configPath}`);

  // A dry-run runtime never writes: the journal is a scratch copy and mailbox writes are only reported.
  const built = await buildRuntime(config, log, { dryRun: true, reportTo: devNull() });
  let failures = 0;
  const step = async (name: string, action: () => Promise<void>) => {
    try {
      await action();
      out(`ok      ${name}`);
    } catch (error) {
      failures++;
      const message = isLeaddError(error) ? error.message : (error as Error).message;
      out(`FAILED  ${name}: ${message}`);
    }
  };

  try {
    // Tokens first: when one is refused, its own line says so before the logins that need it fail.
    for (const { name, provider } of built.tokenProviders) {
      await step(`OAuth token for ${name} (${provider.describe()})`, async () => {
        await provider.getAccessToken();
      });
    }
    for (const mb of built.runtime.mailboxes) {
      await step(`mailbox ${mb.name}: sign in and open ${mb.folders.join(", ")}`, async () => {
        await mb.mailbox.connect();
        try {
          for (const folder of mb.folders) await mb.mailbox.listPending(folder, []);
        } finally {
          await mb.mailbox.close();
        }
      });
    }

    const { SuperOfficeClient } = await import("../../crm/client.js");
    const crm = new SuperOfficeClient(config.superoffice, log.child({ component: "crm" }));
    await step(`SuperOffice ${config.superoffice.url} (${config.superoffice.auth.type})`, () => crm.check());

    for (const [index, mailbox] of config.mailboxes.entries()) {
      const smtp = mailbox.replies?.smtp;
      if (!smtp) continue;
      await step(`SMTP ${smtp.host}:${smtp.port} for mailbox ${mailbox.name}`, async () => {
        const smtpLog = log.child({ mailbox: mailbox.name, configPath: `mailboxes[${index}].replies.smtp` });
        const sender = createReplySender(smtpOptions(mailbox, index, smtpLog, []), smtpLog);
        await sender.verify();
      });
    }
  } finally {
    await built.close();
  }
  out(failures === 0 ? "all checks passed" : `${failures} check(s) failed`);
  return failures === 0 ? EXIT.ok : EXIT.failed;
}

function devNull(): NodeJS.WritableStream {
  return { write: () => true } as unknown as NodeJS.WritableStream;
}
