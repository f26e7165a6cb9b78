/**
 * Messages carry text from untrusted inputs (resource ids, CloudTrail request values). On a terminal a
 * stray ESC could rewrite the screen and a newline could forge a finding line, so line-oriented
 * formats pass text through `oneLine` first. Bidirectional overrides are dropped for the same reason.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g;

export function oneLine(text: string): string {
  return text.replace(CONTROL_OR_BIDI, " ").trim();
}
