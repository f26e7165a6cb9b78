/** RFC 6901 JSON pointers: the one representation of "where in the document" that every layer shares. */

export type PathSegment = string | number;

function escapeSegment(segment: PathSegment): string {
  return String(segment).replace(/~/g, "~0").replace(/\//g, "~1");
}

export function toPointer(path: readonly PathSegment[]): string {
  return path.length === 0 ? "" : "/" + path.map(escapeSegment).join("/");
}

export function fromPointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Appends segments to an existing pointer. */
export function childPointer(pointer: string, ...segments: PathSegment[]): string {
  return pointer + toPointer(segments);
}
