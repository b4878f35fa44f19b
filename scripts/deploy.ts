// Deploys the exchange with Hardhat Ignition (ignition/modules/CCEX.ts) to any EVM node and writes
// deployments/<chainId>.json (protocol/deployment.ts reads it): every address, the start block, the
// chain id and the role holders.
//
//   npm run deploy -- --network localhost
//   npm run deploy -- --rpc-url http://127.0.0.1:8545
//   RPC_URL=https://rpc.example DEPLOYER_PRIVATE_KEY=0x… SETTLEMENT_TOKEN=0x… npm run deploy
//
// Options
//   --network <name>           a network of hardhat.config.ts (default: localhost)
//   --rpc-url <url>            any JSON-RPC URL instead (env RPC_URL); signs with DEPLOYER_PRIVATE_KEY
//                              when set, else with the node's own accounts (a dev node has them)
//   --parameters <file>        module parameters, flat `{ "admin": "0x…", "feeBps": 25 }` or Ignition's
//                              `{ "CCEX": { … } }`: admin, matcher, arbiter, pauser, registrar, treasury,
//                              feeBps, challengePeriod, reportGracePeriod, arbitrationPeriod,
//                              certificateURI
//   --settlement-token <addr>  settle in this ERC-20 (env SETTLEMENT_TOKEN) instead of deploying
//                              LocalSettlementToken with its faucet
//   --out <dir>                where to write <chainId>.json (default: deployments)
//   --deployment-id <id>       Ignition deployment id (default: chain-<chainId>); a re-run resumes it
//   --reset                    forget Ignition's earlier deployment with that id (a fresh dev chain)
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { DeploymentParameters } from "@nomicfoundation/ignition-core";
import { network } from "hardhat";
import CCEXModule, { CCEXWithTokenModule } from "../ignition/modules/CCEX.ts";
import { type Deployment, deploymentFileName, parseDeployment } from "../protocol/deployment.ts";
import type { CarbonCredits, GreenCertificates } from "../types/ethers-contracts/index.ts";

type DeploymentParameterValue = DeploymentParameters[string][string];

const ROLE_PARAMETERS = ["admin", "matcher", "arbiter", "pauser", "registrar", "treasury"] as const;
const DEFAULT_ADMIN_ROLE = `0x${"00".repeat(32)}`;
const root = path.resolve(import.meta.dirname, "..");

const { values: args } = parseArgs({
  options: {
    network: { type: "string" },
    "rpc-url": { type: "string" },
    parameters: { type: "string" },
    "settlement-token": { type: "string" },
    out: { type: "string", default: "deployments" },
    "deployment-id": { type: "string" },
    reset: { type: "boolean", default: false },
  },
});

const rpcUrl = args["rpc-url"] ?? process.env.RPC_URL;
const privateKey = process.env.DEPLOYER_PRIVATE_KEY;
const settlementToken = args["settlement-token"] ?? process.env.SETTLEMENT_TOKEN;
if (rpcUrl !== undefined && args.network !== undefined) throw new Error("give either --network or --rpc-url, not both");

const connection = await network.create(
  rpcUrl === undefined
    ? { network: args.network ?? "localhost" }
    : { network: "localhost", override: { url: rpcUrl, accounts: privateKey === undefined ? "remote" : [privateKey] } },
);
const { ethers, ignition } = connection;
const chainId = Number((await ethers.provider.getNetwork()).chainId);
const [deployer] = await ethers.getSigners();
const deploymentId = args["deployment-id"] ?? `chain-${chainId}`;
const journalDir = path.join(root, "ignition", "deployments", deploymentId);
if (args.reset) rmSync(journalDir, { recursive: true, force: true });

const module = settlementToken === undefined ? CCEXModule : CCEXWithTokenModule;
const parameters = moduleParameters(module.id, args.parameters, settlementToken);
const blockBefore = await ethers.provider.getBlockNumber();

const deployed = await ignition.deploy(module, { parameters, deploymentId, displayUi: true });
const addressOf = (contract: unknown) => (contract as { getAddress(): Promise<string> }).getAddress();
const roles = Object.fromEntries(
  ROLE_PARAMETERS.map((name) => [name, (parameters[module.id][name] as string | undefined) ?? deployer.address]),
) as Deployment["roles"];

// The module leaves the deployer as co-admin of the certificate registry and the credit token (it
// needed the role to grant the market's): hand over when the configured admin is someone else.
if (roles.admin.toLowerCase() !== deployer.address.toLowerCase()) {
  const administered = [deployed.certificates, deployed.credits] as unknown as (GreenCertificates | CarbonCredits)[];
  for (const contract of administered) {
    if (await contract.hasRole(DEFAULT_ADMIN_ROLE, deployer.address)) {
      await (await contract.connect(deployer).renounceRole(DEFAULT_ADMIN_ROLE, deployer.address)).wait();
    }
  }
}

const deployment = parseDeployment(
  {
    chainId,
    startBlock: startBlock(journalDir, blockBefore + 1),
    deployedAt: new Date().toISOString(),
    deployer: deployer.address,
    contracts: {
      Market: await addressOf(deployed.market),
      GreenCertificates: await addressOf(deployed.certificates),
      CarbonCredits: await addressOf(deployed.credits),
      SettlementToken:
        "settlementToken" in deployed ? await addressOf(deployed.settlementToken) : (settlementToken as string),
      BatchSettlement: await addressOf(deployed.batchSettlement),
      OrderPosting: await addressOf(deployed.orderPosting),
      DealClosing: await addressOf(deployed.dealClosing),
    },
    localSettlementToken: settlementToken === undefined,
    roles,
    ignitionDeploymentId: deploymentId,
  },
  "the deployment just made",
);

const outDir = path.resolve(root, args.out);
mkdirSync(outDir, { recursive: true });
const outFile = path.join(outDir, deploymentFileName(chainId));
writeFileSync(outFile, `${JSON.stringify(deployment, null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), outFile)}: chain ${chainId}, start block ${deployment.startBlock}`);
await connection.close();

/** Ignition parameters for `moduleId` from a flat or Ignition-shaped JSON file. */
function moduleParameters(moduleId: string, file: string | undefined, token: string | undefined) {
  let given: Record<string, DeploymentParameterValue> = {};
  if (file !== undefined) {
    given = JSON.parse(readFileSync(path.resolve(file), "utf8")) as Record<string, DeploymentParameterValue>;
    const keyed = given[moduleId] ?? given.CCEX ?? given.CCEXWithToken;
    if (keyed !== undefined) given = keyed as Record<string, DeploymentParameterValue>;
  }
  const own = { ...given, ...(token === undefined ? {} : { settlementToken: token }) };
  return { [moduleId]: own } as Record<string, Record<string, DeploymentParameterValue>>;
}

/**
 * The first block with a transaction of this deployment, from Ignition's journal (which also covers
 * a deployment resumed over several runs); without a journal, the first block after `fallback − 1`.
 */
function startBlock(dir: string, fallback: number): number {
  const journal = path.join(dir, "journal.jsonl");
  if (!existsSync(journal)) return fallback;
  const blocks: number[] = [];
  for (const line of readFileSync(journal, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const entry = JSON.parse(line) as { receipt?: { blockNumber?: number } };
    if (typeof entry.receipt?.blockNumber === "number") blocks.push(entry.receipt.blockNumber);
  }
  return blocks.length === 0 ? fallback : Math.min(...blocks);
}
