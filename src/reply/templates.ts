/**
 * Finds, compiles and renders the Handlebars reply templates:
 * `{templatesDir}/{language}/{outcome}.{role}.{txt,html}.hbs`.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";

import { LeaddError } from "../errors.js";
import type { Outcome } from "../types.js";
import type { ReplyRole } from "./types.js";

/** Every lookup falls back to this template set, which must contain every template used. */
export const FALLBACK_LANGUAGE = "en";

/** Parent folders searched for config/templates: src/reply and dist/src/reply are two and three levels below the package. */
const MAX_PACKAGE_DEPTH = 4;

/** Language codes that detection may return for a template set named differently. */
const LANGUAGE_ALIASES: Record<string, string> = { no: "nb", nn: "nb", nob: "nb", nno: "nb", dk: "da", se: "sv" };

export type TemplateKind = "txt" | "html";

export interface CompiledTemplate {
  path: string;
  render: (context: object) => string;
}

export interface TemplatePair {
  /** The language the templates were found in: the one requested, or the fallback. */
  language: string;
  text: CompiledTemplate;
  /** Null when that language has no HTML template for this outcome and role. */
  html: CompiledTemplate | null;
}

/** Returns the bundled config/templates folder of the installed package. */
export function bundledTemplatesDir(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < MAX_PACKAGE_DEPTH; depth += 1) {
    folder = dirname(folder);
    const candidate = join(folder, "config", "templates");
    if (existsSync(join(candidate, FALLBACK_LANGUAGE))) {
      return candidate;
    }
  }
  throw new LeaddError(
    "CONFIG_INVALID",
    `The bundled reply templates were not found above ${fileURLToPath(import.meta.url)}. Reinstall leadd or set replies.templatesDir.`,
  );
}

/** Lower-cases a language tag and maps its primary subtag to a template set name (`no-NO` → `nb`). */
export function normalizeLanguage(value: string | null | undefined): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  const primary = value.trim().toLowerCase().split(/[-_]/)[0] ?? "";
  if (!/^[a-z]{2,3}$/.test(primary)) {
    return null;
  }
  return LANGUAGE_ALIASES[primary] ?? primary;
}

function compile(path: string, kind: TemplateKind): CompiledTemplate {
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch (error) {
    throw new LeaddError("CONFIG_INVALID", `Reply template ${path} could not be read. Check the file and its permissions.`, {
      cause: error,
      details: { path },
    });
  }

  // One isolated instance per template, so no helper or partial leaks between template sets.
  // Text templates are not HTML-escaped, and HTML templates escape every {{value}}.
  const handlebars = Handlebars.create();
  let template: Handlebars.TemplateDelegate;
  try {
    template = handlebars.compile(source, { strict: true, noEscape: kind === "txt" });
  } catch (error) {
    throw templateError(path, error);
  }

  return {
    path,
    render(context: object): string {
      try {
        return template(context);
      } catch (error) {
        throw templateError(path, error);
      }
    },
  };
}

function templateError(path: string, error: unknown): LeaddError {
  const detail = error instanceof Error ? error.message : String(error);
  return new LeaddError("CONFIG_INVALID", `Reply template ${path} failed to render: ${detail}. Fix the template.`, {
    cause: error,
    details: { path },
  });
}

/** Compiled templates of one templates folder. Files are read once, so edits need a restart. */
export class TemplateStore {
  readonly dir: string;
  private readonly compiled = new Map<string, CompiledTemplate | null>();
  private readonly languageSets = new Map<string, boolean>();

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** True when the folder has a template set for `language`. */
  hasLanguage(language: string): boolean {
    let present = this.languageSets.get(language);
    if (present === undefined) {
      const folder = join(this.dir, language);
      present = existsSync(folder) && statSync(folder).isDirectory();
      this.languageSets.set(language, present);
    }
    return present;
  }

  /** Picks the detected language when a set exists for it, else the default, else the fallback. */
  chooseLanguage(detected: string | null, defaultLanguage: string | null): string {
    for (const candidate of [normalizeLanguage(detected), normalizeLanguage(defaultLanguage)]) {
      if (candidate !== null && this.hasLanguage(candidate)) {
        return candidate;
      }
    }
    return FALLBACK_LANGUAGE;
  }

  /**
   * Returns the text and HTML templates for one outcome and role in `language`, else in
   * the fallback language, or null when neither has the text template. Both come from
   * the same language, so a set without an HTML template sends text only.
   */
  find(outcome: Outcome, role: ReplyRole, language: string): TemplatePair | null {
    const languages = language === FALLBACK_LANGUAGE ? [language] : [language, FALLBACK_LANGUAGE];
    for (const candidate of languages) {
      const text = this.template(this.pathOf(outcome, role, candidate, "txt"), "txt");
      if (text !== null) {
        return { language: candidate, text, html: this.template(this.pathOf(outcome, role, candidate, "html"), "html") };
      }
    }
    return null;
  }

  /** Returns the path a template for this outcome, role, language and kind is read from. */
  pathOf(outcome: Outcome, role: ReplyRole, language: string, kind: TemplateKind): string {
    return join(this.dir, language, `${outcome}.${role}.${kind}.hbs`);
  }

  private template(path: string, kind: TemplateKind): CompiledTemplate | null {
    let template = this.compiled.get(path);
    if (template === undefined) {
      template = existsSync(path) ? compile(path, kind) : null;
      this.compiled.set(path, template);
    }
    return template;
  }
}

const stores = new Map<string, TemplateStore>();
let bundledDir: string | undefined;

/** Returns the cached store for `templatesDir`, or for the bundled templates when it is null. */
export function templateStoreFor(templatesDir: string | null): TemplateStore {
  const dir = resolve(templatesDir ?? (bundledDir ??= bundledTemplatesDir()));
  let store = stores.get(dir);
  if (store === undefined) {
    store = new TemplateStore(dir);
    stores.set(dir, store);
  }
  return store;
}
