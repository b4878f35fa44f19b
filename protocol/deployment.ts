// Where the exchange is deployed: the one source of truth that scripts/deploy.ts writes as
// deployments/<chainId>.json and that backend, indexer and web read.
//
//   const d = await readDeployment(31337);                         // deployments/31337.json
//   const d = await readDeployment("/srv/ccex/deployments/8453.json");
//   const d = parseDeployment(await (await fetch("/deployment.json")).json()); // in a browser
//
// `parseDeployment` is pure and browser-safe; `readDeployment` reads the file with Node's fs.
import { z } from "zod";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address");
const blockNumber = z.number().int().nonnegative();

export const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  /** First block that can hold an event of the exchange: indexers start following here. */
  startBlock: blockNumber,
  deployedAt: z.string(),
  deployer: address,
  contracts: z.object({
    Market: address,
    GreenCertificates: address,
    CarbonCredits: address,
    /** The ERC-20 the market settles in (LocalSettlementToken on local chains). */
    SettlementToken: address,
    BatchSettlement: address,
    OrderPosting: address,
  }),
  /** True when SettlementToken is the LocalSettlementToken with a faucet. */
  localSettlementToken: z.boolean(),
  /** Accounts granted each role at deployment. */
  roles: z.object({
    admin: address,
    matcher: address,
    arbiter: address,
    pauser: address,
    registrar: address,
    treasury: address,
  }),
  /** Ignition's deployment id (its journal is under ignition/deployments/<id>). */
  ignitionDeploymentId: z.string(),
});

export type Deployment = z.infer<typeof deploymentSchema>;
export type ContractName = keyof Deployment["contracts"];

/** A deployments file that is missing or does not have the expected shape. */
export class DeploymentError extends Error {
  name = "DeploymentError";
}

/** Folder scripts/deploy.ts writes to by default: `<project>/deployments`. */
export const DEFAULT_DEPLOYMENTS_DIR = new URL("../deployments/", import.meta.url);

/**
 * Validates a parsed deployments JSON.
 * @throws {DeploymentError} naming every field that is missing or malformed
 */
export function parseDeployment(json: unknown, source = "deployment"): Deployment {
  const result = deploymentSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new DeploymentError(`${source} is not a CCEX deployment: ${problems}`);
  }
  return result.data;
}

/**
 * Reads a deployments JSON by chain id (from `dir`, default `deployments/`) or by file path.
 * @example
 * const { contracts, startBlock } = await readDeployment(31337);
 * @throws {DeploymentError} when the file is missing or malformed
 */
export async function readDeployment(
  source: number | string,
  dir: string | URL = DEFAULT_DEPLOYMENTS_DIR,
): Promise<Deployment> {
  const { readFile } = await import("node:fs/promises");
  const { fileURLToPath } = await import("node:url");
  const path = await import("node:path");
  const base = typeof dir === "string" ? dir : fileURLToPath(dir);
  const file = typeof source === "number" ? path.join(base, `${source}.json`) : source;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const hint = typeof source === "number" ? " (run `npm run deploy` for that chain first)" : "";
    throw new DeploymentError(`cannot read ${file}${hint}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DeploymentError(`${file} is not JSON: ${(error as Error).message}`);
  }
  return parseDeployment(json, file);
}

/** File name of the deployments JSON of `chainId`. */
export function deploymentFileName(chainId: number): string {
  return `${chainId}.json`;
}
