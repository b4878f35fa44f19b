// The core of clearing is a transportation problem: bids supply VCU-hours of demand, compute offers
// absorb them up to their capacity, and each (bid, offer) arc earns a profit per VCU-hour. This
// solves it exactly with the primal network simplex method:
//
//   nodes: bids, compute offers, and one sink (the root of the spanning tree);
//   arcs:  bid → offer (uncapacitated, cost −profit), offer → sink (capacity = remaining VCU-hours),
//          bid → sink (uncapacitated, cost 0: the unmatched rest of a bid).
//
// The initial tree hangs every node directly under the sink on its own arc (bids carry their whole
// demand unmatched), which is a strongly feasible basis, so no artificial arcs or big-M costs are
// needed and node potentials stay of the order of the profits. Leaving arcs are chosen by
// Cunningham's rule (last blocking arc of the cycle), which keeps the basis strongly feasible and
// rules out cycling; entering arcs by block search. Integral supplies and capacities give integral
// flows.

const UP = 1; // the tree arc runs from the node to its parent

export type TransportProblem = {
  demand: Float64Array; // per bid, integral
  // Arcs must be grouped by bid (all arcs of a bid consecutive).
  capacity: Float64Array; // per compute offer, integral
  arcBid: Int32Array;
  arcOffer: Int32Array;
  profit: Float64Array; // per unit, > 0
};

/** Returns the optimal flow on each bid → offer arc. */
export function solveTransport(p: TransportProblem): Float64Array {
  return (p.demand.length === 1 ? solveOneBid(p) : undefined) ?? networkSimplex(p);
}

/** The general method behind `solveTransport`, which skips it for one bid with the same flows. */
export function networkSimplex(p: TransportProblem): Float64Array {
  const nb = p.demand.length;
  const no = p.capacity.length;
  const na = p.arcBid.length;
  const sink = nb + no;
  const nodes = sink + 1;
  // Arc layout: [0, na) bid → offer; [na, na + no) offer → sink; [na + no, na + no + nb) bid → sink.
  const arcs = na + no + nb;
  const src = new Int32Array(arcs);
  const dst = new Int32Array(arcs);
  const cap = new Float64Array(arcs);
  const cost = new Float64Array(arcs);
  const flow = new Float64Array(arcs);
  const state = new Int8Array(arcs); // 0 in tree, 1 at lower bound, −1 at upper bound
  let maxProfit = 0;
  for (let a = 0; a < na; a++) {
    src[a] = p.arcBid[a];
    dst[a] = nb + p.arcOffer[a];
    cap[a] = Infinity;
    cost[a] = -p.profit[a];
    state[a] = 1;
    maxProfit = Math.max(maxProfit, p.profit[a]);
  }
  const parent = new Int32Array(nodes);
  const pred = new Int32Array(nodes);
  const dir = new Uint8Array(nodes);
  const depth = new Int32Array(nodes);
  const pi = new Float64Array(nodes);
  const firstChild = new Int32Array(nodes).fill(-1);
  const nextSibling = new Int32Array(nodes).fill(-1);
  const prevSibling = new Int32Array(nodes).fill(-1);
  const addChild = (parentNode: number, child: number) => {
    const head = firstChild[parentNode];
    nextSibling[child] = head;
    prevSibling[child] = -1;
    if (head >= 0) prevSibling[head] = child;
    firstChild[parentNode] = child;
  };
  const removeChild = (parentNode: number, child: number) => {
    const before = prevSibling[child];
    const after = nextSibling[child];
    if (before >= 0) nextSibling[before] = after;
    else firstChild[parentNode] = after;
    if (after >= 0) prevSibling[after] = before;
  };
  for (let o = 0; o < no; o++) {
    const a = na + o;
    src[a] = nb + o;
    dst[a] = sink;
    cap[a] = p.capacity[o];
    state[a] = 0;
    parent[nb + o] = sink;
    pred[nb + o] = a;
    dir[nb + o] = UP;
  }
  for (let b = 0; b < nb; b++) {
    const slack = na + no + b;
    src[slack] = b;
    dst[slack] = sink;
    cap[slack] = Infinity;
    state[slack] = 1;
  }

  // Crash basis from a greedy allocation, richest bids first, each bid's arcs best first:
  //  • an offer with more room than the bid still needs takes the rest, and the bid hangs under it
  //    (the room left keeps the offer's arc to the sink strictly inside its bounds);
  //  • an offer with less room is filled up by the bid and hangs under the bid, its arc to the sink
  //    leaving the tree at its upper bound;
  //  • whatever is left of the bid stays unmatched on its arc to the sink.
  // Zero-flow tree arcs all point towards the root, saturated ones are out of the tree: the basis is
  // strongly feasible, as Cunningham's rule needs.
  const bestProfit = new Float64Array(nb);
  const firstArc = new Int32Array(nb).fill(-1);
  for (let a = 0; a < na; a++) {
    const b = p.arcBid[a];
    if (firstArc[b] < 0) firstArc[b] = a;
    if (p.profit[a] > bestProfit[b]) bestProfit[b] = p.profit[a];
  }
  const byWealth = new Int32Array(nb);
  for (let b = 0; b < nb; b++) byWealth[b] = b;
  byWealth.sort((x, y) => bestProfit[y] - bestProfit[x]);
  const room = p.capacity.slice();
  const order = new Int32Array(na);
  for (const b of byWealth) {
    let rest = p.demand[b];
    let hung = false;
    let degree = 0;
    for (let a = firstArc[b]; a >= 0 && a < na && p.arcBid[a] === b; a++) order[degree++] = a;
    for (let i = 0; i < degree && rest > 0; i++) {
      // Selection sort: a bid has a handful of arcs.
      let top = i;
      for (let j = i + 1; j < degree; j++) if (p.profit[order[j]] > p.profit[order[top]]) top = j;
      const a = order[top];
      order[top] = order[i];
      order[i] = a;
      const o = p.arcOffer[a];
      const offerNode = nb + o;
      if (room[o] > rest) {
        room[o] -= rest;
        flow[a] = rest;
        state[a] = 0;
        parent[b] = offerNode;
        pred[b] = a;
        dir[b] = UP;
        rest = 0;
        hung = true;
      } else if (room[o] > 0 && parent[offerNode] === sink) {
        flow[a] = room[o];
        state[a] = 0;
        rest -= room[o];
        room[o] = 0;
        parent[offerNode] = b;
        pred[offerNode] = a;
        dir[offerNode] = 0;
        state[na + o] = -1;
      }
    }
    if (!hung) {
      const slack = na + no + b;
      flow[slack] = rest;
      state[slack] = 0;
      parent[b] = sink;
      pred[b] = slack;
      dir[b] = UP;
    }
  }
  for (let o = 0; o < no; o++) flow[na + o] = p.capacity[o] - room[o];
  parent[sink] = -1;
  // Children lists, depths and potentials (tree arcs have zero reduced cost) from the root down.
  for (let v = 0; v < sink; v++) addChild(parent[v], v);
  {
    const stack = [sink];
    while (stack.length > 0) {
      const u = stack.pop()!;
      for (let c = firstChild[u]; c >= 0; c = nextSibling[c]) {
        const a = pred[c];
        // cost + pi[src] − pi[dst] = 0 along the tree arc.
        pi[c] = src[a] === c ? pi[u] - cost[a] : pi[u] + cost[a];
        depth[c] = depth[u] + 1;
        stack.push(c);
      }
    }
  }

  // Reduced costs below this are noise, not improvement (profits are per VCU-hour in base units).
  const eps = 1e-9 * Math.max(1, maxProfit);
  const blockSize = 48; // measured: short blocks beat √m here because pivots are cheap
  let cursor = 0;
  const stack = new Int32Array(nodes);
  const path = new Int32Array(nodes);

  for (;;) {
    const searchable = arcs;
    let entering = -1;
    let best = -eps;
    for (let scanned = 0; scanned < searchable; ) {
      const end = Math.min(scanned + blockSize, searchable);
      for (; scanned < end; scanned++) {
        const a = cursor;
        cursor = cursor + 1 === searchable ? 0 : cursor + 1;
        const s = state[a];
        if (s === 0) continue;
        const violation = s * (cost[a] + pi[src[a]] - pi[dst[a]]);
        if (violation < best) {
          best = violation;
          entering = a;
        }
      }
      if (entering >= 0) break;
    }
    if (entering < 0) break;

    const forward = state[entering] === 1;
    const first = forward ? src[entering] : dst[entering];
    const second = forward ? dst[entering] : src[entering];
    let u = first;
    let v = second;
    while (u !== v) {
      if (depth[u] > depth[v]) u = parent[u];
      else if (depth[v] > depth[u]) v = parent[v];
      else {
        u = parent[u];
        v = parent[v];
      }
    }
    const join = u;

    // Largest flow change around the cycle join → first → second → join, and the leaving arc.
    let delta = cap[entering];
    let leavingNode = -1; // tree node whose parent arc leaves; −1 when the entering arc itself saturates
    let leavingOnFirstSide = false;
    for (let x = first; x !== join; x = parent[x]) {
      const a = pred[x];
      const room = dir[x] === UP ? flow[a] : cap[a] - flow[a];
      if (room < delta) {
        delta = room;
        leavingNode = x;
        leavingOnFirstSide = true;
      }
    }
    for (let x = second; x !== join; x = parent[x]) {
      const a = pred[x];
      const room = dir[x] === UP ? cap[a] - flow[a] : flow[a];
      if (room <= delta) {
        delta = room;
        leavingNode = x;
        leavingOnFirstSide = false;
      }
    }
    if (delta === Infinity) throw new Error("transport problem is unbounded");

    if (delta > 0) {
      flow[entering] += forward ? delta : -delta;
      for (let x = first; x !== join; x = parent[x]) flow[pred[x]] += dir[x] === UP ? -delta : delta;
      for (let x = second; x !== join; x = parent[x]) flow[pred[x]] += dir[x] === UP ? delta : -delta;
    }
    if (leavingNode < 0) {
      state[entering] = forward ? -1 : 1;
      continue;
    }

    const leavingArc = pred[leavingNode];
    state[leavingArc] = flow[leavingArc] === 0 ? 1 : -1;
    state[entering] = 0;
    // Re-hang the subtree under the leaving arc from the entering arc's endpoint inside it.
    const inside = leavingOnFirstSide ? first : second;
    const outside = leavingOnFirstSide ? second : first;
    let length = 0;
    for (let x = inside; ; x = parent[x]) {
      path[length++] = x;
      if (x === leavingNode) break;
    }
    removeChild(parent[leavingNode], leavingNode);
    for (let i = 0; i + 1 < length; i++) removeChild(path[i + 1], path[i]);
    for (let i = length - 1; i > 0; i--) {
      const child = path[i];
      const newParent = path[i - 1];
      pred[child] = pred[newParent];
      dir[child] = dir[newParent] === UP ? 0 : UP;
      parent[child] = newParent;
      addChild(newParent, child);
    }
    parent[inside] = outside;
    pred[inside] = entering;
    dir[inside] = src[entering] === inside ? UP : 0;
    addChild(outside, inside);

    const reduced = cost[entering] + pi[src[entering]] - pi[dst[entering]];
    const shift = src[entering] === inside ? -reduced : reduced;
    let top = 0;
    stack[top++] = inside;
    while (top > 0) {
      const x = stack[--top];
      pi[x] += shift;
      depth[x] = depth[parent[x]] + 1;
      for (let c = firstChild[x]; c >= 0; c = nextSibling[c]) stack[top++] = c;
    }
  }
  return flow.slice(0, na);
}

/**
 * One bid (a quote), every profit positive: the optimum is the greedy fill, best profit first, and
 * that fill is exactly the crash basis above (same selection order, ties to the same arc, an offer
 * filled once). From it the simplex makes only degenerate pivots (no arc has a negative reduced
 * cost but those whose cycle carries no flow), so its flows are the general method's to the last
 * unit without building the tree. Undefined when the shortcut does not apply.
 */
function solveOneBid(p: TransportProblem): Float64Array | undefined {
  const na = p.arcBid.length;
  for (let a = 0; a < na; a++) if (!(p.profit[a] > 0)) return undefined;
  const flow = new Float64Array(na);
  const order = new Int32Array(na);
  for (let a = 0; a < na; a++) order[a] = a;
  const room = p.capacity.slice();
  let rest = p.demand[0];
  for (let i = 0; i < na && rest > 0; i++) {
    let top = i;
    for (let j = i + 1; j < na; j++) if (p.profit[order[j]] > p.profit[order[top]]) top = j;
    const a = order[top];
    order[top] = order[i];
    order[i] = a;
    const o = p.arcOffer[a];
    if (room[o] > rest) {
      flow[a] = rest;
      room[o] -= rest;
      rest = 0;
    } else if (room[o] > 0) {
      flow[a] = room[o];
      rest -= room[o];
      room[o] = 0;
    }
  }
  return flow;
}
