// `npm start`'s prestart: builds only what changed since the last build. Each step has its inputs
// (the files it reads) and is skipped when their content hash matches the one stamped after its last
// successful run and its outputs are still there. The steps due run side by side (the contracts'
// compiler and the page's bundler each keep about one core busy, the database template mostly
// waits on the disk); a step whose inputs another step
// rewrote meanwhile (the page imports the ABIs generated from the contracts) runs once more.
// `npm run build` (and `npm test`) always builds all, one step after the other.
//
//   node stack/build.ts            build what changed
//   node stack/build.ts --force    build everything
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

import { PGLITE_TEMPLATE } from "./pglite-template.ts";

const ROOT = path.resolve(import.meta.dirname, "..");

export type BuildStep = {
  name: string;
  /** Files and folders (recursively) whose content decides the output, relative to the root. */
  inputs: string[];
  /** Files that must exist for the step to count as built. */
  outputs: string[];
  /** Generated files inside the inputs that the step itself writes: not inputs. */
  ignore?: string[];
  commands: string[][];
};

export const BUILD_STEPS: BuildStep[] = [
  {
    name: "contracts",
    inputs: ["contracts", "hardhat.config.ts", "package-lock.json", "scripts/generate-abi.ts"],
    outputs: ["artifacts/contracts/Market.sol/Market.json", "protocol/generated/abis.ts"],
    commands: [["node_modules/hardhat/dist/src/cli.js", "build", "--no-tests"], ["scripts/generate-abi.ts"]],
  },
  {
    name: "web market",
    // The page imports protocol/ (the generated ABIs included) and is typed from the indexer's schema.
    inputs: ["frontend", "protocol", "indexer/graphql/schema.graphql", "package-lock.json"],
    outputs: ["frontend/dist/index.html"],
    ignore: ["frontend/dist", "frontend/src/graphql-env.d.ts"],
    commands: [
      ["node_modules/gql.tada/bin/cli.js", "generate", "output", "-c", "frontend/tsconfig.json"],
      ["node_modules/vite/bin/vite.js", "build", "--config", "frontend/vite.config.ts"],
    ],
  },
  {
    name: "database template",
    // The empty cluster the indexer's and the metering service's fresh databases start from.
    inputs: ["package-lock.json", "stack/pglite-template.ts"],
    outputs: [path.relative(ROOT, PGLITE_TEMPLATE)],
    commands: [["stack/pglite-template.ts"]],
  },
];

/** The hash of every input file's path and content, in a fixed order. */
export function inputsHash(root: string, step: Pick<BuildStep, "inputs" | "ignore">): string {
  const ignored = new Set((step.ignore ?? []).map((p) => path.join(root, p)));
  const files: string[] = [];
  const walk = (at: string) => {
    if (ignored.has(at) || !existsSync(at)) return;
    const entries = readdirSync(at, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(full);
      } else if (!ignored.has(full)) files.push(full);
    }
  };
  for (const input of step.inputs) {
    const full = path.join(root, input);
    if (!existsSync(full)) continue;
    if (statSync(full).isDirectory()) walk(full);
    else files.push(full);
  }
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(`${path.relative(root, file)}\0`);
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** Where the hashes of the last successful builds are kept (cache/ is not committed). */
export const STAMP_FILE = path.join(ROOT, "cache", "ccex-build-stamps.json");

function readStamps(file: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}

function writeStamps(file: string, stamps: Record<string, string>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(stamps, null, 2)}\n`);
}

/**
 * Runs the steps whose inputs changed (or whose outputs are missing), side by side, and stamps each
 * one that succeeded; resolves with what was built and what was up to date.
 * @throws {Error} naming the command that failed (its output went to the terminal), once every step
 *   under way has ended
 */
export async function buildChanged(
  options: {
    root?: string;
    steps?: BuildStep[];
    stampFile?: string;
    force?: boolean;
    say?: (line: string) => void;
  } = {},
): Promise<{ built: string[]; upToDate: string[] }> {
  const root = options.root ?? ROOT;
  const stampFile = options.stampFile ?? STAMP_FILE;
  const say = options.say ?? (() => {});
  const stamps = readStamps(stampFile);
  const steps = options.steps ?? BUILD_STEPS;
  const built: string[] = [];
  // Rounds: the steps due run side by side; a step whose inputs changed meanwhile (another step
  // wrote them) is due in the next round. Its stamp is what it was built from, or, built a second
  // time, what it left (a step that rewrites its own inputs must not run forever).
  for (let round = 0; round < 3; round++) {
    const due: { step: BuildStep; before: string }[] = [];
    for (const step of steps) {
      const before = inputsHash(root, step);
      const present = step.outputs.every((output) => existsSync(path.join(root, output)));
      const forced = options.force === true && round === 0;
      if (forced || !present || stamps[step.name] !== before) due.push({ step, before });
    }
    if (due.length === 0) break;
    // A step cut short may have left half its outputs: until it succeeds again, it has no stamp.
    for (const { step } of due) delete stamps[step.name];
    writeStamps(stampFile, stamps);
    const results = await Promise.allSettled(
      due.map(({ step }) => {
        const again = built.includes(step.name);
        say(`..  building the ${step.name}${again ? " again: its inputs changed while it was built" : ""}`);
        return runStep(root, step);
      }),
    );
    for (const [i, { step, before }] of due.entries()) {
      if (results[i].status === "rejected") continue;
      stamps[step.name] = built.includes(step.name) ? inputsHash(root, step) : before;
      if (!built.includes(step.name)) built.push(step.name);
    }
    writeStamps(stampFile, stamps);
    const failed = results.find((r) => r.status === "rejected");
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  }
  return { built, upToDate: steps.map((s) => s.name).filter((name) => !built.includes(name)) };
}

/** Runs a step's commands one after the other, their output to the terminal. */
async function runStep(root: string, step: BuildStep): Promise<void> {
  for (const [script, ...args] of step.commands) {
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [path.join(root, script), ...args], { cwd: root, stdio: "inherit" });
      child.once("error", () => resolve(null));
      child.once("exit", (exitCode) => resolve(exitCode));
    });
    if (code !== 0) throw new Error(`building the ${step.name} failed: node ${[script, ...args].join(" ")}`);
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { force: { type: "boolean", default: false } } });
  const started = Date.now();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const { built, upToDate } = await buildChanged({ force: values.force, say });
    const parts = [...built.map((name) => `${name} built`), ...upToDate.map((name) => `${name} up to date`)];
    say(`ok  build: ${parts.join(", ")} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    console.error(`ccex: ${(error as Error).message}`);
    process.exit(1);
  }
}
