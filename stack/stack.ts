// The whole exchange on one machine: the chain (a local Hardhat node whose history is journaled and
// replayed, or an existing chain), the deployment, the indexer, the backend API, the demo market,
// the matcher and the keeper, started in that order and stopped in the reverse one.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { createPublicClient, http, type PublicClient } from "viem";

import { demoAccounts } from "../protocol/accounts.ts";
import type { Deployment } from "../protocol/deployment.ts";
import type { StackConfig } from "../protocol/stack-config.ts";
import { ChainJournal } from "./chain/journal.ts";
import { ChainRecorder, readBlock } from "./chain/recorder.ts";
import { catchUpClock, replayJournal } from "./chain/replay.ts";
import { rpcCall } from "./chain/rpc.ts";
import { ROOT, type StackSettings } from "./config.ts";
import { ensureLocalDeployment } from "./deploy.ts";
import { lockFile } from "./preflight.ts";
import { type ChildSpec, Supervised } from "./processes.ts";
import type { StreamGate } from "./stream-gate.ts";

const HARDHAT = "node_modules/hardhat/dist/src/cli.js";
const LOCAL_CHAIN_ID = 31337;
/** How far back a fresh demo chain starts, so the demo can write three days of history. */
const DEMO_HISTORY_MS = 3 * 24 * 3600 * 1000;

/** The stack's own secrets and settings: children get only what is meant for them. */
const NOT_INHERITED = [
  "HOST",
  "PORT",
  "RPC_URL",
  "DEPLOYMENT",
  "DATABASE_URL",
  "DATA_DIR",
  "NODE_PORT",
  "INDEXER_PORT",
  "API_PORT",
  "DEMO",
  "MATCHER_PRIVATE_KEY",
  "MATCHER_KEYSTORE",
  "MATCHER_KEYSTORE_PASSWORD",
  "KEEPER_PRIVATE_KEY",
  "DEPLOYER_PRIVATE_KEY",
  "SETTLEMENT_TOKEN",
  "BOOK_FILE",
  "EXPLORER_TX_URL",
  "CHAIN_NAME",
  "CCEX_STACK_INITIAL_DATE",
  "EXPOSE_DEV_KEYS",
  "ALLOWED_HOSTS",
];

export type PartName = "chain" | "deployment" | "indexer" | "api" | "demo" | "matcher" | "keeper" | "web";
type Service = "indexer" | "api" | "demo" | "matcher" | "keeper";
/** The demo first: it sends the most transactions, and what it leaves pending the matcher and keeper may still settle. */
const STOP_ORDER: Service[] = ["demo", "keeper", "matcher", "api", "indexer"];
/** The services that send transactions: paused while the node is rebuilt from the journal. */
const WRITERS: Service[] = ["demo", "keeper", "matcher"];
/** How long a whole stop may take: a service or node that has not ended by then is killed. */
const STOP_BUDGET_MS = 30_000;
/** How often the node is asked for its head, and how long it may go without answering before it is restarted. */
const NODE_PROBE_MS = 5_000;
const NODE_STALL_MS = 30_000;
/** How long a sent transaction's answer waits for its block to be journaled. */
const DURABLE_WAIT_MS = 10_000;

export class StartError extends Error {
  override name = "StartError";
}
/** Start-up was cut short by a stop request. */
export class StartAborted extends Error {
  override name = "StartAborted";
}

/** `gateway`: the loopback port through which the stack's own services send to the local node (0 on an existing chain). */
export type Ports = { node: number; indexer: number; api: number; gateway: number };

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
  #node: Supervised | undefined;
  #journal: ChainJournal | undefined;
  #recorder: ChainRecorder | undefined;
  #client: PublicClient;
  #services = new Map<Service, Supervised>();
  #stopping = false;
  #started = false;
  /** Set while the node is being rebuilt from the journal, saying why. */
  #nodeRestart: string | undefined;
  #nodeAnsweredAt = Date.now();
  #watchdog: NodeJS.Timeout | undefined;
  #initialDate = "";

  constructor(settings: StackSettings, ports: Ports, say: (line: string) => void) {
    this.settings = settings;
    this.ports = ports;
    this.#say = say;
    this.rpcUrl = settings.chain.kind === "local" ? `http://127.0.0.1:${ports.node}` : settings.chain.rpcUrl;
    this.logsDir = path.join(settings.dataDir, "logs");
    this.#client = createPublicClient({ transport: http(this.rpcUrl, { retryCount: 0 }) });
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
    if (settings.chain.kind === "local") {
      await this.#startLocalChain();
      this.#checkStop();
      const started = Date.now();
      const local = await ensureLocalDeployment({
        rpcUrl: this.rpcUrl,
        dir: path.join(settings.dataDir, "deployment"),
        chainId: LOCAL_CHAIN_ID,
        logFile: this.#log("deploy"),
        env: this.#baseEnv(),
      });
      if (!local.reused) this.#forgetDerivedState();
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
    }
    this.#checkStop();

    // The matcher publishes its proposals there and the API serves them, whichever starts first.
    mkdirSync(path.join(settings.dataDir, "matcher"), { recursive: true });
    // The indexer, the API and the demo's seeder need only the chain and the deployment: they start
    // together (the indexer follows the history as the demo writes it). The first to fail fails the
    // start; the stop that follows ends the others' waits.
    await Promise.all([
      this.#startService("indexer", () => this.#waitForIndexer()),
      this.#startService("api", () => this.#waitForHttp(`${this.apiUrl}/health`, "api")),
      ...(settings.demo
        ? [this.#startService("demo", () => this.#waitFor("demo", () => this.demoSeeded, 30 * 60_000))]
        : []),
    ]);
    // The demo's seeder sends with the matcher's key while it writes history: the matcher waits for it.
    await this.#startService("matcher");
    if (settings.keeperKey !== undefined) await this.#startService("keeper");
    this.#started = true;
  }

  async #startLocalChain(): Promise<void> {
    const { settings } = this;
    const chainDir = path.join(settings.dataDir, "chain");
    mkdirSync(chainDir, { recursive: true });
    const journalFile = path.join(chainDir, "journal.jsonl");
    const journal = await ChainJournal.open(journalFile);
    if (journal?.tornTail) {
      const { bytes, block } = journal.tornTail;
      this.#say(
        `!!  the journal's last line was cut short by a crash: ${bytes} bytes${block === null ? "" : ` of block ${block}`} dropped. No transaction of it was acknowledged through the origin; transactions sent straight to the node in it are gone`,
      );
    }
    // The genesis block is fixed by the initial date: a replay needs the first start's date again.
    this.#initialDate = journal?.header.initialDate ?? isoSeconds(Date.now() - (settings.demo ? DEMO_HISTORY_MS : 0));
    await this.#launchNode();
    const genesisHash = (await rpcCall(this.rpcUrl, "eth_getBlockByNumber", ["0x0", false])).hash as `0x${string}`;

    if (journal === undefined) {
      this.#journal = await ChainJournal.create(journalFile, {
        v: 1,
        chainId: LOCAL_CHAIN_ID,
        initialDate: this.#initialDate,
        genesisHash,
      });
    } else {
      this.#journal = journal;
      if (genesisHash !== journal.header.genesisHash) {
        this.#say(
          `!!  the node's genesis block differs from the journal's (Hardhat or its configuration changed): the replayed blocks get new hashes`,
        );
      }
      await this.#replay(journal);
    }
    await this.#startRecorder();
    this.#nodeAnsweredAt = Date.now();
    this.#watchdog = setInterval(() => void this.#watchNode(), NODE_PROBE_MS);
    this.#watchdog.unref();
  }

  /** Starts the node process (a new one, or the same spec again after a restart) and waits until it answers. */
  async #launchNode(): Promise<void> {
    const started = Date.now();
    this.#say(`..  chain node starting on 127.0.0.1:${this.ports.node}`);
    this.#node ??= new Supervised(
      {
        name: "node",
        script: HARDHAT,
        args: ["--network", "stack", "node", "--hostname", "127.0.0.1", "--port", String(this.ports.node)],
        env: { ...this.#baseEnv(), CCEX_STACK_INITIAL_DATE: this.#initialDate },
        logFile: this.#log("node"),
        // The node echoes every JSON-RPC call it serves (several a second from the indexer, the
        // recorder and the page): kept only when debugging, its errors go to stderr either way.
        discardStdout: this.settings.logLevel !== "debug" && this.settings.logLevel !== "trace",
        restart: false,
        stopTimeoutMs: 5_000,
      },
      {
        onCrash: (_name, exit) => {
          if (!this.#stopping && this.#nodeRestart === undefined)
            this.onFatal(`the chain node stopped unexpectedly (${exit}); see ${this.#log("node")}`);
        },
      },
    );
    const node = this.#node;
    node.start();
    await this.#waitFor("node", async () => {
      if (node.state === "failed")
        throw new StartError(`the chain node did not start (${node.lastExit}): ${lastLine(this.#log("node"))}`);
      return rpcCall(this.rpcUrl, "eth_chainId", [], 2_000).then(
        () => true,
        () => false,
      );
    });
    this.#say(`ok  chain node ready (${seconds(started)})`);
  }

  /** Mines the journal's blocks again into the fresh node, then moves its clock up to now. */
  async #replay(journal: ChainJournal): Promise<void> {
    if (journal.head > 0) {
      this.#say(
        `..  replaying ${journal.head} blocks from ${path.relative(process.cwd(), journal.file) || journal.file}`,
      );
      const report = await replayJournal(this.rpcUrl, journal, (done) =>
        this.#say(`    ${done} of ${journal.head} blocks`),
      );
      const rate = Math.round(report.blocks / Math.max(report.ms / 1000, 0.001));
      this.#say(
        `ok  replayed ${report.blocks} blocks, ${report.transactions} transactions in ${(report.ms / 1000).toFixed(1)} s (${rate} blocks/s)`,
      );
      if (report.firstMismatch === null) {
        this.#say("ok  block hashes match the journal");
      } else {
        this.#say(
          `!!  replayed block ${report.firstMismatch} has another hash than the journal records; the indexer will see a re-org from there. The journal now records the replayed chain`,
        );
        await this.#rewriteJournal(journal);
      }
    }
    if (await catchUpClock(this.rpcUrl)) this.#say("ok  chain clock moved up to now");
  }

  async #startRecorder(): Promise<void> {
    this.#recorder = new ChainRecorder({
      client: this.#client,
      journal: this.#journal!,
      onError: (error) => {
        if (!this.#stopping && this.#nodeRestart === undefined)
          this.#say(`!!  recording the chain failed: ${error.message}`);
      },
    });
    await this.#recorder.catchUp();
    this.#recorder.start();
  }

  /** Asks the node for its head now and then; one that stays silent too long is rebuilt. */
  async #watchNode(): Promise<void> {
    if (this.#stopping || this.#nodeRestart !== undefined || this.#node?.state !== "running") return;
    const answered = await rpcCall(this.rpcUrl, "eth_blockNumber", [], NODE_PROBE_MS - 1_000).then(
      () => true,
      () => false,
    );
    if (answered) this.#nodeAnsweredAt = Date.now();
    else if (Date.now() - this.#nodeAnsweredAt > NODE_STALL_MS)
      await this.restartNode(`has not answered for ${Math.round((Date.now() - this.#nodeAnsweredAt) / 1000)} s`);
  }

  /**
   * Replaces a node that runs but no longer answers: the services that send transactions pause, the
   * node is killed and a fresh one replays the journal, which holds every block whose transactions
   * were acknowledged through the origin. Blocks mined after the journal's head are gone with the old
   * node; nobody was told they were final.
   */
  async restartNode(why: string): Promise<void> {
    if (this.#stopping || this.#nodeRestart !== undefined || this.#node === undefined) return;
    this.#nodeRestart = `the chain node is restarting (it ${why})`;
    this.#say(`!!  the chain node ${why}: restarting it from the journal`);
    try {
      const paused = WRITERS.filter((s) => this.#services.get(s)?.state === "running");
      await Promise.all(paused.map((s) => this.#services.get(s)!.end()));
      await this.#recorder?.halt();
      await this.#node.end();
      await this.#launchNode();
      await this.#replay(this.#journal!);
      await this.#startRecorder();
      this.#nodeAnsweredAt = Date.now();
      for (const service of paused) this.#services.get(service)!.start();
      this.#say(`ok  chain node restarted at block ${this.#journal!.head}`);
    } catch (error) {
      if (!this.#stopping) this.onFatal(`the chain node could not be restarted: ${(error as Error).message}`);
    } finally {
      this.#nodeRestart = undefined;
    }
  }

  /**
   * Resolves once every block the node has mined so far is in the journal (the origin holds a sent
   * transaction's answer until then). Nothing to wait for on an existing chain.
   * @throws {Error} when the blocks are not journaled within DURABLE_WAIT_MS
   */
  async durable(): Promise<void> {
    const journal = this.#journal;
    const recorder = this.#recorder;
    if (journal === undefined || recorder === undefined) return;
    const head = Number(await rpcCall(this.rpcUrl, "eth_blockNumber", [], DURABLE_WAIT_MS));
    const deadline = Date.now() + DURABLE_WAIT_MS;
    while (journal.head < head) {
      if (Date.now() > deadline) throw new Error(`block ${head} is not journaled after ${DURABLE_WAIT_MS / 1000} s`);
      await recorder.catchUp();
    }
  }

  /** Why /rpc is closed now, or undefined. */
  rpcClosed(): string | undefined {
    return this.#nodeRestart;
  }

  async #rewriteJournal(journal: ChainJournal): Promise<void> {
    const blocks = [];
    for (let n = 1; n <= journal.head; n++) {
      const { parentHash: _, ...block } = await readBlock(this.#client, n);
      blocks.push(block);
    }
    await journal.rewrite(blocks);
  }

  /** A new chain: the indexer's, matcher's and demo's files describe one that no longer exists. */
  #forgetDerivedState(): void {
    for (const dir of ["indexer", "matcher", "demo", "metering"])
      rmSync(path.join(this.settings.dataDir, dir), { recursive: true, force: true });
    if (this.settings.databaseUrl !== undefined) {
      this.#say(
        "!!  a new local chain was deployed: the database at DATABASE_URL may still hold the index of an earlier one",
      );
    }
  }

  #log(name: string): string {
    return path.join(this.logsDir, `${name}.log`);
  }

  #baseEnv(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    for (const name of NOT_INHERITED) delete env[name];
    env.LOG_LEVEL = this.settings.logLevel;
    return env;
  }

  #spec(service: Service): ChildSpec {
    const { settings } = this;
    const base = this.#baseEnv();
    const chain = { RPC_URL: this.rpcUrl, DEPLOYMENT: this.deploymentFile! };
    // Services that send transactions go through the gateway: their sends are answered once journaled.
    const sender = {
      ...chain,
      ...(this.ports.gateway !== 0 ? { RPC_URL: `http://127.0.0.1:${this.ports.gateway}` } : {}),
    };
    const proposals = path.join(settings.dataDir, "matcher", "proposals.json");
    const common = { name: service, logFile: this.#log(service), restart: true, stopTimeoutMs: 10_000 };
    switch (service) {
      case "indexer":
        return {
          ...common,
          script: "indexer/main.ts",
          env: {
            ...base,
            RPC_URL: this.rpcUrl,
            ...(settings.chain.kind === "local" ? { INDEXER_WS_URL: `ws://127.0.0.1:${this.ports.node}` } : {}),
            ...(settings.databaseUrl !== undefined
              ? { DATABASE_URL: settings.databaseUrl }
              : { INDEXER_DATA_DIR: path.join(settings.dataDir, "indexer") }),
            INDEXER_DEPLOYMENT: this.deploymentFile!,
            INDEXER_ROLE: "all",
            INDEXER_HOST: "127.0.0.1",
            INDEXER_PORT: String(this.ports.indexer),
          },
        };
      case "api":
        return {
          ...common,
          script: "backend/main.ts",
          env: {
            ...base,
            ...chain,
            HOST: "127.0.0.1",
            PORT: String(this.ports.api),
            PROPOSALS_FILE: proposals,
            // The metering service's series (docs/metering.md): beside the indexer's database.
            ...(settings.databaseUrl !== undefined
              ? { DATABASE_URL: settings.databaseUrl }
              : { METERING_DATA_DIR: path.join(settings.dataDir, "metering") }),
            // Behind the stack's proxy: the visitor's address is in X-Forwarded-For.
            TRUST_PROXY_HOPS: "1",
          },
        };
      case "demo":
        return {
          ...common,
          script: "stack/demo/main.ts",
          env: { ...base, ...sender, DATA_DIR: path.join(settings.dataDir, "demo"), API_URL: this.apiUrl },
          onLine: (line) => this.#demoEvent(line),
        };
      case "matcher":
        return {
          ...common,
          script: "backend/matcher/main.ts",
          env: {
            ...base,
            ...sender,
            ...("privateKey" in settings.matcherKey
              ? { MATCHER_PRIVATE_KEY: settings.matcherKey.privateKey }
              : {
                  MATCHER_KEYSTORE: settings.matcherKey.keystore,
                  MATCHER_KEYSTORE_PASSWORD: settings.matcherKey.password,
                }),
            MATCHER_INTERVAL_MS: String(settings.matcherIntervalMs),
            MATCHER_DATA_DIR: path.join(settings.dataDir, "matcher"),
            MATCHER_PROPOSALS_FILE: proposals,
            INDEXER_URL: `${this.indexerUrl}/graphql`,
          },
        };
      case "keeper":
        return {
          ...common,
          script: "backend/keeper/main.ts",
          env: { ...base, ...sender, KEEPER_PRIVATE_KEY: settings.keeperKey! },
        };
    }
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
    const child = new Supervised(this.#spec(service), {
      onCrash: (name, exit, restartInMs) => {
        if (this.#stopping) return;
        this.#say(
          `!!  ${LABEL[name as Service]} stopped (${exit}); restarting in ${(restartInMs ?? 0) / 1000} s; see ${this.#log(name)}`,
        );
      },
    });
    this.#services.set(service, child);
    child.start();
    if (ready !== undefined) await ready();
    this.#say(`ok  ${LABEL[service]} ${ready === undefined ? "started" : "ready"} (${seconds(started)})`);
  }

  async #waitForIndexer(): Promise<void> {
    let lastNote = Date.now();
    await this.#waitFor("indexer", async () => {
      const health = await this.#indexerHealth();
      if (health?.ready === true) return true;
      if (health !== undefined && Date.now() - lastNote > 10_000) {
        lastNote = Date.now();
        this.#say(
          health.headBlock === null || health.phase === "starting"
            ? `    indexer ${health.phase ?? "starting"}`
            : `    indexer catching up: block ${health.indexedBlock ?? "-"} of ${health.headBlock}`,
        );
      }
      return false;
    });
  }

  async #waitForHttp(url: string, service: Service): Promise<void> {
    await this.#waitFor(service, () =>
      fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.ok,
        () => false,
      ),
    );
  }

  /**
   * Polls `check` until it is true. A service that dies before it is ready fails the start (rather
   * than being retried forever), as does a stop request.
   */
  async #waitFor(
    service: Service | "node",
    check: () => boolean | Promise<boolean>,
    timeoutMs = 10 * 60_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#checkStop();
      const child = service === "node" ? this.#node : this.#services.get(service);
      if (child !== undefined && child.restarts > 0) {
        throw new StartError(
          `the ${service === "node" ? "chain node" : LABEL[service]} stopped during start-up (${child.lastExit}): ${lastLine(this.#log(service))}`,
        );
      }
      if (await check()) return;
      if (Date.now() > deadline)
        throw new StartError(
          `the ${service === "node" ? "chain node" : LABEL[service]} was not ready within ${timeoutMs / 1000} s; see ${this.#log(service)}`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  #checkStop(): void {
    if (this.#stopping) throw new StartAborted("stopped during start-up");
  }

  async #indexerHealth(): Promise<
    | {
        ok: boolean;
        ready: boolean;
        phase: string;
        headBlock: number | null;
        indexedBlock: number | null;
        blocksBehind: number | null;
      }
    | undefined
  > {
    try {
      const response = await fetch(`${this.indexerUrl}/health`, { signal: AbortSignal.timeout(2_000) });
      return (await response.json()) as never;
    } catch {
      return undefined;
    }
  }

  /** The browser's view of the stack (GET /config.json); undefined until the deployment is known. */
  browserConfig(): StackConfig | undefined {
    if (this.deployment === undefined) return undefined;
    const local = this.settings.chain.kind === "local";
    return {
      chainId: this.deployment.chainId,
      chainName: this.settings.chainName ?? (local ? "CCEX local" : `chain ${this.deployment.chainId}`),
      rpcUrl: "/rpc",
      graphqlUrl: "/graphql",
      apiUrl: "/api",
      deployment: this.deployment,
      local,
      // The menu lets a newcomer play every side of a local chain, with or without the seeded market.
      demoAccounts: local ? demoAccounts().map(({ role, address, privateKey }) => ({ role, address, privateKey })) : [],
      explorerTxUrl: this.settings.explorerTxUrl,
    };
  }

  /** What a proxy says when the part behind it does not answer. */
  describe(part: "api" | "indexer" | "chain"): string {
    if (this.#stopping) return "the stack is stopping";
    const child = part === "chain" ? this.#node : this.#services.get(part);
    const name = part === "chain" ? "the chain" : `the ${LABEL[part]}`;
    if (child === undefined) return part === "chain" ? `${name} does not answer` : `${name} is not started yet`;
    return `${name} is ${child.state === "running" ? "not answering" : child.state}`;
  }

  /** Each part's state; healthy when every part that runs is up. No pids or paths: /health is public. */
  async health(): Promise<{ healthy: boolean; body: unknown }> {
    const parts: Record<PartName, Record<string, unknown> & { state: string }> = {} as never;
    const head = await rpcCall(this.rpcUrl, "eth_blockNumber", [], 2_000).then(Number, () => null);
    const local = this.#node !== undefined;
    parts.chain = {
      state:
        this.#nodeRestart !== undefined
          ? "restarting"
          : head !== null
            ? "up"
            : // A node process that runs but does not answer is busy or hung, not gone.
              local && this.#node!.state === "running"
              ? "not answering"
              : "down",
      kind: this.settings.chain.kind,
      head,
      ...(local ? { journaledBlock: this.#journal?.head ?? null } : {}),
    };
    parts.deployment =
      this.deployment === undefined
        ? { state: "starting" }
        : { state: "up", chainId: this.deployment.chainId, market: this.deployment.contracts.Market };
    const [indexer, api, graphql] = await Promise.all([
      this.#indexerHealth(),
      fetch(`${this.apiUrl}/health`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.ok,
        () => false,
      ),
      this.#graphqlThroughOrigin(),
    ]);
    const indexerUp = indexer?.ok === true && indexer.ready;
    parts.indexer = {
      ...this.#processState("indexer", indexerUp && graphql !== false),
      phase: indexer?.phase ?? null,
      indexedBlock: indexer?.indexedBlock ?? null,
      blocksBehind: indexer?.blocksBehind ?? null,
      ...(this.streams !== undefined
        ? { subscriptions: { open: this.streams.open, limit: this.streams.limits.total } }
        : {}),
      ...(indexerUp && graphql === false ? { problem: "/graphql does not answer through the origin" } : {}),
    };
    parts.api = this.#processState("api", api);
    parts.matcher = this.#processState("matcher", true);
    parts.keeper = this.settings.keeperKey === undefined ? { state: "off" } : this.#processState("keeper", true);
    parts.demo = this.settings.demo
      ? { ...this.#processState("demo", this.demoSeeded), seeded: this.demoSeeded }
      : { state: "off" };
    const built = existsSync(path.join(ROOT, "frontend", "dist", "index.html"));
    parts.web = built ? { state: "up" } : { state: "down", problem: "the web market is not built: run npm run build" };
    const healthy = Object.values(parts).every((p) => p.state === "up" || p.state === "off");
    const status = this.#stopping ? "stopping" : healthy ? "ok" : this.#started ? "degraded" : "starting";
    return { healthy: healthy && !this.#stopping, body: { status, parts } };
  }

  /** A query through the public origin (undefined before it listens): the path a page takes to the indexer. */
  async #graphqlThroughOrigin(): Promise<boolean | undefined> {
    if (this.originUrl === undefined) return undefined;
    try {
      const response = await fetch(`${this.originUrl}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"query":"{ __typename }"}',
        signal: AbortSignal.timeout(2_000),
      });
      return response.ok;
    } catch {
      return false;
    }
  }

  #processState(service: Service, answering: boolean): { state: string; restarts: number } {
    const child = this.#services.get(service);
    if (child === undefined) return { state: "starting", restarts: 0 };
    const state = child.state === "running" ? (answering ? "up" : "starting") : child.state;
    return { state, restarts: child.restarts };
  }

  /**
   * Stops the services (STOP_ORDER), records the chain up to its head, then stops the node: after
   * it returns, nothing the stack started runs and the journal holds every block the node answered.
   * The whole stop takes at most STOP_BUDGET_MS: whatever has not ended by then (a service waiting
   * on a hung node) is killed and named.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#watchdog);
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
    if (this.#recorder !== undefined && this.#node?.state === "running") {
      const flushed = await within(
        this.#recorder.stop().catch((error: Error) => {
          this.#say(`!!  the chain journal could not record the last blocks: ${error.message}`);
          return undefined;
        }),
        Math.min(left(), 10_000),
      );
      if (flushed === false)
        this.#say(
          `!!  the chain node does not answer: the journal ends at block ${this.#journal?.head}; blocks after it were never acknowledged through the origin`,
        );
      else if (flushed !== undefined) this.#say(`ok  chain journal complete up to block ${flushed}`);
    }
    await this.#recorder?.halt();
    await this.#journal?.close().catch(() => undefined);
    if (this.#node !== undefined) {
      this.#say("..  stopping chain node");
      if (
        (await within(
          this.#node.stop().then(() => true),
          Math.max(left(), 1_000),
        )) === false
      )
        await this.#node.end();
    }
    rmSync(lockFile(this.settings.dataDir), { force: true });
  }

  /** Kills every child at once (a second Ctrl-C); the journal keeps what it has. */
  kill(): void {
    this.#stopping = true;
    for (const child of [...this.#services.values(), this.#node]) child?.kill();
  }
}

const LABEL: Record<Service, string> = {
  indexer: "indexer",
  api: "API",
  demo: "demo market",
  matcher: "matcher",
  keeper: "keeper",
};

/** The promise's value, or false when it has not settled within `ms` (it keeps running). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | false> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** The last non-empty line of a log, to put in a one-line error. */
function lastLine(file: string): string {
  try {
    const lines = readFileSync(file, "utf8").trim().split("\n");
    const line = lines.at(-1) ?? "";
    try {
      const json = JSON.parse(line) as { msg?: string; err?: { message?: string } };
      return [json.msg, json.err?.message].filter(Boolean).join(": ") || line;
    } catch {
      return line.slice(0, 300);
    }
  } catch {
    return `no log at ${file}`;
  }
}
