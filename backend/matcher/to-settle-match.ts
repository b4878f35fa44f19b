// Turns a priced match into the exact struct `settle` takes. The shapes already agree field for field
// (protocol/orders.ts mirrors IMarket.Match); what is left is what the contract is strict about and
// a clearer may not be: energy lots strictly ascending by (offer, hour) with one lot per offer-hour,
// starts and lot hours on the hour, integers that fit their ABI types, and no bandwidth payment
// without a bandwidth offer.
import { isOnHour } from "../../protocol/hours.ts";
import type { EnergyLot, Match } from "../../protocol/orders.ts";
import { FatalChainError } from "../chain/errors.ts";

const UINT256_MAX = 2n ** 256n - 1n;
const UINT40_MAX = 2 ** 40 - 1;

/** A match the contract could never accept as given: a bug upstream, named so it can be fixed. */
export class InvalidMatchError extends FatalChainError {
  override name = "InvalidMatchError";
}

/**
 * @example
 * toSettleMatch({ ...match, energyLots: [{ offerId: 9n, hour: h, wh: 10n, payment: 1n }, { offerId: 5n, hour: h, wh: 20n, payment: 2n }] })
 * // energyLots: offer 5 first, then offer 9
 */
export function toSettleMatch(match: Match): Match {
  const byOfferHour = new Map<string, EnergyLot>();
  for (const lot of match.energyLots) {
    if (lot.offerId === 0n) throw new InvalidMatchError(`match for bid ${match.bidId} has an energy lot of offer 0`);
    const key = `${lot.offerId}:${lot.hour}`;
    const seen = byOfferHour.get(key);
    // Two lots of one offer-hour are one purchase; the contract wants each offer-hour once.
    byOfferHour.set(
      key,
      seen === undefined ? { ...lot } : { ...lot, wh: seen.wh + lot.wh, payment: seen.payment + lot.payment },
    );
  }
  const energyLots = [...byOfferHour.values()].sort((a, b) =>
    a.offerId !== b.offerId ? (a.offerId < b.offerId ? -1 : 1) : a.hour - b.hour,
  );
  const normalised: Match = {
    bidId: match.bidId,
    computeOfferId: match.computeOfferId,
    start: match.start,
    vcu: match.vcu,
    computePayment: match.computePayment,
    energyLots,
    bandwidthOfferId: match.bandwidthOfferId,
    bandwidthPayment: match.bandwidthPayment,
  };

  const times: [string, number][] = [
    ["start", normalised.start],
    ...normalised.energyLots.map((l, i): [string, number] => [`energyLots[${i}].hour`, l.hour]),
  ];
  for (const [name, value] of times) {
    if (!Number.isSafeInteger(value) || value < 0 || value > UINT40_MAX || !isOnHour(value)) {
      throw new InvalidMatchError(`match for bid ${match.bidId} has ${name} ${value}, not an hour start`);
    }
  }
  const fields: [string, bigint][] = [
    ["bidId", normalised.bidId],
    ["computeOfferId", normalised.computeOfferId],
    ["vcu", normalised.vcu],
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
