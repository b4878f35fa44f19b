// The local chain's deployment: the exchange deployed by scripts/deploy.ts (the Ignition module) into
// DATA_DIR, never into deployments/31337.json, which tests and developers use for their own nodes.
// A deployment whose contracts the chain still holds (a replayed chain) is reused as it is.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { ACCOUNT_PLAN, devAccount } from "../protocol/accounts.ts";
import { type Deployment, readDeployment } from "../protocol/deployment.ts";
import { rpcCall } from "./chain/rpc.ts";
import { ROOT } from "./config.ts";
import { runToEnd } from "./processes.ts";

/**
 * Short deal periods, so demo deals finish while someone watches: a report can be challenged for
 * 2 minutes, is due 5 minutes after the deal's window, and an arbiter has an hour.
 */
export const LOCAL_PARAMETERS = {
  admin: devAccount(ACCOUNT_PLAN.admin).address,
  pauser: devAccount(ACCOUNT_PLAN.admin).address,
  matcher: devAccount(ACCOUNT_PLAN.matcher).address,
  registrar: devAccount(ACCOUNT_PLAN.registrar).address,
  arbiter: devAccount(ACCOUNT_PLAN.arbiter).address,
  treasury: devAccount(ACCOUNT_PLAN.treasury).address,
  challengePeriod: 120,
  reportGracePeriod: 300,
  arbitrationPeriod: 3_600,
  feeBps: 30,
};

export type LocalDeployment = { deployment: Deployment; file: string; reused: boolean };

export async function ensureLocalDeployment(options: {
  rpcUrl: string;
  dir: string;
  chainId: number;
  logFile: string;
  env: NodeJS.ProcessEnv;
}): Promise<LocalDeployment> {
  const file = path.join(options.dir, `${options.chainId}.json`);
  const existing = await readDeployment(file).catch(() => undefined);
  if (existing !== undefined && existing.chainId === options.chainId) {
    const code = await rpcCall(options.rpcUrl, "eth_getCode", [existing.contracts.Market, "latest"]);
    if (code !== "0x") return { deployment: existing, file, reused: true };
  }
  mkdirSync(options.dir, { recursive: true });
  const parameters = path.join(options.dir, "parameters.json");
  writeFileSync(parameters, `${JSON.stringify(LOCAL_PARAMETERS, null, 2)}\n`);
  // Ignition keeps a journal per deployment id under ignition/deployments; the stack decides reuse by
  // the chain's code instead, so its journal is only needed while this deployment runs.
  const deploymentId = `stack-${process.pid}-${Date.now()}`;
  try {
    const exit = await runToEnd({
      name: "deploy",
      script: "scripts/deploy.ts",
      args: [
        "--rpc-url",
        options.rpcUrl,
        "--out",
        options.dir,
        "--parameters",
        parameters,
        "--deployment-id",
        deploymentId,
        "--reset",
      ],
      env: options.env,
      logFile: options.logFile,
    });
    if (exit !== "exit code 0") throw new Error(`the deployment failed (${exit}); see ${options.logFile}`);
  } finally {
    rmSync(path.join(ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
  }
  return { deployment: await readDeployment(file), file, reused: false };
}
