// A ProposalStore kept in a JSON file, so the API process can serve the batches a separate matcher
// process publishes. Bigints are written as decimal strings; the file is replaced atomically.
import { mkdir, open, readFile, rename } from "node:fs/promises";
import path from "node:path";

import type { ProposalBatch, ProposalStore } from "./proposal-store.ts";

export class JsonFileProposalStore implements ProposalStore {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  async latest(): Promise<ProposalBatch | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    return JSON.parse(text, reviveBigints) as ProposalBatch;
  }

  async publish(batch: ProposalBatch): Promise<void> {
    const current = await this.latest();
    if (current !== undefined && batch.id <= current.id) {
      throw new RangeError(`batch ${batch.id} is not newer than the latest batch ${current.id}`);
    }
    await mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    const handle = await open(tmp, "w");
    try {
      await handle.writeFile(JSON.stringify(batch, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 1));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.file);
  }
}

// The file is ours, written by publish above: the shape is known, only bigints need reviving.
const BIGINT_FIELDS = new Set([
  "id",
  "bidId",
  "computeOfferId",
  "vcuHours",
  "computePayment",
  "offerId",
  "wh",
  "payment",
  "bandwidthOfferId",
  "bandwidthPayment",
  "surplus",
  "orderId",
  "reserve",
  "disagreement",
]);

function reviveBigints(key: string, value: unknown): unknown {
  return BIGINT_FIELDS.has(key) && typeof value === "string" ? BigInt(value) : value;
}
