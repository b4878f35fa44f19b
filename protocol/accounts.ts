// The local chain's accounts and who plays which part. A dev node (`hardhat node`) funds the
// accounts of a public mnemonic; their keys are known to everyone, so they only ever hold play
// money on a local chain. One plan keeps every process from sending with another's key: two
// senders sharing an account race for its nonce.
//
//   devAccount(ACCOUNT_PLAN.buyer)          → { index, address, privateKey }
//   demoAccounts()                          → the menu the web market offers on a local chain
//   simulatorAccount(0), simulatorAccount(1) → the demo simulator's own participants
//
// Browser-safe (viem's HD derivation, no Node APIs).
import { mnemonicToSeedSync } from "@scure/bip39";
import { bytesToHex } from "viem";
import { HDKey, privateKeyToAccount } from "viem/accounts";

/** Hardhat's default mnemonic: `hardhat node` funds its first accounts with test ether. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** HD index (m/44'/60'/0'/0/i) of each fixed part on a local chain. */
export const ACCOUNT_PLAN = {
  /** Deploys, holds DEFAULT_ADMIN_ROLE and PAUSER_ROLE, funds the simulator's accounts. */
  admin: 0,
  /** MATCHER_ROLE: the matcher process submits batches with it. */
  matcher: 1,
  /** Calls the permissionless deal actions (finalise after the challenge window, no-show cancel, lapse). */
  keeper: 2,
  /** REGISTRAR_ROLE, offered in the web market's demo menu. */
  registrar: 3,
  /** ARBITER_ROLE, offered in the demo menu. */
  arbiter: 4,
  buyer: 5,
  computeSupplier: 6,
  energySupplier: 7,
  networkSupplier: 8,
  /** Receives the platform fee. */
  treasury: 9,
  /** First index of the demo simulator's participants (its own buyers and suppliers, and a second registrar). */
  simulatorBase: 10,
} as const;

/** The parts a person can play from the web market's demo menu, in menu order. */
export const DEMO_ROLES = [
  "buyer",
  "computeSupplier",
  "energySupplier",
  "networkSupplier",
  "registrar",
  "arbiter",
] as const;
export type DemoRole = (typeof DEMO_ROLES)[number];

export type DevAccount = { index: number; address: `0x${string}`; privateKey: `0x${string}` };

const cache = new Map<number, DevAccount>();
let accountsKey: HDKey | undefined;

/**
 * The key every dev account is a child of (m/44'/60'/0'/0), derived once from the mnemonic's BIP-39
 * seed (the library viem itself derives it with). viem's mnemonicToAccount derives the seed (2,048
 * rounds of PBKDF2) and the whole path again for every account:
 * the demo's 27 accounts took 0.52 CPU-s that way, 0.20 CPU-s this way.
 */
function accountsParent(): HDKey {
  accountsKey ??= HDKey.fromMasterSeed(mnemonicToSeedSync(DEV_MNEMONIC)).derive("m/44'/60'/0'/0");
  return accountsKey;
}

/** The dev mnemonic's account at HD index `index` (m/44'/60'/0'/0/index). */
export function devAccount(index: number): DevAccount {
  let account = cache.get(index);
  if (account === undefined) {
    const key = accountsParent().deriveChild(index).privateKey;
    if (key === null) throw new Error(`no private key at index ${index}`);
    const privateKey = bytesToHex(key);
    account = { index, address: privateKeyToAccount(privateKey).address, privateKey };
    cache.set(index, account);
  }
  return account;
}

export type DemoAccount = DevAccount & { role: DemoRole };

/** The web market's demo menu: one ready account per role. */
export function demoAccounts(): DemoAccount[] {
  return DEMO_ROLES.map((role) => ({ role, ...devAccount(ACCOUNT_PLAN[role]) }));
}

/** The demo simulator's `n`-th own participant (never one of the menu's accounts). */
export function simulatorAccount(n: number): DevAccount {
  return devAccount(ACCOUNT_PLAN.simulatorBase + n);
}
