// The stack's own chain: a local Hardhat node whose history is journaled and replayed. Starts the
// node (replaying the journal into it when there is one), records every block it mines, watches
// that it keeps answering and rebuilds it from the journal when it does not, and stops it with the
// journal complete.
import { mkdirSync } from "node:fs";
import path from "node:path";

import { createPublicClient, http, type PublicClient } from "viem";

import type { StackSettings } from "../config.ts";
import { within } from "../deadline.ts";
import { Supervised } from "../processes.ts";
import { lastLine, StartError, seconds, waitFor } from "../readiness.ts";
import { baseEnv } from "../services.ts";
import { ChainJournal } from "./journal.ts";
import { ChainRecorder, readBlock } from "./recorder.ts";
import { catchUpClock, replayJournal } from "./replay.ts";
import { rpcCall } from "./rpc.ts";

const HARDHAT = "node_modules/hardhat/dist/src/cli.js";
export const LOCAL_CHAIN_ID = 31337;
/** How far back a fresh demo chain starts, so the demo can write three days of history. */
const DEMO_HISTORY_MS = 3 * 24 * 3600 * 1000;
/** How often the node is asked for its head, and how long it may go without answering before it is restarted. */
const NODE_PROBE_MS = 5_000;
const NODE_STALL_MS = 30_000;
/** How long a sent transaction's answer waits for its block to be journaled. */
const DURABLE_WAIT_MS = 10_000;

export type LocalNodeOptions = {
  settings: Pick<StackSettings, "dataDir" | "demo" | "logLevel">;
  port: number;
  rpcUrl: string;
  logFile: string;
  say: (line: string) => void;
  /** True once the stack is stopping: the node's end is then expected. */
  stopping: () => boolean;
  /** Called when the node fails and cannot be rebuilt: the stack cannot run without it. */
  onFatal: (message: string) => void;
  /** Pauses the services that send transactions while the node is rebuilt; resolves to what resumes them. */
  pauseWriters: () => Promise<() => void>;
};

export class LocalNode {
  readonly #options: LocalNodeOptions;
  readonly #client: PublicClient;
  #node: Supervised | undefined;
  #journal: ChainJournal | undefined;
  #recorder: ChainRecorder | undefined;
  /** Set while the node is being rebuilt from the journal, saying why. */
  #nodeRestart: string | undefined;
  #nodeAnsweredAt = Date.now();
  #watchdog: NodeJS.Timeout | undefined;
  #initialDate = "";

  constructor(options: LocalNodeOptions) {
    this.#options = options;
    this.#client = createPublicClient({ transport: http(options.rpcUrl, { retryCount: 0 }) });
  }

  /** The node process's state; undefined until it is launched. */
  get process(): Supervised | undefined {
    return this.#node;
  }

  /** The last block the journal holds; null before it is open. */
  get journaledBlock(): number | null {
    return this.#journal?.head ?? null;
  }

  /** Why /rpc is closed now (the node is being rebuilt from the journal), or undefined. */
  get restarting(): string | undefined {
    return this.#nodeRestart;
  }

  async start(): Promise<void> {
    const { settings, say, rpcUrl } = this.#options;
    const chainDir = path.join(settings.dataDir, "chain");
    mkdirSync(chainDir, { recursive: true });
    const journalFile = path.join(chainDir, "journal.jsonl");
    const journal = await ChainJournal.open(journalFile);
    if (journal?.tornTail) {
      const { bytes, block } = journal.tornTail;
      say(
        `!!  the journal's last line was cut short by a crash: ${bytes} bytes${block === null ? "" : ` of block ${block}`} dropped. No transaction of it was acknowledged through the origin; transactions sent straight to the node in it are gone`,
      );
    }
    // The genesis block is fixed by the initial date: a replay needs the first start's date again.
    this.#initialDate = journal?.header.initialDate ?? isoSeconds(Date.now() - (settings.demo ? DEMO_HISTORY_MS : 0));
    await this.#launchNode();
    const genesisHash = (await rpcCall(rpcUrl, "eth_getBlockByNumber", ["0x0", false])).hash as `0x${string}`;

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
        say(
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
    const { settings, say, rpcUrl, logFile } = this.#options;
    const started = Date.now();
    say(`..  chain node starting on 127.0.0.1:${this.#options.port}`);
    this.#node ??= new Supervised(
      {
        name: "node",
        script: HARDHAT,
        args: ["--network", "stack", "node", "--hostname", "127.0.0.1", "--port", String(this.#options.port)],
        env: { ...baseEnv(settings), CCEX_STACK_INITIAL_DATE: this.#initialDate },
        logFile,
        // The node echoes every JSON-RPC call it serves (several a second from the indexer, the
        // recorder and the page): kept only when debugging, its errors go to stderr either way.
        discardStdout: settings.logLevel !== "debug" && settings.logLevel !== "trace",
        restart: false,
        stopTimeoutMs: 5_000,
      },
      {
        onCrash: (_name, exit) => {
          if (!this.#options.stopping() && this.#nodeRestart === undefined)
            this.#options.onFatal(`the chain node stopped unexpectedly (${exit}); see ${logFile}`);
        },
      },
    );
    const node = this.#node;
    node.start();
    const part = { label: "chain node", child: () => this.#node, logFile, stopping: this.#options.stopping };
    await waitFor(part, async () => {
      if (node.state === "failed")
        throw new StartError(`the chain node did not start (${node.lastExit}): ${lastLine(logFile)}`);
      return rpcCall(rpcUrl, "eth_chainId", [], 2_000).then(
        () => true,
        () => false,
      );
    });
    say(`ok  chain node ready (${seconds(started)})`);
  }

  /** Mines the journal's blocks again into the fresh node, then moves its clock up to now. */
  async #replay(journal: ChainJournal): Promise<void> {
    const { say, rpcUrl } = this.#options;
    if (journal.head > 0) {
      say(`..  replaying ${journal.head} blocks from ${path.relative(process.cwd(), journal.file) || journal.file}`);
      const report = await replayJournal(rpcUrl, journal, (done) => say(`    ${done} of ${journal.head} blocks`));
      const rate = Math.round(report.blocks / Math.max(report.ms / 1000, 0.001));
      say(
        `ok  replayed ${report.blocks} blocks, ${report.transactions} transactions in ${(report.ms / 1000).toFixed(1)} s (${rate} blocks/s)`,
      );
      if (report.firstMismatch === null) {
        say("ok  block hashes match the journal");
      } else {
        say(
          `!!  replayed block ${report.firstMismatch} has another hash than the journal records; the indexer will see a re-org from there. The journal now records the replayed chain`,
        );
        await this.#rewriteJournal(journal);
      }
    }
    if (await catchUpClock(rpcUrl)) say("ok  chain clock moved up to now");
  }

  async #startRecorder(): Promise<void> {
    this.#recorder = new ChainRecorder({
      client: this.#client,
      journal: this.#journal!,
      onError: (error) => {
        if (!this.#options.stopping() && this.#nodeRestart === undefined)
          this.#options.say(`!!  recording the chain failed: ${error.message}`);
      },
    });
    await this.#recorder.catchUp();
    this.#recorder.start();
  }

  /** Asks the node for its head now and then; one that stays silent too long is rebuilt. */
  async #watchNode(): Promise<void> {
    if (this.#options.stopping() || this.#nodeRestart !== undefined || this.#node?.state !== "running") return;
    const answered = await rpcCall(this.#options.rpcUrl, "eth_blockNumber", [], NODE_PROBE_MS - 1_000).then(
      () => true,
      () => false,
    );
    if (answered) this.#nodeAnsweredAt = Date.now();
    else if (Date.now() - this.#nodeAnsweredAt > NODE_STALL_MS)
      await this.restart(`has not answered for ${Math.round((Date.now() - this.#nodeAnsweredAt) / 1000)} s`);
  }

  /**
   * Replaces a node that runs but no longer answers: the services that send transactions pause, the
   * node is killed and a fresh one replays the journal, which holds every block whose transactions
   * were acknowledged through the origin. Blocks mined after the journal's head are gone with the old
   * node; nobody was told they were final.
   */
  async restart(why: string): Promise<void> {
    const { say, stopping, onFatal } = this.#options;
    if (stopping() || this.#nodeRestart !== undefined || this.#node === undefined) return;
    this.#nodeRestart = `the chain node is restarting (it ${why})`;
    say(`!!  the chain node ${why}: restarting it from the journal`);
    try {
      const resume = await this.#options.pauseWriters();
      await this.#recorder?.halt();
      await this.#node.end();
      await this.#launchNode();
      await this.#replay(this.#journal!);
      await this.#startRecorder();
      this.#nodeAnsweredAt = Date.now();
      resume();
      say(`ok  chain node restarted at block ${this.#journal!.head}`);
    } catch (error) {
      if (!stopping()) onFatal(`the chain node could not be restarted: ${(error as Error).message}`);
    } finally {
      this.#nodeRestart = undefined;
    }
  }

  /**
   * Resolves once every block the node has mined so far is in the journal (the origin holds a sent
   * transaction's answer until then).
   * @throws {Error} when the blocks are not journaled within DURABLE_WAIT_MS
   */
  async durable(): Promise<void> {
    const journal = this.#journal;
    const recorder = this.#recorder;
    if (journal === undefined || recorder === undefined) return;
    const head = Number(await rpcCall(this.#options.rpcUrl, "eth_blockNumber", [], DURABLE_WAIT_MS));
    const deadline = Date.now() + DURABLE_WAIT_MS;
    while (journal.head < head) {
      if (Date.now() > deadline) throw new Error(`block ${head} is not journaled after ${DURABLE_WAIT_MS / 1000} s`);
      await recorder.catchUp();
    }
  }

  async #rewriteJournal(journal: ChainJournal): Promise<void> {
    const blocks = [];
    for (let n = 1; n <= journal.head; n++) {
      const { parentHash: _, ...block } = await readBlock(this.#client, n);
      blocks.push(block);
    }
    await journal.rewrite(blocks);
  }

  /** Stops watching the node: the stack is stopping. */
  unwatch(): void {
    clearInterval(this.#watchdog);
  }

  /**
   * Records the chain up to its head, then stops the node: after it returns the node no longer
   * runs and the journal holds every block the node answered.
   * @param left how much of the stop's budget is left, in ms; a node that has not ended by then is killed
   */
  async stop(left: () => number): Promise<void> {
    const { say } = this.#options;
    if (this.#recorder !== undefined && this.#node?.state === "running") {
      const flushed = await within(
        this.#recorder.stop().catch((error: Error) => {
          say(`!!  the chain journal could not record the last blocks: ${error.message}`);
          return undefined;
        }),
        Math.min(left(), 10_000),
      );
      if (flushed === false)
        say(
          `!!  the chain node does not answer: the journal ends at block ${this.#journal?.head}; blocks after it were never acknowledged through the origin`,
        );
      else if (flushed !== undefined) say(`ok  chain journal complete up to block ${flushed}`);
    }
    await this.#recorder?.halt();
    await this.#journal?.close().catch(() => undefined);
    if (this.#node !== undefined) {
      say("..  stopping chain node");
      if (
        (await within(
          this.#node.stop().then(() => true),
          Math.max(left(), 1_000),
        )) === false
      )
        await this.#node.end();
    }
  }

  /** Kills the node at once; the journal keeps what it has. */
  kill(): void {
    this.#node?.kill();
  }
}

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
