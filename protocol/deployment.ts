// Where the exchange is deployed: the one source of truth that scripts/deploy.ts writes as
// deployments/<chainId>.json and that backend, indexer and stack read from disk.
//
//   const d = await readDeployment(31337);                         // deployments/31337.json
//   const d = await readDeployment("/srv/ccex/deployments/8453.json");
//
// Node only (reads files). The shape and `parseDeployment` live in protocol/deployment-schema.ts,
// which is browser-safe; the web market imports that file, never this one.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { type Deployment, DeploymentError, parseDeployment } from "./deployment-schema.ts";

export {
  type ContractName,
  type Deployment,
  DeploymentError,
  deploymentFileName,
  deploymentSchema,
  parseDeployment,
} from "./deployment-schema.ts";

/** Folder scripts/deploy.ts writes to by default: `<project>/deployments`. */
export const DEFAULT_DEPLOYMENTS_DIR = new URL("../deployments/", import.meta.url);

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
