/**
 * A real Dovecot IMAP server for integration tests, on 127.0.0.1 and a free port, with its
 * own configuration, Maildir and log in a temporary folder. Needs Debian's dovecot-imapd
 * and root, because the master process switches to uid 65534 for the mail processes.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect as connectTcp } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import { inject } from "vitest";
import { getFreePort } from "./ports.js";

const execFileAsync = promisify(execFile);

export const DOVECOT_BINARY = "/usr/sbin/dovecot";
const DOVEADM_BINARY = "/usr/bin/doveadm";

/** Owner of the Maildir: Debian's `nobody`, so the mail processes never run as root. */
const MAIL_UID = 65534;
const MAIL_GID = 65534;

/** Dovecot needs well under a second to bind its listeners; a loaded CI machine may be slower. */
const START_TIMEOUT_MS = 15_000;
/** The master stops its child processes before it exits on SIGTERM. */
const STOP_TIMEOUT_MS = 10_000;
/** Another process can take the free port between the probe and Dovecot's bind. */
const START_ATTEMPTS = 3;

/**
 * Runs the Dovecot master in the foreground, sends it SIGTERM once stdin reaches end of file,
 * and exits when the master exits. Arguments: $1 the binary, $2 the config file.
 */
const SUPERVISOR_SCRIPT =
  // A background job's stdin is /dev/null in sh, so the watcher reads the pipe through fd 3.
  'exec 3<&0; "$1" -F -c "$2" 3<&- & master=$!; (cat <&3 >/dev/null; kill -TERM "$master" 2>/dev/null) & exec 3<&-; wait "$master"';

export interface DovecotOptions {
  user?: string;
  password?: string;
  /** Listen with implicit TLS and a self-signed certificate instead of plain IMAP. */
  tls?: boolean;
  /** Offer STARTTLS with a self-signed certificate on the plain IMAP listener. */
  starttls?: boolean;
  /**
   * Also accept XOAUTH2 and OAUTHBEARER logins, checking each token with a POST to this
   * RFC 7662 introspection URL (on 127.0.0.1), which must return {"active": true, "username": ...}.
   */
  oauth2IntrospectionUrl?: string;
}

export interface StoredMessage {
  uid: number;
  flags: string[];
  messageId: string | null;
}

export interface DovecotServer {
  readonly host: string;
  readonly port: number;
  /** True when the listener speaks implicit TLS (option `tls`). */
  readonly secure: boolean;
  readonly user: string;
  readonly password: string;
  /** Temporary folder with the configuration, log and Maildir. */
  readonly dir: string;
  stop(): Promise<void>;
  /** Stops and starts Dovecot on the same port, which drops every client connection. */
  restart(): Promise<void>;
  /** Disconnects every session of the test user (`doveadm kick`). */
  kickConnections(): Promise<void>;
  /** Creates a folder and its parents; `path` uses "/" between levels, as leadd's config does. */
  createFolder(path: string): Promise<void>;
  /** Appends a message and returns its UID. */
  appendMessage(folder: string, raw: Buffer | string, flags?: string[]): Promise<number>;
  listMessages(folder: string): Promise<StoredMessage[]>;
  /** Expunges one message, as another mail client deleting it would. */
  expungeMessage(folder: string, uid: number): Promise<void>;
  /** Deletes a folder with its messages; recreating it gives it a new UIDVALIDITY. */
  deleteFolder(path: string): Promise<void>;
  /** Dovecot's own log, to print when a test fails. */
  readLog(): Promise<string>;
}

/**
 * Installs dovecot-imapd when it is missing and this process may do so. Returns null when
 * Dovecot can be used, else the reason the IMAP integration tests have to be skipped.
 */
export async function ensureDovecot(): Promise<string | null> {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    return (
      "the IMAP integration tests start Dovecot, which has to run as root here " +
      "(its mail processes switch to uid 65534); run the tests as root, e.g. in the CI container"
    );
  }
  if (existsSync(DOVECOT_BINARY)) {
    return null;
  }
  try {
    await execFileAsync("apt-get", ["update"], { maxBuffer: 16 * 1024 * 1024 });
    await execFileAsync("apt-get", ["install", "-y", "dovecot-imapd"], {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const output = error instanceof Error && "stderr" in error ? String(error.stderr).trim().slice(-800) : String(error);
    return `${DOVECOT_BINARY} is missing and "apt-get install -y dovecot-imapd" failed: ${output}`;
  }
  if (!existsSync(DOVECOT_BINARY)) {
    return `apt-get installed dovecot-imapd, but ${DOVECOT_BINARY} is still missing`;
  }
  return null;
}

/** Prints a banner of exclamation marks around the reason, so a skipped suite is hard to miss in the output. */
export function warnLoudly(title: string, reason: string): void {
  const line = "!".repeat(78);
  console.warn(`\n${line}\n!! ${title}\n!! ${reason}\n${line}\n`);
}

function renderOauth2Passdb(dir: string, introspectionUrl: string | undefined): string {
  if (introspectionUrl === undefined) {
    return "";
  }
  return `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${dir}/oauth2.conf.ext
}
`;
}

function renderOauth2Config(introspectionUrl: string): string {
  return `introspection_mode = post
introspection_url = ${introspectionUrl}
username_attribute = username
active_attribute = active
active_value = true
`;
}

function renderConfig(dir: string, port: number, tls: boolean, starttls: boolean, introspectionUrl: string | undefined): string {
  const listeners = tls
    ? `  inet_listener imap {\n    port = 0\n  }\n  inet_listener imaps {\n    address = 127.0.0.1\n    port = ${port}\n    ssl = yes\n  }`
    : `  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }\n  inet_listener imaps {\n    port = 0\n  }`;
  const certificate = `ssl_cert = <${dir}/cert.pem\nssl_key = <${dir}/key.pem`;
  let ssl = "ssl = no";
  if (tls) {
    ssl = `ssl = required\n${certificate}`;
  } else if (starttls) {
    ssl = `ssl = yes\n${certificate}`;
  }
  return `# Generated by test/support/dovecot.ts for one test server.
protocols = imap
listen = 127.0.0.1
instance_name = leadd-test-${port}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
first_valid_uid = 0
auth_mechanisms = plain login${introspectionUrl === undefined ? "" : " xoauth2 oauthbearer"}
disable_plaintext_auth = no
${ssl}
mail_location = maildir:~/Maildir
${renderOauth2Passdb(dir, introspectionUrl)}passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${MAIL_UID} gid=${MAIL_GID} home=${dir}/home/%u
}
service imap-login {
  chroot =
${listeners}
}
service anvil {
  chroot =
}
protocol imap {
  # Tests open several connections for one user at once.
  mail_max_userip_connections = 50
}
`;
}

async function writeCertificate(dir: string): Promise<void> {
  await execFileAsync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes",
    "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
    "-days", "2", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ]);
}

/** Resolves once something accepts TCP connections on the port. */
async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function readLogTail(dir: string): Promise<string> {
  try {
    return (await readFile(join(dir, "dovecot.log"), "utf8")).trim().split("\n").slice(-15).join("\n");
  } catch {
    return "(no log written)";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts the master in the foreground and waits until the listener accepts connections. */
async function spawnDovecot(dir: string, port: number): Promise<ChildProcess> {
  // The shell stops Dovecot when its stdin closes, which happens when stop() ends it and also
  // when this process dies in any way, a SIGKILL included, so no Dovecot outlives the test run.
  const child = spawn("/bin/sh", ["-c", SUPERVISOR_SCRIPT, "dovecot-supervisor", DOVECOT_BINARY, join(dir, "dovecot.conf")], {
    stdio: ["pipe", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) {
      child.stdin?.end();
      throw new Error(`Dovecot exited while starting on port ${port}: ${stderr.trim()}\n${await readLogTail(dir)}`);
    }
    if (await canConnect(port)) {
      return child;
    }
    await sleep(50);
  }
  await stopChild(child);
  throw new Error(`Dovecot did not listen on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms\n${await readLogTail(dir)}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Starts Dovecot with a fresh Maildir; call `stop()` in afterAll. */
export async function startDovecot(options: DovecotOptions = {}): Promise<DovecotServer> {
  const user = options.user ?? "leads@example.com";
  const password = options.password ?? "imap-test-password";
  const tls = options.tls ?? false;
  const starttls = options.starttls ?? false;
  if (/[:\s]/.test(user) || /[:\s]/.test(password)) {
    throw new Error("Dovecot test user and password must not contain ':' or white space (passwd-file format)");
  }

  const dir = await mkdtemp(join(tmpdir(), "leadd-dovecot-"));
  // mkdtemp makes a 0700 folder; the mail processes run as uid 65534 and must reach the Maildir.
  await chmod(dir, 0o755);
  for (const sub of ["run", "state", "home"]) {
    await mkdir(join(dir, sub));
  }
  await chown(join(dir, "home"), MAIL_UID, MAIL_GID);
  // Dovecot's auth process runs as the `dovecot` user and must read the file.
  await writeFile(join(dir, "users"), `${user}:{PLAIN}${password}::::::\n`, { mode: 0o644 });
  if (tls || starttls) {
    await writeCertificate(dir);
  }
  if (options.oauth2IntrospectionUrl !== undefined) {
    await writeFile(join(dir, "oauth2.conf.ext"), renderOauth2Config(options.oauth2IntrospectionUrl), { mode: 0o644 });
  }

  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 1; child === undefined; attempt++) {
    port = await getFreePort();
    await writeFile(join(dir, "dovecot.conf"), renderConfig(dir, port, tls, starttls, options.oauth2IntrospectionUrl));
    try {
      child = await spawnDovecot(dir, port);
    } catch (error) {
      if (attempt >= START_ATTEMPTS) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  const confPath = join(dir, "dovecot.conf");
  let current: ChildProcess | undefined = child;

  const withClient = async <T>(work: (client: ImapFlow) => Promise<T>): Promise<T> => {
    const client = new ImapFlow({
      host: "127.0.0.1",
      port,
      secure: tls,
      auth: { user, pass: password },
      tls: { rejectUnauthorized: false },
      logger: false,
      disableAutoIdle: true,
    });
    client.on("error", () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };

  const server: DovecotServer = {
    host: "127.0.0.1",
    port,
    secure: tls,
    user,
    password,
    dir,

    async stop() {
      if (current !== undefined) {
        await server.kickConnections().catch(() => undefined);
        await stopChild(current);
        current = undefined;
      }
      await rm(dir, { recursive: true, force: true });
    },

    async restart() {
      if (current !== undefined) {
        // Dovecot 2.3 leaves running imap sessions alone when the master stops, so the
        // sessions are ended first, as a real server restart would.
        await server.kickConnections();
        await stopChild(current);
      }
      current = await spawnDovecot(dir, port);
    },

    async kickConnections() {
      try {
        await execFileAsync(DOVEADM_BINARY, ["-c", confPath, "kick", user]);
      } catch (error) {
        // doveadm exits with 68 (EX_NOUSER) when the user had no session to kick.
        if (!(error instanceof Error && "code" in error && error.code === 68)) {
          throw error;
        }
      }
    },

    async createFolder(path) {
      await withClient(async (client) => {
        const parts = path.split("/");
        for (let depth = 1; depth <= parts.length; depth++) {
          await client.mailboxCreate(parts.slice(0, depth));
        }
      });
    },

    async appendMessage(folder, raw, flags = []) {
      return withClient(async (client) => {
        const result = await client.append(folder.split("/"), typeof raw === "string" ? Buffer.from(raw) : raw, flags);
        if (result === false || result.uid === undefined) {
          throw new Error(`APPEND to ${folder} returned no UID (is UIDPLUS off?)`);
        }
        return result.uid;
      });
    },

    async listMessages(folder) {
      return withClient(async (client) => {
        const lock = await client.getMailboxLock(folder.split("/"));
        try {
          if (client.mailbox === false || client.mailbox.exists === 0) {
            return [];
          }
          const messages = await client.fetchAll("1:*", { uid: true, flags: true, envelope: true });
          return messages.map((message) => ({
            uid: message.uid,
            // \Recent belongs to the session that first saw the message, not to the message.
            flags: [...(message.flags ?? [])].filter((flag) => flag !== "\\Recent").sort(),
            messageId: message.envelope?.messageId ?? null,
          }));
        } finally {
          lock.release();
        }
      });
    },

    async expungeMessage(folder, uid) {
      await withClient(async (client) => {
        const lock = await client.getMailboxLock(folder.split("/"));
        try {
          await client.messageDelete(String(uid), { uid: true });
        } finally {
          lock.release();
        }
      });
    },

    async deleteFolder(path) {
      await withClient(async (client) => {
        await client.mailboxDelete(path.split("/"));
      });
    },

    async readLog() {
      return readFile(join(dir, "dovecot.log"), "utf8").catch(() => "");
    },
  };
  return server;
}

/**
 * Returns why the Dovecot tests must be skipped, or null. Uses the global setup's verdict;
 * without it (a config that has no global setup) it checks the binary and root itself.
 */
export function dovecotSkipReason(): string | null {
  let reason: string | null | undefined;
  try {
    reason = inject("dovecotUnavailable");
  } catch {
    reason = undefined;
  }
  if (reason === undefined) {
    if (process.getuid?.() !== 0) {
      reason = "the IMAP integration tests start Dovecot, which has to run as root here";
    } else if (!existsSync(DOVECOT_BINARY)) {
      reason = `${DOVECOT_BINARY} is missing; install dovecot-imapd`;
    } else {
      reason = null;
    }
  }
  if (reason !== null) {
    warnLoudly("IMAP INTEGRATION TESTS SKIPPED", reason);
  }
  return reason;
}
