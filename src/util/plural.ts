/** `1 rule`, `2 rules`, `0 rules`: a count with its noun, for every message that counts something. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
