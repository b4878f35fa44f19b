// hardhat.config.ts hides one expected compiler warning from the build output; everything else the
// compiler says must still reach the terminal.
import { expect } from "chai";
import type { CompilerOutputError } from "hardhat/types/solidity";

import config from "../../../hardhat.config.ts";

const transientStorage = (file: string): CompilerOutputError => ({
  type: "Warning",
  component: "general",
  severity: "warning",
  errorCode: "2394",
  message: "Transient storage as defined by EIP-1153 can break the composability of smart contracts",
  formattedMessage: `Warning: Transient storage as defined by EIP-1153 …\n   --> ${file}:108:13:\n`,
});

async function printedErrors(errors: CompilerOutputError[]): Promise<CompilerOutputError[]> {
  const plugin = config.plugins?.find((p) => p.id === "ccex-expected-solc-warnings");
  expect(plugin, "the plugin is registered in hardhat.config.ts").to.not.equal(undefined);
  const category = await plugin?.hookHandlers?.solidity?.();
  const hooks = await category?.default();
  const filter = hooks?.getCompilationJobErrors;
  expect(filter, "the plugin filters getCompilationJobErrors").to.be.a("function");
  return (filter as NonNullable<typeof filter>)({} as never, {} as never, {} as never, async () => errors);
}

describe("expected compiler warnings", () => {
  it("hides the transient-storage warning OpenZeppelin's TransientSlot always raises", async () => {
    const printed = await printedErrors([
      transientStorage("./node_modules/@openzeppelin/contracts/utils/TransientSlot.sol"),
    ]);
    expect(printed).to.deep.equal([]);
  });

  it("keeps the same warning when it points at the project's own contracts", async () => {
    const ours = transientStorage("contracts/Market.sol");
    expect(await printedErrors([ours])).to.deep.equal([ours]);
  });

  it("keeps every other warning and every error, even from OpenZeppelin", async () => {
    const other: CompilerOutputError = {
      ...transientStorage("./node_modules/@openzeppelin/contracts/utils/TransientSlot.sol"),
      errorCode: "2072",
      message: "Unused local variable.",
    };
    const error: CompilerOutputError = { ...other, type: "TypeError", severity: "error", errorCode: "9574" };
    expect(await printedErrors([other, error])).to.deep.equal([other, error]);
  });
});
