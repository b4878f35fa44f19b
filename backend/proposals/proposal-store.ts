// The latest batch of matches the matcher proposed, with the numbers that explain each price.
// The matcher publishes a batch after clearing and pricing; the API serves the latest one.
import type { Match } from "../../protocol/orders.ts";

export type PartyRole = "buyer" | "compute" | "energy" | "bandwidth";

/**
 * One party's side of a bundle's Nash bargain. Money in settlement-token base units.
 * For the buyer, `reserve` is the most it would pay (its limit × VCU-hours) and `payment` what it pays;
 * for a supplier, `reserve` is the least it accepts and `payment` what it receives.
 */
export type PartyTerms = {
  role: PartyRole;
  /** The bid's or offer's id. */
  orderId: bigint;
  reserve: bigint;
  /** Value of the party's outside option, the d_i of the bargain (same sign convention as `reserve`). */
  disagreement: bigint;
  /** Bargaining power w_i. */
  weight: number;
  payment: bigint;
  /** The party's gain over its reserve, in basis points of the bundle's surplus. */
  surplusShareBps: number;
  /** One sentence saying why this party gets this payment. */
  explanation: string;
};

export type ProposedMatch = {
  match: Match;
  /** Buyer's reserve minus the suppliers' reserves: what the bargain divides. */
  surplus: bigint;
  parties: PartyTerms[];
};

export type ProposalBatch = {
  /** Unique per batch, increasing in publication order. */
  id: bigint;
  /** Unix seconds at which the book was cleared. */
  clearedAt: number;
  matches: ProposedMatch[];
};

export interface ProposalStore {
  /** The most recently published batch, or undefined before the first clearing. */
  latest(): Promise<ProposalBatch | undefined>;
  /** Makes `batch` the latest. */
  publish(batch: ProposalBatch): Promise<void>;
}

export class InMemoryProposalStore implements ProposalStore {
  #latest: ProposalBatch | undefined;

  async latest(): Promise<ProposalBatch | undefined> {
    return this.#latest;
  }

  async publish(batch: ProposalBatch): Promise<void> {
    // A batch older than the one served would make the API go back in time; the matcher is the only
    // writer, so this means a bug there, not a race to tolerate.
    if (this.#latest !== undefined && batch.id <= this.#latest.id) {
      throw new RangeError(`batch ${batch.id} is not newer than the latest batch ${this.#latest.id}`);
    }
    this.#latest = batch;
  }
}
