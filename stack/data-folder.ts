// What DATA_DIR holds and which version of the exchange wrote it. A stamp beside the stores
// (format.json) names the data format, the contracts' code the local chain was deployed from,
// and the deployment every chain-bound store (indexer, matcher, keeper, demo, metering) belongs to. Data the
// running version cannot use — written before stamps existed (the pool market), in another format,
// by other contracts, or for another deployment — is moved aside into DATA_DIR/previous/<UTC time>/,
// never deleted, and the stack starts clean (docs/operations.md, "Upgrading a data folder").
//
//   const moved = settleDataFormat(dataDir, { code: contractsCode() });   // before the node starts
//   const again = settleDeployment(dataDir, deployment, { fresh: true });  // once the deployment is known
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

import { z } from "zod";
import type { Deployment } from "../protocol/deployment.ts";
import { ROOT } from "./config.ts";

/**
 * The shape and meaning of what the stack keeps under DATA_DIR. Bump it when a store changes so
 * that an older folder cannot be read as this version's: 1 was the pool market (it wrote no stamp),
 * 2 the hourly market.
 */
export const DATA_FORMAT = 2;
export const STAMP_FILE = "format.json";
/** Where data this version cannot use goes, one dated folder per move. */
export const PREVIOUS_DIR = "previous";
/** The chain itself: its journal and the deployment on it. */
const CHAIN_STATE = ["chain", "deployment"] as const;
/** Stores that hold deal ids, orders or blocks of one deployment. */
export const DEPLOYMENT_STATE = ["indexer", "matcher", "keeper", "demo", "metering"] as const;
/** The contracts the local deployment deploys (ignition/modules/CCEX.ts), as their artifacts name them. */
const DEPLOYED_CONTRACTS = [
  "Market",
  "GreenCertificates",
  "CarbonCredits",
  "LocalSettlementToken",
  "libraries/BatchSettlement",
  "libraries/OrderPosting",
  "libraries/DealClosing",
] as const;

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const stampSchema = z.object({
  format: z.number().int().positive(),
  /** contractsCode() of the build the local chain's contracts came from; null on an existing chain. */
  code: z.string().nullable(),
  /** The deployment the chain-bound stores belong to; null until it is known. */
  deployment: z
    .object({
      chainId: z.number().int().positive(),
      startBlock: z.number().int().nonnegative(),
      contracts: z.record(z.string(), address),
    })
    .nullable(),
});

export type DataStamp = z.infer<typeof stampSchema>;

/** What was moved aside, where to, and why: the one line the stack prints. */
export type MovedAside = { reason: string; names: string[]; to: string };

/**
 * The hash of the deployed contracts' runtime code in this checkout's build, without the
 * compiler's metadata trailer (so an edited comment does not count as other code).
 * @throws {Error} naming the artifact when the contracts are not built
 */
export function contractsCode(root: string = ROOT): string {
  const hash = createHash("sha256");
  for (const name of DEPLOYED_CONTRACTS) {
    const file = path.join(root, "artifacts", "contracts", `${name}.sol`, `${path.basename(name)}.json`);
    const artifact = JSON.parse(readFileSync(file, "utf8")) as { deployedBytecode?: unknown };
    if (typeof artifact.deployedBytecode !== "string" || artifact.deployedBytecode.length < 6)
      throw new Error(`${file} holds no deployed bytecode: build the contracts (npx hardhat build --no-tests)`);
    hash.update(`${name}:${withoutMetadata(artifact.deployedBytecode)}\n`);
  }
  return `sha256:${hash.digest("hex")}`;
}

/** Solidity ends runtime code with CBOR metadata whose length is the last two bytes. */
function withoutMetadata(code: string): string {
  const length = Number.parseInt(code.slice(-4), 16);
  const end = code.length - (length + 2) * 2;
  return Number.isFinite(length) && end > 2 ? code.slice(0, end) : code;
}

/** The stamp in `dataDir`: undefined when there is none, "unreadable" when it is not one. */
export function readStamp(dataDir: string): DataStamp | "unreadable" | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(dataDir, STAMP_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const parsed = stampSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : "unreadable";
  } catch {
    return "unreadable";
  }
}

function writeStamp(dataDir: string, stamp: DataStamp): void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, STAMP_FILE);
  // Written whole then renamed: a crash never leaves half a stamp (which would read as old data).
  writeFileSync(`${file}.tmp`, `${JSON.stringify(stamp, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/**
 * Before the chain starts: moves every store aside when the folder was written by another data
 * format or (code given: the local chain) deployed from other contracts, then stamps it.
 * @param options.code contractsCode() for the local chain; undefined on an existing chain
 * @returns what was moved, or undefined when the folder is this version's (or empty)
 */
export function settleDataFormat(dataDir: string, options: { code?: string; now?: Date } = {}): MovedAside | undefined {
  const stamp = readStamp(dataDir);
  const code = options.code ?? null;
  const held = [...CHAIN_STATE, ...DEPLOYMENT_STATE].filter((name) => existsSync(path.join(dataDir, name)));
  let reason: string | undefined;
  if (stamp === undefined) reason = "data of a CCEX version before the hourly market (no data-format stamp)";
  else if (stamp === "unreadable") reason = `an unreadable ${STAMP_FILE}`;
  else if (stamp.format !== DATA_FORMAT) reason = `data format ${stamp.format}; this version uses ${DATA_FORMAT}`;
  else if (code !== null && stamp.code !== null && stamp.code !== code)
    reason = "a chain deployed from other contracts than this checkout's build";
  if (reason === undefined || held.length === 0) {
    const keep = stamp !== undefined && stamp !== "unreadable" && reason === undefined;
    writeStamp(dataDir, {
      format: DATA_FORMAT,
      code: keep ? (code ?? stamp.code) : code,
      deployment: keep ? stamp.deployment : null,
    });
    return undefined;
  }
  const moved = moveAside(dataDir, held, reason, options.now ?? new Date());
  writeStamp(dataDir, { format: DATA_FORMAT, code, deployment: null });
  return moved;
}

/**
 * Once the deployment is known: moves the chain-bound stores aside when they belong to another
 * deployment (`fresh`: the stack has just deployed, so whatever they hold is of an earlier one),
 * then records the deployment in the stamp.
 */
export function settleDeployment(
  dataDir: string,
  deployment: Deployment,
  options: { fresh: boolean; now?: Date },
): MovedAside | undefined {
  const stamp = readStamp(dataDir);
  const current = stampedDeployment(deployment);
  const recorded = stamp === undefined || stamp === "unreadable" ? null : stamp.deployment;
  const held = DEPLOYMENT_STATE.filter((name) => existsSync(path.join(dataDir, name)));
  let reason: string | undefined;
  if (options.fresh) reason = `stores of an earlier deployment (the contracts were deployed anew)`;
  else if (recorded !== null && !sameDeployment(recorded, current))
    reason = `stores of another deployment (Market ${recorded.contracts.Market ?? "?"} on chain ${recorded.chainId})`;
  const moved =
    reason !== undefined && held.length > 0 ? moveAside(dataDir, held, reason, options.now ?? new Date()) : undefined;
  writeStamp(dataDir, {
    format: DATA_FORMAT,
    code: stamp === undefined || stamp === "unreadable" ? null : stamp.code,
    deployment: current,
  });
  return moved;
}

function stampedDeployment(deployment: Deployment): NonNullable<DataStamp["deployment"]> {
  const contracts = Object.fromEntries(
    Object.entries(deployment.contracts).map(([name, at]) => [name, at.toLowerCase()] as const),
  );
  return { chainId: deployment.chainId, startBlock: deployment.startBlock, contracts };
}

function sameDeployment(a: NonNullable<DataStamp["deployment"]>, b: NonNullable<DataStamp["deployment"]>): boolean {
  const names = new Set([...Object.keys(a.contracts), ...Object.keys(b.contracts)]);
  return (
    a.chainId === b.chainId &&
    a.startBlock === b.startBlock &&
    [...names].every((n) => a.contracts[n]?.toLowerCase() === b.contracts[n]?.toLowerCase())
  );
}

/** Renames `names` into a new DATA_DIR/previous/<UTC time>/ (same file system: nothing is copied or lost). */
function moveAside(dataDir: string, names: string[], reason: string, now: Date): MovedAside {
  const base = path.join(
    dataDir,
    PREVIOUS_DIR,
    now
      .toISOString()
      .replace(/\.\d+Z$/, "Z")
      .replaceAll(":", "-"),
  );
  let to = base;
  for (let n = 2; existsSync(to); n++) to = `${base}-${n}`;
  mkdirSync(to, { recursive: true });
  for (const name of names) renameSync(path.join(dataDir, name), path.join(to, name));
  return { reason, names, to };
}

/** The one line the stack prints for a move. */
export function describeMove(moved: MovedAside, dataDir: string): string {
  const where = (p: string) => path.relative(process.cwd(), p) || ".";
  return `!!  ${where(dataDir)} held ${moved.reason}: moved ${moved.names.join(", ")} to ${where(moved.to)} and started clean`;
}
