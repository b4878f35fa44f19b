// The whole exchange on one machine: the chain (a local Hardhat node whose history is journaled and
// replayed, or an existing chain), the deployment, the indexer, the backend API, the demo market,
// the matcher and the keeper, started in that order and stopped in the reverse one. Each part's own
// job lives beside this file: chain/local-node.ts (the node and its journal), services.ts (what each
// service runs with), readiness.ts (the waits), health.ts (/health), browser-config.ts (/config.json).
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { readKeeperStatus } from "../backend/keeper/status-file.ts";
import type { Deployment } from "../protocol/deployment.ts";
import type { StackConfig } from "../protocol/stack-config.ts";
import { browserConfig } from "./browser-config.ts";
import { LOCAL_CHAIN_ID, LocalNode } from "./chain/local-node.ts";
import { rpcCall } from "./chain/rpc.ts";
import { ROOT, type StackSettings } from "./config.ts";
import { contractsCode, describeMove, type MovedAside, settleDataFormat, settleDeployment } from "./data-folder.ts";
import { within } from "./deadline.ts";
import { ensureLocalDeployment } from "./deploy.ts";
import { graphqlThroughOrigin, healthReport, indexerHealth, type ProcessView } from "./health.ts";
import { lockFile } from "./preflight.ts";
import { Supervised } from "./processes.ts";
import { type AwaitedPart, checkStop, seconds, waitFor, waitForHttp, waitForIndexer } from "./readiness.ts";
import { baseEnv, keeperStatusFile, LABEL, type Ports, type Service, serviceSpec } from "./services.ts";
import type { StreamGate } from "./stream-gate.ts";

/** The demo first: it sends the most transactions, and what it leaves pending the matcher and keeper may still settle. */
const STOP_ORDER: Service[] = ["demo", "keeper", "matcher", "api", "indexer"];
/** The services that send transactions: paused while the node is rebuilt from the journal. */
const WRITERS: Service[] = ["demo", "keeper", "matcher"];
/** How long a whole stop may take: a service or node that has not ended by then is killed. */
const STOP_BUDGET_MS = 30_000;

export class Stack {
  readonly settings: StackSettings;
  readonly ports: Ports;
  readonly rpcUrl: string;
  readonly logsDir: string;
  deployment: Deployment | undefined;
  deploymentFile: string | undefined;
  demoSeeded = false;
  /** Called when a part the stack cannot run without fails: the node. */
  onFatal: (message: string) => void = () => {};
  /** The public origin's URL once it listens: /health checks /graphql through it. */
  originUrl: string | undefined;
  /** The origin's subscription gate, for /health to show how many are open. */
  streams: StreamGate | undefined;
  #say: (line: string) => void;
  /** The stack's own node; undefined on an existing chain. */
  #node: LocalNode | undefined;
  #services = new Map<Service, Supervised>();
  #stopping = false;
  #started = false;

  constructor(settings: StackSettings, ports: Ports, say: (line: string) => void) {
    this.settings = settings;
    this.ports = ports;
    this.#say = say;
    this.rpcUrl = settings.chain.kind === "local" ? `http://127.0.0.1:${ports.node}` : settings.chain.rpcUrl;
    this.logsDir = path.join(settings.dataDir, "logs");
    if (settings.chain.kind === "local") {
      this.#node = new LocalNode({
        settings,
        port: ports.node,
        rpcUrl: this.rpcUrl,
        logFile: this.#log("node"),
        say,
        stopping: () => this.#stopping,
        onFatal: (message) => this.onFatal(message),
        pauseWriters: () => this.#pauseWriters(),
      });
    }
  }

  get indexerUrl(): string {
    return `http://127.0.0.1:${this.ports.indexer}`;
  }
  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }

  async start(deployment?: Deployment): Promise<void> {
    const { settings } = this;
    mkdirSync(this.logsDir, { recursive: true });
    writeFileSync(lockFile(settings.dataDir), `${process.pid}\n`);
    // Data of another version or other contracts goes aside before the node replays any of it.
    this.#reportMove(
      settleDataFormat(settings.dataDir, settings.chain.kind === "local" ? { code: contractsCode() } : {}),
    );
    if (settings.chain.kind === "local") {
      await this.#node!.start();
      this.#checkStop();
      const started = Date.now();
      const local = await ensureLocalDeployment({
        rpcUrl: this.rpcUrl,
        dir: path.join(settings.dataDir, "deployment"),
        chainId: LOCAL_CHAIN_ID,
        logFile: this.#log("deploy"),
        env: baseEnv(settings),
      });
      this.#reportMove(settleDeployment(settings.dataDir, local.deployment, { fresh: !local.reused }));
      if (!local.reused && settings.databaseUrl !== undefined) {
        this.#say(
          "!!  a new local chain was deployed: the database at DATABASE_URL may still hold the index and metering of an earlier one",
        );
      }
      this.deployment = local.deployment;
      this.deploymentFile = local.file;
      this.#say(
        local.reused
          ? `ok  deployment reused: Market ${local.deployment.contracts.Market}`
          : `ok  contracts deployed: Market ${local.deployment.contracts.Market} (${seconds(started)})`,
      );
    } else {
      this.deployment = deployment;
      this.deploymentFile = settings.chain.deploymentFile;
      if (deployment !== undefined) this.#reportMove(settleDeployment(settings.dataDir, deployment, { fresh: false }));
    }
    this.#checkStop();

    // The matcher publishes its proposals there and the API serves them, whichever starts first.
    mkdirSync(path.join(settings.dataDir, "matcher"), { recursive: true });
    mkdirSync(path.join(settings.dataDir, "keeper"), { recursive: true });
    // The indexer, the API and the demo's seeder need only the chain and the deployment: they start
    // together (the indexer follows the history as the demo writes it). The first to fail fails the
    // start; the stop that follows ends the others' waits.
    await Promise.all([
      this.#startService("indexer", () => waitForIndexer(this.#awaited("indexer"), this.indexerUrl, this.#say)),
      this.#startService("api", () => waitForHttp(this.#awaited("api"), `${this.apiUrl}/health`)),
      ...(settings.demo
        ? [this.#startService("demo", () => waitFor(this.#awaited("demo"), () => this.demoSeeded, 30 * 60_000))]
        : []),
    ]);
    // The demo's seeder sends with the matcher's key while it writes history: the matcher waits for it.
    await this.#startService("matcher");
    if (settings.keeperKey !== undefined) await this.#startService("keeper");
    this.#started = true;
  }

  /**
   * Resolves once every block the node has mined so far is in the journal (the origin holds a sent
   * transaction's answer until then). Nothing to wait for on an existing chain.
   * @throws {Error} when the blocks are not journaled in time
   */
  async durable(): Promise<void> {
    await this.#node?.durable();
  }

  /** Why /rpc is closed now, or undefined. */
  rpcClosed(): string | undefined {
    return this.#node?.restarting;
  }

  /** Ends the running services that send transactions; resolves to what starts them again. */
  async #pauseWriters(): Promise<() => void> {
    const paused = WRITERS.filter((s) => this.#services.get(s)?.state === "running");
    await Promise.all(paused.map((s) => this.#services.get(s)!.end()));
    return () => {
      for (const service of paused) this.#services.get(service)!.start();
    };
  }

  #reportMove(moved: MovedAside | undefined): void {
    if (moved !== undefined) this.#say(describeMove(moved, this.settings.dataDir));
  }

  #log(name: string): string {
    return path.join(this.logsDir, `${name}.log`);
  }

  #demoEvent(line: string): void {
    let event: { event?: unknown; message?: unknown };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return;
    }
    if (event.event === "progress" && typeof event.message === "string") this.#say(`    demo: ${event.message}`);
    if (event.event === "seeded") this.demoSeeded = true;
  }

  async #startService(service: Service, ready?: () => Promise<void>): Promise<void> {
    this.#checkStop();
    const started = Date.now();
    this.#say(`..  ${LABEL[service]} starting`);
    const site = {
      settings: this.settings,
      ports: this.ports,
      rpcUrl: this.rpcUrl,
      indexerUrl: this.indexerUrl,
      apiUrl: this.apiUrl,
      deploymentFile: this.deploymentFile!,
      logFile: (name: string) => this.#log(name),
    };
    const child = new Supervised(
      serviceSpec(service, site, (line) => this.#demoEvent(line)),
      {
        onCrash: (name, exit, restartInMs) => {
          if (this.#stopping) return;
          this.#say(
            `!!  ${LABEL[name as Service]} stopped (${exit}); restarting in ${(restartInMs ?? 0) / 1000} s; see ${this.#log(name)}`,
          );
        },
      },
    );
    this.#services.set(service, child);
    child.start();
    if (ready !== undefined) await ready();
    this.#say(`ok  ${LABEL[service]} ${ready === undefined ? "started" : "ready"} (${seconds(started)})`);
  }

  /** A service as its readiness wait sees it. */
  #awaited(service: Service): AwaitedPart {
    return {
      label: LABEL[service],
      child: () => this.#services.get(service),
      logFile: this.#log(service),
      stopping: () => this.#stopping,
    };
  }

  #checkStop(): void {
    checkStop(() => this.#stopping);
  }

  /** The browser's view of the stack (GET /config.json); undefined until the deployment is known. */
  browserConfig(): StackConfig | undefined {
    return browserConfig(this.settings, this.deployment);
  }

  /** What a proxy says when the part behind it does not answer. */
  describe(part: "api" | "indexer" | "chain"): string {
    if (this.#stopping) return "the stack is stopping";
    const child = part === "chain" ? this.#node?.process : this.#services.get(part);
    const name = part === "chain" ? "the chain" : `the ${LABEL[part]}`;
    if (child === undefined) return part === "chain" ? `${name} does not answer` : `${name} is not started yet`;
    return `${name} is ${child.state === "running" ? "not answering" : child.state}`;
  }

  /** Each part's state (health.ts); healthy when every part that runs is up. */
  async health(): Promise<{ healthy: boolean; body: unknown }> {
    const head = await rpcCall(this.rpcUrl, "eth_blockNumber", [], 2_000).then(Number, () => null);
    const [indexer, api, graphql] = await Promise.all([
      indexerHealth(this.indexerUrl),
      fetch(`${this.apiUrl}/health`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.ok,
        () => false,
      ),
      graphqlThroughOrigin(this.originUrl),
    ]);
    const services: Partial<Record<Service, ProcessView>> = {};
    for (const [service, child] of this.#services) services[service] = { state: child.state, restarts: child.restarts };
    return healthReport({
      settings: this.settings,
      head,
      nodeRestarting: this.#node?.restarting !== undefined,
      node: this.#node?.process,
      journaledBlock: this.#node?.journaledBlock ?? null,
      deployment: this.deployment,
      indexer,
      api,
      graphql,
      subscriptions:
        this.streams !== undefined ? { open: this.streams.open, limit: this.streams.limits.total } : undefined,
      services,
      demoSeeded: this.demoSeeded,
      keeper: readKeeperStatus(keeperStatusFile(this.settings)),
      webBuilt: existsSync(path.join(ROOT, "frontend", "dist", "index.html")),
      stopping: this.#stopping,
      started: this.#started,
    });
  }

  /**
   * Stops the services (STOP_ORDER), records the chain up to its head, then stops the node: after
   * it returns, nothing the stack started runs and the journal holds every block the node answered.
   * The whole stop takes at most STOP_BUDGET_MS: whatever has not ended by then (a service waiting
   * on a hung node) is killed and named.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#node?.unwatch();
    const deadline = Date.now() + STOP_BUDGET_MS;
    const left = () => Math.max(0, deadline - Date.now());
    for (const service of STOP_ORDER) {
      const child = this.#services.get(service);
      if (child === undefined) continue;
      this.#say(`..  stopping ${LABEL[service]}`);
      if (
        (await within(
          child.stop().then(() => true),
          left(),
        )) === false
      ) {
        this.#say(`!!  the ${LABEL[service]} did not stop in time: killed`);
        await child.end();
      }
    }
    await this.#node?.stop(left);
    rmSync(lockFile(this.settings.dataDir), { force: true });
  }

  /** Kills every child at once (a second Ctrl-C); the journal keeps what it has. */
  kill(): void {
    this.#stopping = true;
    for (const child of this.#services.values()) child.kill();
    this.#node?.kill();
  }
}
