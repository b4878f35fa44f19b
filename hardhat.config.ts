import { createRequire } from "node:module";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { defineConfig } from "hardhat/config";

import { DEV_MNEMONIC } from "./protocol/accounts.ts";

// The compiler comes from the pinned npm `solc` package, so building never downloads anything.
const require = createRequire(import.meta.url);
const SOLC_VERSION = "0.8.30";
const soljson = require.resolve("solc/soljson.js");

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    compilers: [
      {
        version: SOLC_VERSION,
        path: soljson,
        settings: {
          optimizer: { enabled: true, runs: 200 },
          viaIR: false,
        },
      },
    ],
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
