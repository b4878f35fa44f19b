// Line coverage of the contracts by the whole contract suite (mocha and Solidity tests).
//
//   npm run coverage              run `hardhat test --coverage`, print coverage per contract file
//   npm run coverage -- --min 97  demand another minimum (default 95 %)
//
// Exits non-zero when a test fails, when no coverage was recorded, or when the total line coverage
// of contracts/ (mocks excluded) is below the minimum. Hardhat writes coverage/lcov.info; only that
// file is read, so the figures are the ones Hardhat's own report shows.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

type FileCoverage = { file: string; found: number; hit: number; uncovered: number[] };

const root = path.resolve(import.meta.dirname, "..");
const lcovPath = path.join(root, "coverage", "lcov.info");
const hardhat = path.join(root, "node_modules", "hardhat", "dist", "src", "cli.js");

const { values } = parseArgs({ options: { min: { type: "string", default: "95" } } });
const minimum = Number(values.min);
if (!Number.isFinite(minimum) || minimum < 0 || minimum > 100) {
  console.error(`--min must be a percentage, got ${values.min}`);
  process.exit(2);
}

/** Per-file line counts of an lcov report, for files under contracts/ that are not mocks. */
function parseLcov(text: string): FileCoverage[] {
  const files: FileCoverage[] = [];
  let current: FileCoverage | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("SF:")) current = { file: line.slice(3).trim(), found: 0, hit: 0, uncovered: [] };
    else if (line.startsWith("DA:") && current) {
      const [lineNumber, count] = line.slice(3).split(",").map(Number);
      current.found += 1;
      if (count > 0) current.hit += 1;
      else current.uncovered.push(lineNumber);
    } else if (line.startsWith("end_of_record") && current) {
      files.push(current);
      current = undefined;
    }
  }
  return files.filter((f) => f.file.startsWith("contracts/") && !f.file.startsWith("contracts/mocks/"));
}

function percent(hit: number, found: number): number {
  return found === 0 ? 100 : (100 * hit) / found;
}

function runTests(): Promise<number> {
  return new Promise((resolve) => {
    // The test output goes to stderr so that stdout carries only the coverage table.
    const child = spawn(process.execPath, [hardhat, "test", "--coverage"], {
      cwd: root,
      stdio: ["ignore", process.stderr, process.stderr],
    });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

rmSync(lcovPath, { force: true });
const testsExit = await runTests();
if (!existsSync(lcovPath)) {
  console.error("no coverage/lcov.info was written: the test run did not get as far as the coverage report");
  process.exit(1);
}

const files = parseLcov(readFileSync(lcovPath, "utf8")).sort((a, b) => a.file.localeCompare(b.file));
const found = files.reduce((n, f) => n + f.found, 0);
const hit = files.reduce((n, f) => n + f.hit, 0);
const total = percent(hit, found);

const width = Math.max(...files.map((f) => f.file.length), "total".length);
console.log(`${"contract file".padEnd(width)}  lines   covered  uncovered lines`);
for (const f of files) {
  const uncovered = f.uncovered.length === 0 ? "-" : f.uncovered.join(", ");
  console.log(
    `${f.file.padEnd(width)}  ${String(f.found).padStart(5)}  ${percent(f.hit, f.found).toFixed(2).padStart(7)}%  ${uncovered}`,
  );
}
console.log(`${"total".padEnd(width)}  ${String(found).padStart(5)}  ${total.toFixed(2).padStart(7)}%`);

if (testsExit !== 0) {
  console.error(`contract tests failed (exit ${testsExit})`);
  process.exit(1);
}
if (files.length === 0) {
  console.error("coverage recorded no contract files");
  process.exit(1);
}
if (total < minimum) {
  console.error(`line coverage ${total.toFixed(2)}% is below the required ${minimum}%`);
  process.exit(1);
}
console.log(`line coverage ${total.toFixed(2)}% ≥ ${minimum}%`);
