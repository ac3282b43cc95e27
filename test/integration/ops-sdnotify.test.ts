import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { SystemdNotifier } from "../../src/ops/sdnotify.js";

/**
 * A NOTIFY_SOCKET stand-in: a unix datagram socket that prints each message on one line
 * (newlines as `|`) and closes the file descriptors systemd-notify passes for its barrier,
 * as PID 1 does, so that systemd-notify returns.
 */
const LISTENER = `
import array, os, socket, sys
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sys.argv[1])
print("listening", flush=True)
while True:
    data, ancillary, flags, address = sock.recvmsg(65536, socket.CMSG_SPACE(64 * 4))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            for fd in fds:
                os.close(fd)
    print(data.decode().replace("\\n", "|"), flush=True)
`;

function hasCommand(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const hasTools = hasCommand("python3", ["--version"]) && hasCommand("systemd-notify", ["--version"]);

function capture() {
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: "trace" }, { write: (text: string) => lines.push(JSON.parse(text)) });
  return { log, lines };
}

describe("SystemdNotifier without NOTIFY_SOCKET", () => {
  it("does nothing", async () => {
    const { log, lines } = capture();
    const notifier = new SystemdNotifier(log, { env: {}, command: "/nonexistent/systemd-notify" });
    expect(notifier.enabled).toBe(false);
    expect(await notifier.ready("started")).toBe(false);
    expect(notifier.watchdogIntervalMs()).toBeNull();
    expect(lines).toEqual([]);
  });

  it("reports a missing systemd-notify once", async () => {
    const { log, lines } = capture();
    const notifier = new SystemdNotifier(log, { env: { NOTIFY_SOCKET: "/run/none" }, command: "/nonexistent/systemd-notify" });
    expect(await notifier.ready()).toBe(false);
    expect(await notifier.status("idle")).toBe(false);
    const errors = lines.filter((line) => line.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toContain("systemd-notify was not found");
  });

  it("derives the watchdog interval", () => {
    const { log } = capture();
    const env = { NOTIFY_SOCKET: "/run/x", WATCHDOG_USEC: "120000000" };
    expect(new SystemdNotifier(log, { env }).watchdogIntervalMs()).toBe(60_000);
    expect(new SystemdNotifier(log, { env: { ...env, WATCHDOG_PID: "1" }, pid: 4242 }).watchdogIntervalMs()).toBeNull();
    expect(new SystemdNotifier(log, { env: { ...env, WATCHDOG_PID: "4242" }, pid: 4242 }).watchdogIntervalMs()).toBe(60_000);
    expect(new SystemdNotifier(log, { env: { NOTIFY_SOCKET: "/run/x" } }).watchdogIntervalMs()).toBeNull();
  });
});

describe.skipIf(!hasTools)("SystemdNotifier over a unix socket (needs python3 and systemd-notify)", () => {
  let folder: string;
  let socketPath: string;
  let listener: ChildProcess;
  let received: string[];
  let waiters: Array<() => void>;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), "leadd-notify-"));
    socketPath = join(folder, "notify.sock");
    received = [];
    waiters = [];
    listener = spawn("python3", ["-c", LISTENER, socketPath], { stdio: ["ignore", "pipe", "inherit"] });
    const lines = createInterface({ input: listener.stdout! });
    await new Promise<void>((resolve) => {
      lines.on("line", (line) => {
        if (line === "listening") {
          resolve();
          return;
        }
        received.push(line);
        waiters.splice(0).forEach((wake) => wake());
      });
    });
  });

  afterEach(() => {
    listener.kill();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Waits until `count` non-barrier messages arrived; the test timeout catches a hang. */
  async function messages(count: number): Promise<string[]> {
    const payload = () => received.filter((message) => message !== "BARRIER=1");
    while (payload().length < count) {
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    return payload();
  }

  it("sends READY, STATUS and STOPPING in order", async () => {
    const { log } = capture();
    const notifier = new SystemdNotifier(log, { env: { ...process.env, NOTIFY_SOCKET: socketPath } });

    expect(await notifier.ready("polling 2 mailboxes")).toBe(true);
    expect(await notifier.status("cycle done:\n3 created")).toBe(true);
    expect(await notifier.stopping()).toBe(true);

    const sent = await messages(3);
    expect(sent[0]).toBe("READY=1|STATUS=polling 2 mailboxes");
    expect(sent[1]).toBe("STATUS=cycle done: 3 created");
    expect(sent[2]).toBe("STOPPING=1");
  });

  it("pings the watchdog", async () => {
    const { log } = capture();
    const notifier = new SystemdNotifier(log, { env: { ...process.env, NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: "200000" } });

    notifier.startWatchdog();
    const sent = await messages(2);
    notifier.stopWatchdog();
    expect(sent.slice(0, 2)).toEqual(["WATCHDOG=1", "WATCHDOG=1"]);
  });
});
