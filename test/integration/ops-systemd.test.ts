import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { SHUTDOWN_GRACE_MS } from "../../src/daemon/scheduler.js";

const UNIT_PATH = join(import.meta.dirname, "../../deploy/leadd.service");
const unit = readFileSync(UNIT_PATH, "utf8");

/** Returns the value of the first active `Key=` line of the unit. */
function setting(key: string): string | undefined {
  return unit
    .split("\n")
    .find((line) => line.startsWith(`${key}=`))
    ?.slice(key.length + 1);
}

const hasSystemdAnalyze = (() => {
  try {
    execFileSync("systemd-analyze", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("leadd.service settings", () => {
  it("stops later than the shutdown grace", () => {
    const timeout = setting("TimeoutStopSec");
    expect(timeout).toMatch(/^\d+s$/);
    expect(Number.parseInt(timeout ?? "0", 10) * 1000).toBeGreaterThan(SHUTDOWN_GRACE_MS);
  });

  it("uses notify with NotifyAccess=all", () => {
    expect(setting("Type")).toBe("notify");
    // Messages come from a systemd-notify child process, not from the main PID.
    expect(setting("NotifyAccess")).toBe("all");
  });

  it("runs the documented command", () => {
    expect(setting("ExecStart")).toBe("/usr/bin/leadd run -c /etc/leadd/leadd.yaml");
    expect(setting("StateDirectory")).toBe("leadd");
  });

  it("keeps the sandbox settings", () => {
    expect(setting("ProtectSystem")).toBe("strict");
    expect(setting("ProtectHome")).toBe("yes");
    expect(setting("NoNewPrivileges")).toBe("yes");
    expect(setting("CapabilityBoundingSet")).toBe("");
    expect(setting("RestrictAddressFamilies")).toBe("AF_INET AF_INET6 AF_UNIX");
    expect(setting("SystemCallFilter")).toBe("@system-service");
    expect(setting("MemoryDenyWriteExecute")).toBeUndefined();
  });
});

describe.skipIf(!hasSystemdAnalyze)("leadd.service verify (needs systemd-analyze)", () => {
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "leadd-unit-"));
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it("passes systemd-analyze verify", () => {
    // verify checks that ExecStart= is executable, so a stub stands in for the installed leadd.
    const stub = join(folder, "leadd");
    writeFileSync(stub, "#!/bin/sh\nexit 0\n");
    chmodSync(stub, 0o755);
    const unitFile = join(folder, "leadd.service");
    writeFileSync(unitFile, unit.replace("ExecStart=/usr/bin/leadd", `ExecStart=${stub}`));

    const result = spawnSync("systemd-analyze", ["verify", unitFile], { encoding: "utf8" });
    // verify exits 0 even for unknown keys, so its warnings on stderr count as failures.
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });
});
