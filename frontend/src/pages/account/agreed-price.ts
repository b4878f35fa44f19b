// What a deal settled at: the bargained payments to every supplier plus the platform fee, which is
// what the buyer pays out of its escrow (docs/market-rules.md, "flow of a trade"); the rest of the
// escrow (limit × VCU-hours) goes back to the buyer.

export type DealPayments = {
  vcuHours: string;
  computePayment: string;
  energyPayment: string;
  bandwidthPayment: string;
  fee: string;
};

/** The deal's all-in price: the total in token base units, and per VCU-hour (rounded to the nearest unit). */
export function agreedPrice(deal: DealPayments): { total: bigint; perVcuHour: bigint } {
  const total =
    BigInt(deal.computePayment) + BigInt(deal.energyPayment) + BigInt(deal.bandwidthPayment) + BigInt(deal.fee);
  const vcuHours = BigInt(deal.vcuHours);
  return { total, perVcuHour: vcuHours === 0n ? 0n : (total + vcuHours / 2n) / vcuHours };
}
