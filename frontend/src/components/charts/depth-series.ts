export type DepthLevel = { price: number; quantity: number };

/**
 * Cumulative depth on one price axis: bids (highest first) accumulate to the left, asks (lowest
 * first) to the right. Both sides share the x values, each null where the other side has a level.
 * Each side runs on flat past its last level (a margin of the price span), so a side with a single
 * level still draws a step instead of a lone invisible point.
 */
export function depthSeries(bids: DepthLevel[], asks: DepthLevel[]): [number[], (number | null)[], (number | null)[]] {
  const points = new Map<number, { bid: number | null; ask: number | null }>();
  const prices = [...bids, ...asks].map((l) => l.price);
  const span = Math.max(...prices) - Math.min(...prices);
  const margin = span > 0 ? span * 0.1 : Math.abs(prices[0] ?? 1) * 0.1 || 1;
  let total = 0;
  const sortedBids = [...bids].sort((a, b) => b.price - a.price);
  for (const level of sortedBids) {
    total += level.quantity;
    points.set(level.price, { bid: total, ask: null });
  }
  if (sortedBids.length > 0)
    points.set(Math.max(0, sortedBids[sortedBids.length - 1].price - margin), { bid: total, ask: null });
  total = 0;
  const sortedAsks = [...asks].sort((a, b) => a.price - b.price);
  for (const level of sortedAsks) {
    total += level.quantity;
    points.set(level.price, { bid: points.get(level.price)?.bid ?? null, ask: total });
  }
  if (sortedAsks.length > 0) {
    const edge = sortedAsks[sortedAsks.length - 1].price + margin;
    points.set(edge, { bid: points.get(edge)?.bid ?? null, ask: total });
  }
  const xs = [...points.keys()].sort((a, b) => a - b);
  return [xs, xs.map((x) => points.get(x)!.bid), xs.map((x) => points.get(x)!.ask)];
}
