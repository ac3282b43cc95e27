import { compile } from "html-to-text";

/**
 * HTML to plain text for analysis. Table cells in one row are joined with ": " so that
 * form notifications laid out as two-column tables read as "Label: value" lines.
 * Block quotes get "> " prefixes, so quoted history stays recognisable.
 */
const convert = compile({
  wordwrap: false,
  preserveNewlines: false,
  selectors: [
    { selector: "a", options: { ignoreHref: true } },
    { selector: "img", format: "skip" },
    { selector: "style", format: "skip" },
    { selector: "script", format: "skip" },
    { selector: "head", format: "skip" },
    { selector: "table", format: "block" },
    { selector: "tbody", format: "block" },
    { selector: "thead", format: "block" },
    { selector: "tr", format: "block" },
    { selector: "td", format: "inline" },
    { selector: "th", format: "inline" },
    { selector: "h1", options: { uppercase: false } },
    { selector: "h2", options: { uppercase: false } },
    { selector: "h3", options: { uppercase: false } },
    { selector: "p", options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: "hr", format: "blockString", options: { string: "________________________________" } },
  ],
  limits: { maxInputLength: 1024 * 1024, maxDepth: 64, maxChildNodes: 10000 },
});

const CELL_BOUNDARY = /<\/t([dh])>(\s*)<t[dh]\b/gi;
const OUTLOOK_HEADER_DIV = /<div\s+style=["'][^"'>]{0,200}border-top:\s*solid[^>]{0,300}>/gi;

export function htmlToText(html: string): string {
  const prepared = html
    .replace(CELL_BOUNDARY, (_match, cell: string, space: string) => `: </t${cell}>${space}<t${cell}`)
    .replace(OUTLOOK_HEADER_DIV, (match) => `<p>________________________________</p>${match}`);
  return convert(prepared).replace(/:\s*:\s/g, ": ");
}
