// Turns a priced match into the exact struct `settle` takes. The shapes already agree field for field
// (protocol/orders.ts mirrors IMarket.Match); what is left is what the contract is strict about and
// a clearer may not be: energy lots in strictly ascending offer order with one lot per offer,
// integers that fit uint256, and no bandwidth payment without a bandwidth offer.
import type { EnergyLot, Match } from "../../protocol/orders.ts";
import { FatalChainError } from "../chain/errors.ts";

const UINT256_MAX = 2n ** 256n - 1n;

/** A match the contract could never accept as given: a bug upstream, named so it can be fixed. */
export class InvalidMatchError extends FatalChainError {
  override name = "InvalidMatchError";
}

/**
 * @example
 * toSettleMatch({ ...match, energyLots: [{ offerId: 9n, wh: 10n, payment: 1n }, { offerId: 5n, wh: 20n, payment: 2n }] })
 * // energyLots: offer 5 first, then offer 9
 */
export function toSettleMatch(match: Match): Match {
  const byOffer = new Map<bigint, EnergyLot>();
  for (const lot of match.energyLots) {
    if (lot.offerId === 0n) throw new InvalidMatchError(`match for bid ${match.bidId} has an energy lot of offer 0`);
    const seen = byOffer.get(lot.offerId);
    // Two lots of one offer are one purchase; the contract wants each offer once.
    byOffer.set(
      lot.offerId,
      seen === undefined
        ? { ...lot }
        : { offerId: lot.offerId, wh: seen.wh + lot.wh, payment: seen.payment + lot.payment },
    );
  }
  const energyLots = [...byOffer.values()].sort((a, b) => (a.offerId < b.offerId ? -1 : 1));
  const normalised: Match = {
    bidId: match.bidId,
    computeOfferId: match.computeOfferId,
    vcuHours: match.vcuHours,
    computePayment: match.computePayment,
    energyLots,
    bandwidthOfferId: match.bandwidthOfferId,
    bandwidthPayment: match.bandwidthPayment,
  };

  const fields: [string, bigint][] = [
    ["bidId", normalised.bidId],
    ["computeOfferId", normalised.computeOfferId],
    ["vcuHours", normalised.vcuHours],
    ["computePayment", normalised.computePayment],
    ["bandwidthOfferId", normalised.bandwidthOfferId],
    ["bandwidthPayment", normalised.bandwidthPayment],
    ...normalised.energyLots.flatMap((l, i): [string, bigint][] => [
      [`energyLots[${i}].offerId`, l.offerId],
      [`energyLots[${i}].wh`, l.wh],
      [`energyLots[${i}].payment`, l.payment],
    ]),
  ];
  for (const [name, value] of fields) {
    if (typeof value !== "bigint" || value < 0n || value > UINT256_MAX) {
      throw new InvalidMatchError(`match for bid ${match.bidId} has ${name} outside uint256`, {
        details: String(value),
      });
    }
  }
  if (match.bandwidthOfferId === 0n && match.bandwidthPayment !== 0n) {
    throw new InvalidMatchError(`match for bid ${match.bidId} pays for bandwidth without a bandwidth offer`);
  }
  return normalised;
}
