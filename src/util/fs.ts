import { statSync } from "node:fs";

/** Whether `file` is a regular file (following links); false for anything missing or unreadable. */
export function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Whether `dir` is a directory (following links); false for anything missing or unreadable. */
export function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
