// Runs every test suite of the project and closes with one line `N passed, N failed`.
//
//   node scripts/test.ts            all suites
//   node scripts/test.ts contracts  only the named suites (lint, typecheck, contracts, web, node)
//
// Each suite is a child process whose own summary is parsed; a suite that crashes before printing
// a summary counts as one failure so that a broken suite can never read as green.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

type Suite = { name: string; command: string; args: string[]; parse: (out: string) => Count | undefined };
type Count = { passed: number; failed: number };

const root = path.resolve(import.meta.dirname, "..");

function stripAnsi(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the colour codes this removes
  return s.replace(/\u001b\[[0-9;]*m/g, "");
}

function lastMatch(out: string, re: RegExp): number | undefined {
  const all = [...out.matchAll(re)];
  return all.length === 0 ? undefined : Number(all[all.length - 1][1]);
}

/** Hardhat 3's combined summary: `N passing (…)`, optionally `N failing`. */
function parseHardhat(out: string): Count | undefined {
  const plain = stripAnsi(out);
  const passing = lastMatch(plain, /^(\d+) passing \((?:\d+ \w+(?:, )?)+\)$/gm);
  const failing = lastMatch(plain, /^(\d+) failing \((?:\d+ \w+(?:, )?)+\)$/gm);
  if (passing === undefined && failing === undefined) return undefined;
  return { passed: passing ?? 0, failed: failing ?? 0 };
}

/** Node's spec reporter summary: `ℹ pass N`, `ℹ fail N`, `ℹ cancelled N`. */
function parseNodeTest(out: string): Count | undefined {
  out = stripAnsi(out);
  const pass = lastMatch(out, /^ℹ pass (\d+)$/gm);
  const fail = lastMatch(out, /^ℹ fail (\d+)$/gm);
  if (pass === undefined || fail === undefined) return undefined;
  const cancelled = lastMatch(out, /^ℹ cancelled (\d+)$/gm) ?? 0;
  return { passed: pass, failed: fail + cancelled };
}

function findTests(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!existsSync(abs)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(abs)) {
    const rel = path.join(dir, entry);
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...findTests(rel));
    else if (entry.endsWith(".test.ts")) out.push(rel);
  }
  return out.sort();
}

const hardhat = path.join(root, "node_modules", "hardhat", "dist", "src", "cli.js");
const nodeTestFiles = ["test/backend", "test/docs", "test/indexer", "test/stack", "test/e2e"].flatMap(findTests);

const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");

/** Vitest's summary: `Tests  N passed (T)` or `Tests  F failed | N passed (T)`. */
function parseVitest(out: string): Count | undefined {
  const line = [...stripAnsi(out).matchAll(/^\s*Tests\s+(.*)\((\d+)\)\s*$/gm)].at(-1);
  if (line === undefined) return undefined;
  const failed = Number(/(\d+) failed/.exec(line[1])?.[1] ?? 0);
  const passed = Number(/(\d+) passed/.exec(line[1])?.[1] ?? 0);
  return { passed, failed };
}

const vitest = path.join(root, "node_modules", "vitest", "vitest.mjs");
/** The web market's component tests (jsdom), configured in frontend/vite.config.ts. */
const webConfig = "frontend/vite.config.ts";

/** The type checker is one check: it passes when it reports no error. */
function parseTypecheck(out: string): Count {
  const errors = stripAnsi(out).match(/error TS\d+/g)?.length ?? 0;
  return { passed: errors === 0 ? 1 : 0, failed: errors === 0 ? 0 : 1 };
}

/** The formatters' and linters' checks (scripts/lint.ts), one per tool. */
function parseLint(out: string): Count | undefined {
  const line = [...stripAnsi(out).matchAll(/^(\d+) passed, (\d+) failed$/gm)].at(-1);
  return line === undefined ? undefined : { passed: Number(line[1]), failed: Number(line[2]) };
}

const suites: Suite[] = [
  { name: "lint", command: process.execPath, args: [path.join(root, "scripts", "lint.ts")], parse: parseLint },
  {
    name: "typecheck",
    command: process.execPath,
    args: [tsc, "--noEmit", "-p", "tsconfig.json"],
    parse: parseTypecheck,
  },
  { name: "contracts", command: process.execPath, args: [hardhat, "test"], parse: parseHardhat },
  { name: "web", command: process.execPath, args: [vitest, "run", "--config", webConfig], parse: parseVitest },
  {
    name: "node",
    command: process.execPath,
    args: ["--test", "--test-reporter=spec", "--test-concurrency=1", ...nodeTestFiles],
    parse: parseNodeTest,
  },
];

function run(suite: Suite): Promise<Count> {
  return new Promise((resolve) => {
    if (suite.name === "node" && nodeTestFiles.length === 0) return resolve({ passed: 0, failed: 0 });
    if (suite.name === "web" && !existsSync(path.join(root, webConfig))) return resolve({ passed: 0, failed: 0 });
    console.log(`\n=== suite: ${suite.name} ===`);
    const child = spawn(suite.command, suite.args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const tee = (chunk: Buffer, sink: NodeJS.WriteStream) => {
      out += chunk.toString();
      sink.write(chunk);
    };
    child.stdout.on("data", (c: Buffer) => tee(c, process.stdout));
    child.stderr.on("data", (c: Buffer) => tee(c, process.stderr));
    child.on("close", (code) => {
      const count = suite.parse(out);
      if (count === undefined) {
        console.error(`suite ${suite.name} exited with ${code} before printing a summary`);
        return resolve({ passed: 0, failed: 1 });
      }
      if (code !== 0 && count.failed === 0) count.failed = 1;
      console.log(`=== ${suite.name}: ${count.passed} passed, ${count.failed} failed ===`);
      resolve(count);
    });
  });
}

const wanted = process.argv.slice(2);
const selected = wanted.length === 0 ? suites : suites.filter((s) => wanted.includes(s.name));
const total: Count = { passed: 0, failed: 0 };
for (const suite of selected) {
  const c = await run(suite);
  total.passed += c.passed;
  total.failed += c.failed;
}
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exitCode = total.failed === 0 ? 0 : 1;
