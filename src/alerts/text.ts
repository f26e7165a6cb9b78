/** String helpers that never cut a surrogate pair in half (a lone surrogate is invalid UTF-8 on the wire). */

const ELLIPSIS = "…";

/** At most `max` UTF-16 units (OpsGenie counts characters; UTF-16 length is never smaller than that). */
export function truncate(text: string, max: number, marker = ELLIPSIS): string {
  if (text.length <= max) return text;
  if (max <= marker.length) return safeSlice(text, max);
  return safeSlice(text, max - marker.length) + marker;
}

function safeSlice(text: string, end: number): string {
  let cut = Math.max(0, end);
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return text.slice(0, cut);
}

const PRINTABLE_WORDS = /^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/;

/** Printable ASCII only, on one line: SNS subjects reject line breaks and control characters. */
export function printableAscii(text: string): string {
  // Most subjects are already printable words with single spaces: nothing to normalize.
  if (PRINTABLE_WORDS.test(text)) return text;
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[\r\n\t]+/g, " ")
    .replace(/[^\x20-\x7e]/g, "?")
    .replace(/ {2,}/g, " ")
    .trim();
}

/** Control characters (other than newline and tab) become spaces: they are noise in an alert and cost 6 bytes each as JSON. */
export function withoutControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, " ");
}
