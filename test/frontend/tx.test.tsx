// The transaction page on a real transaction (the buyer's confirmation of a deal, captured off a
// private node by test/frontend/fixtures/capture.ts): status, block, the call decoded with its
// arguments in units, and the market events it emitted linked to the deal, batches and retirements.

import { readFileSync } from "node:fs";
import { screen, within } from "@testing-library/react";
import { getAbiItem, toEventSelector } from "viem";
import { describe, expect, it } from "vitest";
import { decodeCall, decodeEvents } from "../../frontend/src/pages/tx/decode.ts";
import TxPage from "../../frontend/src/pages/tx/index.tsx";
import { abis } from "../../protocol/generated/abis.ts";
import { repoFile } from "./paths.ts";
import { configWith, renderPage, stubNetwork } from "./render-page.tsx";

const captured = JSON.parse(readFileSync(repoFile("test/frontend/fixtures/tx-confirm.json"), "utf8"));
const config = configWith(captured.contracts);
const hash: string = captured.transaction.hash;
const chainAnswers = (receipt: unknown) => ({
  eth_getTransactionByHash: () => captured.transaction,
  eth_getTransactionReceipt: () => receipt,
  eth_getBlockByNumber: () => captured.block,
});

describe("transaction decoding", () => {
  const contracts = [
    { name: "Market", address: captured.contracts.Market, abi: abis.Market },
    { name: "GreenCertificates", address: captured.contracts.GreenCertificates, abi: abis.GreenCertificates },
    { name: "CarbonCredits", address: captured.contracts.CarbonCredits, abi: abis.CarbonCredits },
  ];

  it("names the function and every argument, tuples included", () => {
    const call = decodeCall(contracts, captured.transaction.to, captured.transaction.input)!;
    expect(call.functionName).toBe("confirmUsage");
    expect(call.args.map((a) => a.name)).toEqual(["dealId", "terms", "report"]);
    const terms = call.args[1];
    expect(terms.kind).toBe("tuple");
    if (terms.kind === "tuple")
      expect(terms.items.find((i) => i.name === "vcu")).toMatchObject({ kind: "scalar", value: 15n });
    // The report names each job hour.
    const report = call.args[2];
    expect(report.kind).toBe("tuple");
    expect(decodeCall(contracts, "0x0000000000000000000000000000000000000001", captured.transaction.input)).toBeNull();
  });

  it("decodes the events of the market's contracts only", () => {
    const events = decodeEvents(
      contracts,
      captured.receipt.logs.map((l: { logIndex: string }) => ({ ...l, logIndex: Number(l.logIndex) })),
    );
    expect(events.map((e) => `${e.contract}.${e.eventName}`)).toEqual(
      expect.arrayContaining([
        "Market.UsageConfirmed",
        "Market.DealFinalized",
        "GreenCertificates.CertificatesRetired",
        "CarbonCredits.CreditsMinted",
      ]),
    );
  });
});

describe("transaction page", () => {
  it("shows a confirmed transaction with its decoded call and events linked to traces", async () => {
    stubNetwork({ graphql: {}, calls: { symbol: "USDC" }, rpc: chainAnswers(captured.receipt) }, config);
    await renderPage(TxPage, { path: `/tx/${hash}`, route: "/tx/:hash", config });
    expect((await screen.findByText("Confirmed")).getAttribute("role")).toBe("status");
    expect(screen.getByText("Block").nextElementSibling!.textContent).toBe(
      String(Number(captured.receipt.blockNumber)),
    );
    expect(screen.getByText("Market.confirmUsage")).toBeTruthy();

    const events = screen.getByRole("heading", { name: "Market events" }).closest("section")!;
    expect(within(events).getByRole("heading", { name: /^DealFinalized/ })).toBeTruthy();
    expect(within(events).getAllByRole("link", { name: "Trace deal #1" }).length).toBeGreaterThan(0);
    const retirements = within(events).getAllByRole("link", { name: /^Trace retirement \d+-\d+$/ });
    // One retirement per device-hour the deal used; the indexer names each block-logIndex: the
    // CertificatesRetired logs' own positions.
    const retired = toEventSelector(getAbiItem({ abi: abis.GreenCertificates, name: "CertificatesRetired" }));
    const expected = captured.receipt.logs
      .filter((l: { topics: string[] }) => l.topics[0] === retired)
      .map(
        (l: { logIndex: string }) => `/trace/retirement/${Number(captured.receipt.blockNumber)}-${Number(l.logIndex)}`,
      );
    expect(expected.length).toBeGreaterThan(1);
    expect(retirements.map((l) => l.getAttribute("href"))).toEqual(expected);
    // Quantities in their units: the report's 150 kWh consumed, the credits minted in kgCO2e.
    expect(within(events).getAllByText("150").length).toBeGreaterThan(0);
    expect(events.textContent).toContain("kgCO₂e");
  });

  it("says a transaction is pending until it is mined", async () => {
    stubNetwork({ graphql: {}, calls: { symbol: "USDC" }, rpc: chainAnswers(null) }, config);
    await renderPage(TxPage, { path: `/tx/${hash}`, route: "/tx/:hash", config });
    expect((await screen.findByText("Pending")).getAttribute("role")).toBe("status");
    expect(screen.getByText("Events appear once the transaction is mined.")).toBeTruthy();
  });

  it("says when the chain has no such transaction, and when the hash is not one", async () => {
    stubNetwork({ graphql: {}, rpc: { eth_getTransactionByHash: () => null } }, config);
    const { unmount } = await renderPage(TxPage, { path: `/tx/${hash}`, route: "/tx/:hash", config });
    expect((await screen.findByRole("alert")).textContent).toMatch(/no such transaction/);
    unmount();
    await renderPage(TxPage, { path: "/tx/0x1234", route: "/tx/:hash", config });
    expect((await screen.findByRole("alert")).textContent).toMatch(/not a transaction hash/);
  });
});
