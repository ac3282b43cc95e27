import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { LeaddError } from "../errors.js";

/**
 * Hold an exclusive SQLite lock on `<state>.lock` for the life of the process, so a second
 * `leadd run` or `once` on the same state refuses to start. The operating system drops the
 * lock when the process dies, even by kill -9, so no stale lock file is ever left behind.
 */
export class InstanceLock {
  private db: Database.Database | null;

  private constructor(db: Database.Database) {
    this.db = db;
  }

  static acquire(statePath: string): InstanceLock {
    const lockPath = `${statePath}.lock`;
    let db: Database.Database | null = null;
    try {
      mkdirSync(dirname(lockPath), { recursive: true });
      db = new Database(lockPath, { timeout: 0 });
      db.pragma("locking_mode = EXCLUSIVE");
      db.exec("CREATE TABLE IF NOT EXISTS holder (pid INTEGER)");
      db.exec("BEGIN EXCLUSIVE");
      db.prepare("DELETE FROM holder").run();
      db.prepare("INSERT INTO holder (pid) VALUES (?)").run(process.pid);
      return new InstanceLock(db);
    } catch (error) {
      db?.close();
      if ((error as { code?: string }).code === "SQLITE_BUSY") {
        throw new LeaddError("STATE_LOCKED", `Another leadd process is using the state at ${statePath}. Stop it first (systemctl stop leadd), or give this run its own "state" path.`, { cause: error, details: { lockPath } });
      }
      throw new LeaddError("STATE_FAILED", `Cannot create the lock file ${lockPath}: ${(error as Error).message}. Check that the state folder is writable.`, { cause: error, details: { lockPath } });
    }
  }

  release(): void {
    if (!this.db) return;
    try {
      this.db.exec("ROLLBACK");
    } finally {
      this.db.close();
      this.db = null;
    }
  }
}
