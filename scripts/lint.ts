// Checks formatting and lint rules for every language in the repository, one check per tool, and
// closes with `N passed, N failed`. `npm run format` fixes what the tools can fix by themselves.
//
//   node scripts/lint.ts          check (what `npm test` runs)
//   node scripts/lint.ts --fix    format and apply safe fixes
import { spawnSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const solidity = ["contracts/**/*.sol", "test/contracts/**/*.sol"];
const fix = process.argv.includes("--fix");

type Check = { name: string; command: string; args: string[] };

const checks: Check[] = fix
  ? [
      { name: "biome (TS, TSX, JSON, CSS)", command: bin("biome"), args: ["check", "--write", "."] },
      { name: "prettier (Solidity)", command: bin("prettier"), args: ["--write", "--log-level=warn", ...solidity] },
    ]
  : [
      { name: "biome (TS, TSX, JSON, CSS)", command: bin("biome"), args: ["ci", "."] },
      { name: "prettier (Solidity)", command: bin("prettier"), args: ["--check", "--log-level=warn", ...solidity] },
      // every web query against indexer/graphql/schema.graphql, naming the unknown field and its file
      { name: "gql.tada (web queries)", command: bin("gql.tada"), args: ["check", "-c", "frontend/tsconfig.json"] },
      // the contracts only: the Solidity tests follow forge's naming (test_*, invariant_*)
      {
        name: "solhint (contracts)",
        command: bin("solhint"),
        args: ["--max-warnings", "0", "--disc", "--noPoster", "contracts/**/*.sol"],
      },
    ];

let passed = 0;
let failed = 0;
for (const check of checks) {
  const { status, error } = spawnSync(check.command, check.args, { cwd: root, stdio: "inherit" });
  const ok = status === 0 && error === undefined;
  console.log(`${ok ? "✔" : "✖"} ${check.name}${error ? ` (${error.message})` : ""}`);
  if (ok) passed += 1;
  else failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
