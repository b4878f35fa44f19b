// The local chain's dev accounts (protocol/accounts.ts) are derived from one BIP-32 master key that is
// computed once: they must be exactly the accounts `hardhat node` funds from the dev mnemonic.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { bytesToHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { ACCOUNT_PLAN, DEV_MNEMONIC, demoAccounts, devAccount, simulatorAccount } from "../../protocol/accounts.ts";

describe("the dev accounts", () => {
  it("are the dev mnemonic's accounts at each HD index, key and address", () => {
    for (const index of [0, 1, 9, 10, 26, 49]) {
      const expected = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
      const account = devAccount(index);
      assert.equal(account.address, expected.address, `index ${index}`);
      assert.equal(account.privateKey, bytesToHex(expected.getHdKey().privateKey!), `index ${index}`);
    }
  });

  it("start with Hardhat's well-known first account, and give the simulator indices from its base on", () => {
    assert.equal(devAccount(0).address, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    assert.equal(simulatorAccount(0).index, ACCOUNT_PLAN.simulatorBase);
    assert.equal(demoAccounts().find((a) => a.role === "buyer")?.index, ACCOUNT_PLAN.buyer);
  });
});
