// Opens the book quotes read, from the API's settings (backend/config.ts): a book file, the chain
// (read once and cached for `maxAgeMs`), or an empty in-memory book. The API process and the origin's
// in-process API (stack/origin-api.ts) open it the same way.
import type { Logger } from "pino";

import { readDeployment } from "../../protocol/deployment.ts";
import { createChainClients } from "../chain/create-clients.ts";
import { readBookFile } from "./book-file.ts";
import { type BookSource, InMemoryBookSource } from "./book-source.ts";
import { CachedBookSource } from "./cached-book-source.ts";
import { ChainBookSource } from "./chain-book-source.ts";

/** Where quotes read the book: a fixed file, the chain, or nothing (an empty in-memory book). */
export type BookSetting =
  | { from: "file"; file: string }
  | { from: "chain"; rpcUrl: string; deployment: number | string; maxAgeMs: number }
  | { from: "memory" };

export async function openBookSource(from: BookSetting, logger: Logger): Promise<BookSource> {
  switch (from.from) {
    case "file":
      return new InMemoryBookSource(await readBookFile(from.file), logger);
    case "chain": {
      const deployment = await readDeployment(from.deployment);
      const { publicClient } = createChainClients({ chainId: deployment.chainId, rpcUrl: from.rpcUrl });
      const chain = new ChainBookSource({
        client: publicClient,
        market: deployment.contracts.Market as `0x${string}`,
        startBlock: BigInt(deployment.startBlock),
        logger,
      });
      return new CachedBookSource(chain, { maxAgeMs: from.maxAgeMs });
    }
    case "memory":
      return new InMemoryBookSource();
  }
}
