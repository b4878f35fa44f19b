// Checks made before the stack starts anything, so a bad setting stops it with one line naming the
// setting and leaves nothing behind: ports already taken, an unreachable or wrong chain, a database
// that does not answer, a data folder another stack is using.
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

import pg from "pg";

import { type Deployment, readDeployment } from "../protocol/deployment.ts";
import { rpcCall } from "./chain/rpc.ts";

export class PreflightError extends Error {
  override name = "PreflightError";
}

const TIMEOUT_MS = 5_000;

/** Fails when something listens on host:port (checked by binding it for a moment). */
export async function checkPortFree(variable: string, host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(new PreflightError(portProblem(variable, host, port, error))),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

export function portProblem(variable: string, host: string, port: number, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "EADDRINUSE":
      return `${variable}: ${host}:${port} is already in use (another CCEX stack or program is listening there)`;
    case "EACCES":
      return `${variable}: not permitted to listen on ${host}:${port}`;
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return `HOST: ${host} is not an address of this machine`;
    default:
      return `${variable}: cannot listen on ${host}:${port} (${error.message})`;
  }
}

/**
 * The existing chain answers, is the deployment's chain, and has the market's code.
 * @returns the deployment read from `deploymentFile`
 */
export async function checkRemoteChain(rpcUrl: string, deploymentFile: string): Promise<Deployment> {
  let deployment: Deployment;
  try {
    deployment = await readDeployment(deploymentFile);
  } catch (error) {
    throw new PreflightError(`DEPLOYMENT: ${(error as Error).message}`);
  }
  let chainId: number;
  try {
    chainId = Number(await rpcCall(rpcUrl, "eth_chainId", [], TIMEOUT_MS));
  } catch (error) {
    throw new PreflightError(`RPC_URL: ${(error as Error).message.replace(rpcUrl, redactUrl(rpcUrl))}`);
  }
  if (chainId !== deployment.chainId) {
    throw new PreflightError(
      `RPC_URL: the node is chain ${chainId}, but DEPLOYMENT ${deploymentFile} is for chain ${deployment.chainId}`,
    );
  }
  const code = await rpcCall(rpcUrl, "eth_getCode", [deployment.contracts.Market, "latest"], TIMEOUT_MS).catch(
    () => "0x",
  );
  if (code === "0x")
    throw new PreflightError(
      `DEPLOYMENT: there is no contract at Market ${deployment.contracts.Market} on chain ${chainId}`,
    );
  return deployment;
}

/** PostgreSQL accepts a connection and a query within a few seconds. */
export async function checkDatabase(url: string): Promise<void> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: TIMEOUT_MS,
    query_timeout: TIMEOUT_MS,
  });
  // A server that drops the connection later must not crash the stack through an unhandled 'error'.
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("select 1");
  } catch (error) {
    throw new PreflightError(
      `DATABASE_URL: cannot use ${redactUrl(url)} (${(error as Error).message || (error as { code?: string }).code || "connection failed"})`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The data folder is a folder (or can become one) and no other running stack holds it. */
export function checkDataDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new PreflightError(`DATA_DIR: ${dir} exists and is not a folder`);
  const holder = lockHolder(dir);
  if (holder !== undefined)
    throw new PreflightError(`DATA_DIR: ${dir} is in use by another running CCEX stack (pid ${holder})`);
}

export function lockFile(dir: string): string {
  return path.join(dir, "stack.pid");
}

/** The pid in DATA_DIR's lock file when that process still runs. */
function lockHolder(dir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile(dir), "utf8").trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM" ? pid : undefined;
  }
}

/** A URL fit for a message: no password, no path or query (providers put keys there). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${u.username}@` : ""}${u.host}${u.protocol.startsWith("postgres") ? u.pathname : ""}`;
  } catch {
    return "(unparsable URL)";
  }
}
