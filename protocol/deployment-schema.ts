// The shape of a deployment: what scripts/deploy.ts writes as deployments/<chainId>.json and what
// the stack serves to browsers inside /config.json. Browser-safe (no Node imports): the web market
// imports this file; Node code reads the file itself with protocol/deployment.ts.
//
//   const d = parseDeployment(await (await fetch("/deployment.json")).json());
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
    /**
     * External library linked into Market: `settle`'s per-match checks and transfers. No ABI of
     * its own to call; its events and errors are part of Market's ABI (docs/reference.md).
     */
    BatchSettlement: address,
    /** External library linked into Market: posting bids and offers (docs/reference.md). */
    OrderPosting: address,
    /** External library linked into Market: the usage report's flags and the close of a deal (docs/reference.md). */
    DealClosing: address,
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

/** File name of the deployments JSON of `chainId`. */
export function deploymentFileName(chainId: number): string {
  return `${chainId}.json`;
}
