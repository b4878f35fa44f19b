import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { defineConfig } from "hardhat/config";
import type { HardhatPlugin } from "hardhat/types/plugins";

import { DEV_MNEMONIC } from "./protocol/accounts.ts";

// The compiler comes from the pinned npm `solc` package, so building never downloads anything.
const require = createRequire(import.meta.url);
const SOLC_VERSION = "0.8.30";
const soljson = require.resolve("solc/soljson.js");

// solc warns (code 2394) wherever assembly writes transient storage. OpenZeppelin's TransientSlot
// library does so on purpose (ReentrancyGuardTransient clears its slot before the call returns), so
// that one warning, from that one package, is expected and hidden; our own contracts still get it.
const TRANSIENT_STORAGE_WARNING = "2394";
const expectedWarnings: HardhatPlugin = {
  id: "ccex-expected-solc-warnings",
  hookHandlers: {
    solidity: async () => ({
      default: async () => ({
        getCompilationJobErrors: async (context, job, output, next) =>
          (await next(context, job, output)).filter(
            (e) =>
              !(
                e.severity === "warning" &&
                e.errorCode === TRANSIENT_STORAGE_WARNING &&
                (e.formattedMessage ?? "").includes("@openzeppelin/contracts/")
              ),
          ),
      }),
    }),
  },
};

// settle's and finalise's own libraries (deployed and linked apart, each far under EIP-170) are
// optimised for many more runs than the market, whose code must stay 3 KB under the limit: 630 gas
// less per trade (`npm run bench:gas`), at 8.4 KB and 4.3 KB of code instead of 7.8 and 3.7.
const LIFECYCLE_LIBRARY = {
  version: SOLC_VERSION,
  path: soljson,
  settings: { optimizer: { enabled: true, runs: 20000 }, viaIR: true },
};

// The IR pipeline with runs tuned for calls made often (settle, report, finalise): the lifecycle of a
// trade costs 13 k gas less than the legacy pipeline at 200 runs (`npm run bench:gas`), the market stays
// 3 KB under EIP-170 (test/contracts/build), and a clean build takes about 40 s of CPU instead of 15.
const PROJECT_SETTINGS = { optimizer: { enabled: true, runs: 2000 }, viaIR: true };

// The market's own settings are the project's (same compiler, runs and pipeline, so the same bytecode),
// stated once more so that Hardhat gives it a compilation job of its own: a job holds every file whose
// settings are the same object, and solc compiles a job's files one after another. Alone, the market's
// job (with the libraries it imports) runs beside the tokens' on the second core.
const MARKET_JOB = { version: SOLC_VERSION, path: soljson, settings: PROJECT_SETTINGS };

// Hardhat runs compilation jobs on all cores but one: on a 2-core machine one job at a time, though
// the market's and the two lifecycle libraries' jobs are independent. All cores: a clean build (npm
// start's first, docs/operations.md "Start-up") ends when its longest job does.
const compileOnEveryCore: HardhatPlugin = {
  id: "ccex-compile-on-every-core",
  hookHandlers: {
    solidity: async () => ({
      default: async () => ({
        build: async (context, rootFilePaths, options, next) =>
          next(context, rootFilePaths, { ...options, concurrency: options?.concurrency ?? availableParallelism() }),
      }),
    }),
  },
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers, expectedWarnings, compileOnEveryCore],
  solidity: {
    compilers: [
      {
        version: SOLC_VERSION,
        path: soljson,
        settings: PROJECT_SETTINGS,
      },
    ],
    overrides: {
      "contracts/libraries/BatchSettlement.sol": LIFECYCLE_LIBRARY,
      "contracts/libraries/DealClosing.sol": LIFECYCLE_LIBRARY,
      "contracts/Market.sol": MARKET_JOB,
    },
  },
  paths: {
    tests: {
      mocha: "test/contracts",
      solidity: "test/contracts/solidity",
    },
  },
  networks: {
    // The one-command stack's node (`hardhat --network stack node`, started by stack/main.ts). Its state
    // is kept by replaying recorded transactions into a fresh node, so everything that decides a block
    // hash is pinned here: the genesis time comes from the stack (the first start's date, again on
    // every restart), transactions enter blocks in arrival order, and the accounts are the dev
    // mnemonic's first 50 (the demo simulator's participants start at HD index 10).
    stack: {
      type: "edr-simulated",
      chainType: "l1",
      chainId: 31337,
      initialDate: process.env.CCEX_STACK_INITIAL_DATE,
      mining: { auto: true, interval: 0, mempool: { order: "fifo" } },
      accounts: { mnemonic: DEV_MNEMONIC, count: 50 },
    },
    localhost: {
      type: "http",
      chainType: "l1",
      url: "http://127.0.0.1:8545",
    },
  },
});
