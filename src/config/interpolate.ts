/**
 * Expands the parsed YAML tree before validation: `${NAME}` and `${NAME:-default}` in
 * string values from the environment, and every `xFile` key into `x` with the file's
 * contents. Problems are collected, not thrown, so the loader can report all of them.
 */
import { readFile, stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { type ConfigIssue, type KeyPath, configIssue, formatPath } from "./issues.js";

/** A credential file larger than this is the wrong file (a log, an archive), not a secret. */
export const MAX_SECRET_FILE_BYTES = 1024 * 1024;

/** Keys whose literal value is a secret; used for the readable-config warning. */
const SECRET_VALUE_KEY = /(password|token|secret|ticket|privateKey)$/i;

const FILE_SUFFIX = "File";
const VARIABLE_NAME = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

export interface ExpandOptions {
  env: NodeJS.ProcessEnv;
  /** Folder that relative `…File` paths are resolved against. */
  fileBase: string;
}

export interface ExpandResult {
  value: unknown;
  issues: ConfigIssue[];
  /** Paths of secrets written literally in the file rather than taken from the environment or a file. */
  inlineSecrets: string[];
  /** Resolved key path → "passwordFile /abs/path", to say where a bad value came from. */
  fileSources: Map<string, string>;
  /** Key paths whose value could not be expanded; schema issues there would only repeat the cause. */
  failedPaths: Set<string>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Replaces `${NAME}` and `${NAME:-default}`; `$${` stands for a literal `${`. */
export function interpolate(text: string, env: NodeJS.ProcessEnv): { value: string; problems: string[] } {
  const problems: string[] = [];
  let out = "";
  let position = 0;

  while (position < text.length) {
    const start = text.indexOf("${", position);
    if (start === -1) break;
    if (start > 0 && text[start - 1] === "$") {
      out += text.slice(position, start - 1) + "${";
      position = start + 2;
      continue;
    }
    out += text.slice(position, start);
    const end = text.indexOf("}", start + 2);
    if (end === -1) {
      problems.push(`unclosed "\${" at character ${start + 1}; write $\${ for a literal \${`);
      return { value: out + text.slice(start), problems };
    }
    const reference = text.slice(start + 2, end);
    const match = VARIABLE_NAME.exec(reference);
    if (match === null) {
      problems.push(`invalid reference \${${reference}}; expected \${NAME} or \${NAME:-default}`);
    } else {
      const [, name, fallback] = match as unknown as [string, string, string | undefined];
      const value = env[name];
      if (fallback !== undefined && (value === undefined || value === "")) out += fallback;
      else if (value !== undefined) out += value;
      else problems.push(`environment variable ${name} is not set (referenced as \${${name}}); set it or write \${${name}:-default}`);
    }
    position = end + 1;
  }
  return { value: out + text.slice(position), problems };
}

async function readSecretFile(path: string): Promise<{ value: string } | { problem: string }> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return { problem: `cannot read ${path}: not a regular file` };
    if (info.size > MAX_SECRET_FILE_BYTES) return { problem: `cannot read ${path}: ${info.size} bytes is more than the ${MAX_SECRET_FILE_BYTES} a credential file may have` };
    const text = await readFile(path, "utf8");
    return { value: text.replace(/[\r\n]+$/, "") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    const reason = (error as Error).message.replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "");
    return { problem: `cannot read ${path}: ${code} (${reason})` };
  }
}

export async function expandTree(tree: unknown, options: ExpandOptions): Promise<ExpandResult> {
  const result: ExpandResult = { value: undefined, issues: [], inlineSecrets: [], fileSources: new Map(), failedPaths: new Set() };

  async function visit(node: unknown, keys: KeyPath, parentKey: string | number | undefined): Promise<unknown> {
    if (typeof node === "string") {
      const { value, problems } = interpolate(node, options.env);
      for (const problem of problems) result.issues.push(configIssue(keys, problem));
      if (problems.length > 0) result.failedPaths.add(formatPath(keys));
      if (typeof parentKey === "string" && SECRET_VALUE_KEY.test(parentKey) && !node.includes("${") && node !== "") {
        result.inlineSecrets.push(formatPath(keys));
      }
      return value;
    }
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (const [index, item] of node.entries()) out.push(await visit(item, [...keys, index], index));
      return out;
    }
    if (!isPlainObject(node)) return node;

    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) out[key] = await visit(child, [...keys, key], key);
    // Folder maps are named by the admin, so a key there that ends in "File" is just a name.
    if (parentKey !== "folders") await readFileKeys(out, keys);
    return out;
  }

  async function readFileKeys(object: Record<string, unknown>, keys: KeyPath): Promise<void> {
    for (const key of Object.keys(object)) {
      if (!key.endsWith(FILE_SUFFIX) || key.length === FILE_SUFFIX.length) continue;
      const target = key.slice(0, -FILE_SUFFIX.length);
      const location = [...keys, key];
      const file = object[key];
      delete object[key];
      const fail = (message: string): void => {
        result.issues.push(configIssue(location, message));
        result.failedPaths.add(formatPath([...keys, target]));
      };

      if (file === null || file === undefined) continue;
      if (typeof file !== "string" || file.trim() === "") {
        fail("expected a file path");
        continue;
      }
      if (object[target] !== undefined && object[target] !== null) {
        fail(`set either ${target} or ${key}, not both`);
        continue;
      }
      const base = options.env.CREDENTIALS_DIRECTORY || options.fileBase;
      const path = isAbsolute(file) ? file : resolve(base, file);
      const read = await readSecretFile(path);
      if ("problem" in read) {
        fail(read.problem);
        continue;
      }
      object[target] = read.value;
      result.fileSources.set(formatPath([...keys, target]), `${key} ${path}`);
    }
  }

  result.value = await visit(tree, [], undefined);
  return result;
}
