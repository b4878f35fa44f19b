// Waiting for a part of the stack to be ready: polled checks that fail the start when the part dies
// first, takes too long, or the stack is asked to stop meanwhile.
import { readFileSync } from "node:fs";

import { indexerHealth } from "./health.ts";
import type { Supervised } from "./processes.ts";

export class StartError extends Error {
  override name = "StartError";
}
/** Start-up was cut short by a stop request. */
export class StartAborted extends Error {
  override name = "StartAborted";
}

/** The part being waited for: its name in messages, its process once started, and its log. */
export type AwaitedPart = {
  label: string;
  child: () => Supervised | undefined;
  logFile: string;
  stopping: () => boolean;
};

export function checkStop(stopping: () => boolean): void {
  if (stopping()) throw new StartAborted("stopped during start-up");
}

/**
 * Polls `check` until it is true. A service that dies before it is ready fails the start (rather
 * than being retried forever), as does a stop request.
 */
export async function waitFor(
  part: AwaitedPart,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10 * 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    checkStop(part.stopping);
    const child = part.child();
    if (child !== undefined && child.restarts > 0) {
      throw new StartError(`the ${part.label} stopped during start-up (${child.lastExit}): ${lastLine(part.logFile)}`);
    }
    if (await check()) return;
    if (Date.now() > deadline)
      throw new StartError(`the ${part.label} was not ready within ${timeoutMs / 1000} s; see ${part.logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function waitForHttp(part: AwaitedPart, url: string): Promise<void> {
  await waitFor(part, () =>
    fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    ),
  );
}

export async function waitForIndexer(
  part: AwaitedPart,
  indexerUrl: string,
  say: (line: string) => void,
): Promise<void> {
  let lastNote = Date.now();
  await waitFor(part, async () => {
    const health = await indexerHealth(indexerUrl);
    if (health?.ready === true) return true;
    if (health !== undefined && Date.now() - lastNote > 10_000) {
      lastNote = Date.now();
      say(
        health.headBlock === null || health.phase === "starting"
          ? `    indexer ${health.phase ?? "starting"}`
          : `    indexer catching up: block ${health.indexedBlock ?? "-"} of ${health.headBlock}`,
      );
    }
    return false;
  });
}

export function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** The last non-empty line of a log, to put in a one-line error. */
export function lastLine(file: string): string {
  try {
    const lines = readFileSync(file, "utf8").trim().split("\n");
    const line = lines.at(-1) ?? "";
    try {
      const json = JSON.parse(line) as { msg?: string; err?: { message?: string } };
      return [json.msg, json.err?.message].filter(Boolean).join(": ") || line;
    } catch {
      return line.slice(0, 300);
    }
  } catch {
    return `no log at ${file}`;
  }
}
