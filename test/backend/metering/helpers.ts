// The API with the metering service on a temporary PGlite folder, for one test file; deals are
// given up front (the chain's deal source has its own test, chain.test.ts).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import type { Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import type { DealSource, MeteredDeal } from "../../../backend/metering/deal-source.ts";
import { MeteringStore } from "../../../backend/metering/store.ts";
import { reusePgliteInit } from "../../../indexer/db/driver.ts";
import { startTestServer, type TestServer } from "../api/server.ts";

reusePgliteInit(path.join(tmpdir(), "ccex-pglite-template-metering.tar"));

export const supplier = privateKeyToAccount(generatePrivateKey());
export const stranger = privateKeyToAccount(generatePrivateKey());
export const domain = { chainId: 31337, market: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address };
/** The tests' clock: the end of deal 1's window. */
export const NOW = 1_800_000_000;

export function dealOf(dealId: bigint, windowStart: number, windowEnd: number): MeteredDeal {
  return {
    dealId,
    buyer: stranger.address,
    computeSupplier: supplier.address,
    energySuppliers: [],
    windowStart,
    windowEnd,
    vcu: 10n,
    needPerHourWh: 500_000n,
  };
}

export type MeteringServer = TestServer & { store: MeteringStore; deals: DealSource; dataDir: string };

/** Starts the API over the store in `dataDir` (a fresh folder when omitted). */
export async function startMeteringServer(
  deals: DealSource,
  dataDir?: string,
  clock: () => number = () => NOW,
): Promise<MeteringServer> {
  const dir = dataDir ?? (await mkdtemp(path.join(tmpdir(), "ccex-metering-")));
  const store = await MeteringStore.open({ kind: "pglite", dataDir: dir });
  const server = await startTestServer({ metering: { store, deals, clock } });
  return {
    ...server,
    store,
    deals,
    dataDir: dir,
    close: async () => {
      await server.close();
      await store.close();
    },
  };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
