// The stack's child processes: each runs `node --import stack/child-guard.ts <script>` in its own
// process group (a Ctrl-C in the terminal reaches only the stack, which stops the children in
// order), writes its output to DATA_DIR/logs/<name>.log, and is restarted with backoff when it
// crashes, unless it is one the stack cannot run without.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, createWriteStream, openSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

import { ROOT } from "./config.ts";

const GUARD = pathToFileURL(path.join(import.meta.dirname, "child-guard.ts")).href;

export type ChildState = "starting" | "running" | "restarting" | "stopping" | "stopped" | "failed";

export type ChildSpec = {
  name: string;
  /** The Node script to run, relative to the project root. */
  script: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Receives each stdout line (which also goes to the log); without it stdout goes straight to the log. */
  onLine?: (line: string) => void;
  /** Drop stdout (a chatty child whose stderr still goes to the log). */
  discardStdout?: boolean;
  /** Restart after a crash (with backoff); when false a crash is reported through onCrash and the child stays down. */
  restart: boolean;
  /** Time a child gets to end after SIGTERM before its group is killed. */
  stopTimeoutMs?: number;
};

export type ChildEvents = {
  /** An exit nobody asked for; `restartInMs` is null when the child will stay down. */
  onCrash(name: string, exit: string, restartInMs: number | null): void;
};

/** Every process group the stack has started and not yet seen end: killed outright if the stack exits abnormally. */
const liveGroups = new Set<number>();
process.on("exit", () => {
  for (const pgid of liveGroups) killGroup(pgid, "SIGKILL");
});

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

/** Starts a child as described above; `exited` resolves with how it ended ("exit code 0", "signal SIGKILL"). */
function spawnChild(spec: Omit<ChildSpec, "restart">): { child: ChildProcess; exited: Promise<string> } {
  const log = openSync(spec.logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, ["--import", GUARD, path.resolve(ROOT, spec.script), ...(spec.args ?? [])], {
      cwd: ROOT,
      env: spec.env,
      detached: true,
      stdio: ["pipe", spec.discardStdout === true ? "ignore" : spec.onLine === undefined ? log : "pipe", log],
    });
  } finally {
    closeSync(log);
  }
  const pgid = child.pid!;
  liveGroups.add(pgid);
  if (spec.onLine !== undefined) {
    child.stdout!.pipe(createWriteStream(spec.logFile, { flags: "a" }));
    const onLine = spec.onLine;
    createInterface({ input: child.stdout! }).on("line", (line) => onLine(line));
  }
  // The guard in the child watches this pipe; nothing is ever written to it.
  child.stdin!.on("error", () => undefined);
  const exited = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) => {
      // Whatever the child left in its group goes with it.
      killGroup(pgid, "SIGKILL");
      liveGroups.delete(pgid);
      resolve(signal === null ? `exit code ${code}` : `signal ${signal}`);
    });
  });
  return { child, exited };
}

/** Runs a one-off child (a deployment) to its end; resolves with how it ended. */
export function runToEnd(spec: Omit<ChildSpec, "restart">): Promise<string> {
  return spawnChild(spec).exited;
}

const STABLE_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;

export class Supervised {
  readonly spec: ChildSpec;
  state: ChildState = "stopped";
  restarts = 0;
  lastExit: string | null = null;
  #events: ChildEvents;
  #child: ChildProcess | undefined;
  #startedAt = 0;
  #failuresInARow = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #exited: Promise<void> = Promise.resolve();

  constructor(spec: ChildSpec, events: ChildEvents) {
    this.spec = spec;
    this.#events = events;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): void {
    this.state = "starting";
    this.#startedAt = Date.now();
    const { child, exited } = spawnChild(this.spec);
    this.#child = child;
    this.state = "running";
    this.#exited = exited.then((exit) => {
      this.lastExit = exit;
      this.#afterExit();
    });
  }

  #afterExit(): void {
    if (this.state === "stopping") {
      this.state = "stopped";
      return;
    }
    if (!this.spec.restart) {
      this.state = "failed";
      this.#events.onCrash(this.spec.name, this.lastExit!, null);
      return;
    }
    if (Date.now() - this.#startedAt > STABLE_MS) this.#failuresInARow = 0;
    const delay = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** this.#failuresInARow);
    this.#failuresInARow++;
    this.restarts++;
    this.state = "restarting";
    this.#events.onCrash(this.spec.name, this.lastExit!, delay);
    this.#restartTimer = setTimeout(() => this.start(), delay);
  }

  /** SIGTERM to the child's group; SIGKILL if it has not ended in time. Resolves once it has ended. */
  async stop(): Promise<void> {
    clearTimeout(this.#restartTimer);
    if (this.state !== "running" && this.state !== "starting") {
      if (this.state === "restarting") this.state = "stopped";
      return;
    }
    this.state = "stopping";
    const pgid = this.#child!.pid!;
    killGroup(pgid, "SIGTERM");
    const timer = setTimeout(() => killGroup(pgid, "SIGKILL"), this.spec.stopTimeoutMs ?? 20_000);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Ends the child's group at once and resolves once it has ended (a hung child). */
  async end(): Promise<void> {
    this.kill();
    await this.#exited;
  }

  /** Ends the child's group at once (a second Ctrl-C). */
  kill(): void {
    clearTimeout(this.#restartTimer);
    if (this.#child?.pid !== undefined && this.#child.exitCode === null && this.#child.signalCode === null) {
      this.state = "stopping";
      killGroup(this.#child.pid, "SIGKILL");
    }
  }
}
