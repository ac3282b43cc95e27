/**
 * Finds, reads, expands and validates the config file. Every problem (YAML syntax,
 * environment variables, credential files, schema) is collected and thrown as one
 * LeaddError CONFIG_INVALID that lists them all, one per line.
 */
import { readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { LeaddError } from "../errors.js";
import { expandTree } from "./interpolate.js";
import { type ConfigIssue, configIssue, formatIssueLine } from "./issues.js";
import type { LeaddConfig } from "./schema.js";
import { validateConfig } from "./validate.js";

/** Config paths tried in order when neither `-c FILE` nor LEADD_CONFIG names a file. */
export const DEFAULT_CONFIG_PATHS = ["/etc/leadd/leadd.yaml", "./config/leadd.yaml"] as const;

/** YAML aliases may expand to at most this many nodes, which stops "billion laughs" files. */
const MAX_ALIAS_COUNT = 100;

/** One YAML syntax error tends to cause a cascade of follow-on errors; the first few locate it. */
const MAX_YAML_ERRORS = 5;

/** Group-read and other-read permission bits. */
const READABLE_BY_OTHERS = 0o044;

export interface LoadedConfig {
  config: LeaddConfig;
  /** Absolute path of the file that was read. */
  path: string;
  /** Problems that do not stop leadd; the caller logs them. */
  warnings: string[];
}

/**
 * Returns the config file path by the lookup order `-c FILE`, LEADD_CONFIG, then the
 * default paths. Throws CONFIG_NOT_FOUND listing the paths tried.
 */
export async function findConfigFile(
  explicitPath: string | undefined,
  env: NodeJS.ProcessEnv,
  defaultPaths: readonly string[] = DEFAULT_CONFIG_PATHS,
): Promise<string> {
  const named = explicitPath ?? (env.LEADD_CONFIG || undefined);
  const candidates = named === undefined ? defaultPaths : [named];
  const tried: string[] = [];

  for (const candidate of candidates) {
    const path = resolve(candidate);
    tried.push(path);
    try {
      await stat(path);
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new LeaddError("CONFIG_INVALID", `Cannot read config file ${path}: ${(error as Error).message}`, { cause: error });
      }
    }
  }

  let source = "";
  if (explicitPath !== undefined) source = " (given with -c)";
  else if (named !== undefined) source = " (from LEADD_CONFIG)";
  throw new LeaddError(
    "CONFIG_NOT_FOUND",
    `No config file found${source}; tried ${tried.join(", ")}. Pass -c FILE, set LEADD_CONFIG, or start from config/leadd.example.yaml.`,
    { details: { tried } },
  );
}

function parseYaml(text: string, path: string): { tree: unknown; issues: ConfigIssue[] } {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge: true });
  const issues: ConfigIssue[] = document.errors.slice(0, MAX_YAML_ERRORS).map((error) => {
    const position = error.linePos?.[0];
    const where = position === undefined ? path : `${path}:${position.line}:${position.col}`;
    // prettyErrors appends the position and a source excerpt; the location is already in `where`.
    const message = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    return { path: where, message: `invalid YAML: ${message}`, keys: [] };
  });
  if (document.errors.length > MAX_YAML_ERRORS) {
    issues.push({ path, message: `${document.errors.length - MAX_YAML_ERRORS} more YAML errors, probably caused by the first`, keys: [] });
  }
  if (issues.length > 0) return { tree: undefined, issues };

  try {
    const tree: unknown = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    if (tree === null || tree === undefined) return { tree, issues: [{ path, message: "the file is empty; start from config/leadd.example.yaml", keys: [] }] };
    if (typeof tree !== "object" || Array.isArray(tree)) return { tree, issues: [configIssue([], "expected a mapping of keys at the top level")] };
    return { tree, issues: [] };
  } catch (error) {
    return { tree: undefined, issues: [{ path, message: `invalid YAML: ${(error as Error).message}`, keys: [] }] };
  }
}

/** Lists every `tlsRejectUnauthorized: false` in the expanded tree by key path. */
function findTlsOff(node: unknown, path: string, found: string[]): string[] {
  if (Array.isArray(node)) node.forEach((item, index) => findTlsOff(item, `${path}[${index}]`, found));
  else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      const keyPath = path === "" ? key : `${path}.${key}`;
      if (key === "tlsRejectUnauthorized" && (value === false || value === "false")) found.push(keyPath);
      else findTlsOff(value, keyPath, found);
    }
  }
  return found;
}

/**
 * Loads the config: lookup (`-c FILE`, LEADD_CONFIG, /etc/leadd/leadd.yaml,
 * ./config/leadd.yaml), YAML, `${NAME}` interpolation, `…File` keys, validation.
 */
export async function loadConfig(
  explicitPath?: string,
  env: NodeJS.ProcessEnv = process.env,
  defaultPaths: readonly string[] = DEFAULT_CONFIG_PATHS,
): Promise<LoadedConfig> {
  const path = await findConfigFile(explicitPath, env, defaultPaths);
  let text: string;
  let mode: number;
  try {
    text = await readFile(path, "utf8");
    mode = (await stat(path)).mode;
  } catch (error) {
    throw new LeaddError("CONFIG_INVALID", `Cannot read config file ${path}: ${(error as Error).message}`, { cause: error });
  }

  const parsed = parseYaml(text, path);
  if (parsed.issues.length > 0) throw invalid(path, parsed.issues);

  const baseDir = dirname(path);
  const expanded = await expandTree(parsed.tree, { env, fileBase: baseDir });
  const validated = validateConfig(expanded.value, baseDir);
  const schemaIssues = validated.issues.filter((issue) => !expanded.failedPaths.has(issue.path));
  const issues = [...expanded.issues, ...schemaIssues].map((issue) => {
    const source = expanded.fileSources.get(issue.path);
    return source === undefined ? issue : { ...issue, message: `${issue.message} (read from ${source})` };
  });
  if (issues.length > 0 || validated.config === undefined) throw invalid(path, issues);

  const warnings: string[] = [];
  if (expanded.inlineSecrets.length > 0 && (mode & READABLE_BY_OTHERS) !== 0) {
    warnings.push(
      `Config file ${path} contains secrets written inline (${expanded.inlineSecrets.join(", ")}) and is readable by group or others ` +
        `(mode ${(mode & 0o777).toString(8).padStart(4, "0")}); run chmod 600 ${path}, or take the secrets from \${NAME} variables or …File keys.`,
    );
  }
  for (const key of findTlsOff(expanded.value, "", [])) {
    warnings.push(`${key} is false: leadd accepts any TLS certificate for this server, so the connection can be intercepted. Use it only for tests.`);
  }
  return { config: validated.config, path, warnings };
}

function invalid(path: string, issues: ConfigIssue[]): LeaddError {
  const lines = issues.map(formatIssueLine);
  return new LeaddError("CONFIG_INVALID", `Config file ${path} is invalid (${lines.length} ${lines.length === 1 ? "error" : "errors"}):\n${lines.map((line) => `  ${line}`).join("\n")}`, {
    details: { path, errors: lines },
  });
}
