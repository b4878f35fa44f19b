// Which orders of the chain's book the exchange trades. The market stores any uint8 as an order's
// hardware class, source or region, so the book can hold values the exchange has no name, price or
// grid factor for: pricing one of them reads an undefined class and fails (docs/security.md, "One
// order cannot stop the exchange"). Every book source admits orders through here, so such an order
// is left out of quotes and matching, logged once with its reason, and hurts no other order.
import type { BandwidthOffer, Bid, ComputeOffer, EnergyOffer } from "../../protocol/orders.ts";
import { CERTIFICATE_ORIGINS } from "../../protocol/orders.ts";
import { ENERGY_SOURCES, HARDWARE_CLASSES, REGIONS } from "../../protocol/units.ts";
import type { OpenBook } from "./book-source.ts";

export type OrderKind = "bid" | "compute" | "energy" | "bandwidth";

/** Where refusals are reported: a pino logger, or anything with its `warn(fields, message)`. */
export type RefusalLogger = { warn(fields: Record<string, unknown>, message: string): void };

/** An order the exchange does not trade, and why. */
export type RefusedOrder = { kind: OrderKind; id: bigint; reason: string };

const KNOWN_REGIONS = new Set<number>(REGIONS.map((r) => r.code));

const hardwareClass = (n: number) =>
  n < HARDWARE_CLASSES.length ? undefined : `unknown hardware class ${n} (known: 0..${HARDWARE_CLASSES.length - 1})`;
const region = (field: string, n: number) =>
  KNOWN_REGIONS.has(n) ? undefined : `unknown ${field} ${n} (known: ${[...KNOWN_REGIONS].join(", ")})`;
const source = (n: number) =>
  n < ENERGY_SOURCES.length ? undefined : `unknown energy source ${n} (known: 0..${ENERGY_SOURCES.length - 1})`;

const origin = (n: number) =>
  n < CERTIFICATE_ORIGINS.length
    ? undefined
    : `unknown certificate origin ${n} (known: 0..${CERTIFICATE_ORIGINS.length - 1})`;

/** Why the exchange does not trade this bid, or undefined when it does. */
export function refuseBid(o: Bid): string | undefined {
  return hardwareClass(o.hardwareClass) ?? region("buyerRegion", o.buyerRegion) ?? origin(o.certificateOrigin);
}

export function refuseComputeOffer(o: ComputeOffer): string | undefined {
  return hardwareClass(o.hardwareClass) ?? region("region", o.region);
}

export function refuseEnergyOffer(o: EnergyOffer): string | undefined {
  return source(o.source) ?? region("region", o.region);
}

export function refuseBandwidthOffer(o: BandwidthOffer): string | undefined {
  return region("fromRegion", o.fromRegion) ?? region("toRegion", o.toRegion);
}

/**
 * The orders of `book` the exchange trades, and the ones it leaves out with their reasons.
 *
 * @example
 * const { book: admitted, refused } = admitBook(await source.openBook());
 */
export function admitBook<B extends Omit<OpenBook, "asOf">>(book: B): { book: B; refused: RefusedOrder[] } {
  const refused: RefusedOrder[] = [];
  const keep =
    <T extends { id: bigint }>(kind: OrderKind, why: (o: T) => string | undefined) =>
    (o: T) => {
      const reason = why(o);
      if (reason !== undefined) refused.push({ kind, id: o.id, reason });
      return reason === undefined;
    };
  return {
    book: {
      ...book,
      bids: book.bids.filter(keep("bid", refuseBid)),
      computeOffers: book.computeOffers.filter(keep("compute", refuseComputeOffer)),
      energyOffers: book.energyOffers.filter(keep("energy", refuseEnergyOffer)),
      bandwidthOffers: book.bandwidthOffers.filter(keep("bandwidth", refuseBandwidthOffer)),
    },
    refused,
  };
}

/** Logs each refused order once per source (a refused order stays in the chain's book for good). */
export class RefusalLog {
  readonly #logger: RefusalLogger | undefined;
  readonly #seen = new Set<string>();

  constructor(logger: RefusalLogger | undefined) {
    this.#logger = logger;
  }

  report(refused: readonly RefusedOrder[]): void {
    for (const r of refused) {
      const key = `${r.kind}:${r.id}`;
      if (this.#seen.has(key)) continue;
      this.#seen.add(key);
      this.#logger?.warn({ order: r.kind, id: String(r.id), reason: r.reason }, "order left out of the book");
    }
  }
}
