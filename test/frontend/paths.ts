// Files of the repository, for tests that read texts or fixtures (tests run from the repository root).
import path from "node:path";

export function repoFile(...parts: string[]): string {
  return path.join(process.cwd(), ...parts);
}
