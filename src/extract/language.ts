import { detect } from "tinyld";

/** The languages leadd reads; tinyld may answer others, which are mapped or dropped. */
const SUPPORTED = ["en", "no", "sv", "da", "de", "nl"];
/** Text sampled for detection; more does not change the answer for an enquiry. */
const SAMPLE_CHARS = 2000;

export const LANGUAGE_NAMES: Record<string, string> = {
  en: "English",
  nb: "Norwegian",
  sv: "Swedish",
  da: "Danish",
  de: "German",
  nl: "Dutch",
};

/** Detects the language of an enquiry text as en, nb, sv, da, de or nl; null when unsure. */
export function detectLanguage(text: string): string | null {
  const sample = text.slice(0, SAMPLE_CHARS).trim();
  if (sample.length < 12) return null;
  const code = detect(sample, { only: SUPPORTED });
  if (!code) return null;
  return code === "no" ? "nb" : code;
}
