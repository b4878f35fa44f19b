// The demo market's cast and numbers: "East Data, West Computing" (东数西算). Western hubs with
// abundant wind, solar and hydro (Northwest, Southwest) sell compute cheaper, with more capacity and
// a lower PUE; eastern demand centres (North, East, South) are dearer but close to the users. Network
// suppliers link east and west with different latency and price. Training jobs need gpu-training, a
// high green share and tolerate latency, so they go west; inference needs low latency and stays east.
//
// Everything is in protocol units (protocol/units.ts): VCU-hours, Wh, W, Mbps, bps, PUE in
// thousandths, token base units (6 decimals). `account` is the simulator's own participant number
// (protocol/accounts.ts simulatorAccount(n)); `menu` marks the web market's demo-menu accounts, which
// act only while the seed runs (afterwards they belong to the person at the browser).
import { TOKEN_DECIMALS } from "../../protocol/units.ts";

/** Token base units of an amount in whole tokens (prices read like a stablecoin's). */
export const tokens = (amount: number): bigint => BigInt(Math.round(amount * 10 ** TOKEN_DECIMALS));

export const REGION = { North: 1, East: 2, South: 3, Northwest: 4, Southwest: 5 } as const;
export const HARDWARE = { CpuGeneral: 0, CpuHpc: 1, GpuInference: 2, GpuTraining: 3 } as const;
export const SOURCE = { Solar: 0, Wind: 1, Hydro: 2 } as const;

/** Who acts: one of the simulator's own accounts, or a demo-menu role during the seed only. */
export type Actor = { account: number } | { menu: "buyer" | "computeSupplier" | "energySupplier" | "networkSupplier" };

/** One hardware class a compute supplier runs in its region. */
export type ComputeSite = {
  hardwareClass: number;
  /** VCU-hours the site can sell per hour of window. */
  vcuPerHour: number;
  whPerVcuHour: number;
  pueMilli: number;
  reservePerVcuHour: bigint;
};

export type ComputeSupplier = { name: string; actor: Actor; region: number; sites: ComputeSite[] };

export type Device = {
  name: string;
  source: number;
  region: number;
  capacityW: bigint;
  /** Reserve price of the certificates it offers, per kWh. */
  reservePerKwh: bigint;
};
export type EnergySupplier = { name: string; actor: Actor; devices: Device[] };

export type Link = {
  fromRegion: number;
  toRegion: number;
  latencyMs: number;
  mbps: number;
  reservePerMbpsHour: bigint;
};
export type NetworkSupplier = { name: string; actor: Actor; links: Link[] };

export type Job = {
  hardwareClass: number;
  buyerRegion: number;
  acceptableRegions: number[];
  /** VCU-hours wanted per hour of window, drawn between the two. */
  vcuPerHour: [number, number];
  limitPerVcuHour: bigint;
  minGreenBps: number;
  bandwidthMbps: number;
  maxLatencyMs: number;
};
export type Buyer = { name: string; actor: Actor; job: Job };

/** The simulator's registrar (REGISTRAR_ROLE) and arbiter (ARBITER_ROLE), granted by the admin at seed. */
export const REGISTRAR = { name: "CCEX Demo Registry", account: 0 };
export const ARBITER = { name: "Demo Arbitration Desk", account: 1 };

export const COMPUTE_SUPPLIERS: ComputeSupplier[] = [
  {
    name: "Ningxia Zhongwei West Cloud",
    actor: { account: 2 },
    region: REGION.Northwest,
    sites: [
      {
        hardwareClass: HARDWARE.GpuTraining,
        vcuPerHour: 96,
        whPerVcuHour: 700,
        pueMilli: 1_150,
        reservePerVcuHour: tokens(1.55),
      },
      {
        hardwareClass: HARDWARE.CpuHpc,
        vcuPerHour: 400,
        whPerVcuHour: 220,
        pueMilli: 1_150,
        reservePerVcuHour: tokens(0.22),
      },
    ],
  },
  {
    name: "Guizhou Gui'an Hydro DC",
    actor: { account: 3 },
    region: REGION.Southwest,
    sites: [
      {
        hardwareClass: HARDWARE.GpuTraining,
        vcuPerHour: 64,
        whPerVcuHour: 700,
        pueMilli: 1_200,
        reservePerVcuHour: tokens(1.65),
      },
      {
        hardwareClass: HARDWARE.GpuInference,
        vcuPerHour: 64,
        whPerVcuHour: 350,
        pueMilli: 1_200,
        reservePerVcuHour: tokens(0.78),
      },
    ],
  },
  {
    name: "Beijing Yizhuang Edge",
    actor: { account: 4 },
    region: REGION.North,
    sites: [
      {
        hardwareClass: HARDWARE.GpuInference,
        vcuPerHour: 48,
        whPerVcuHour: 350,
        pueMilli: 1_380,
        reservePerVcuHour: tokens(1.1),
      },
      {
        hardwareClass: HARDWARE.CpuGeneral,
        vcuPerHour: 800,
        whPerVcuHour: 60,
        pueMilli: 1_380,
        reservePerVcuHour: tokens(0.045),
      },
    ],
  },
  {
    name: "Shanghai Lingang AIDC",
    actor: { account: 5 },
    region: REGION.East,
    sites: [
      {
        hardwareClass: HARDWARE.GpuTraining,
        vcuPerHour: 32,
        whPerVcuHour: 700,
        pueMilli: 1_300,
        reservePerVcuHour: tokens(2.35),
      },
      {
        hardwareClass: HARDWARE.GpuInference,
        vcuPerHour: 48,
        whPerVcuHour: 350,
        pueMilli: 1_300,
        reservePerVcuHour: tokens(1.2),
      },
    ],
  },
  {
    name: "Shenzhen Qianhai Compute",
    actor: { account: 6 },
    region: REGION.South,
    sites: [
      {
        hardwareClass: HARDWARE.GpuInference,
        vcuPerHour: 40,
        whPerVcuHour: 350,
        pueMilli: 1_350,
        reservePerVcuHour: tokens(1.15),
      },
      {
        hardwareClass: HARDWARE.CpuGeneral,
        vcuPerHour: 600,
        whPerVcuHour: 60,
        pueMilli: 1_350,
        reservePerVcuHour: tokens(0.05),
      },
    ],
  },
  {
    // The demo menu's compute supplier: a small inference room in Beijing, undercutting the incumbent.
    name: "Your compute room (demo menu)",
    actor: { menu: "computeSupplier" },
    region: REGION.North,
    sites: [
      {
        hardwareClass: HARDWARE.GpuInference,
        vcuPerHour: 24,
        whPerVcuHour: 340,
        pueMilli: 1_250,
        reservePerVcuHour: tokens(1.02),
      },
    ],
  },
];

export const ENERGY_SUPPLIERS: EnergySupplier[] = [
  {
    name: "Gansu Jiuquan Renewables",
    actor: { account: 7 },
    devices: [
      {
        name: "Jiuquan Wind Farm III",
        source: SOURCE.Wind,
        region: REGION.Northwest,
        capacityW: 200_000_000n,
        reservePerKwh: tokens(0.03),
      },
      {
        name: "Golmud Solar Park",
        source: SOURCE.Solar,
        region: REGION.Northwest,
        capacityW: 150_000_000n,
        reservePerKwh: tokens(0.028),
      },
    ],
  },
  {
    name: "Yunnan Lancang Hydro",
    actor: { account: 8 },
    devices: [
      {
        name: "Lancang Run-of-River 2",
        source: SOURCE.Hydro,
        region: REGION.Southwest,
        capacityW: 300_000_000n,
        reservePerKwh: tokens(0.025),
      },
    ],
  },
  {
    name: "Coastal Green Power",
    actor: { account: 9 },
    devices: [
      {
        name: "Rudong Offshore Wind",
        source: SOURCE.Wind,
        region: REGION.East,
        capacityW: 100_000_000n,
        reservePerKwh: tokens(0.045),
      },
      {
        name: "Foshan Rooftop Solar",
        source: SOURCE.Solar,
        region: REGION.South,
        capacityW: 20_000_000n,
        reservePerKwh: tokens(0.04),
      },
    ],
  },
  {
    name: "Your solar roof (demo menu)",
    actor: { menu: "energySupplier" },
    devices: [
      {
        name: "Suzhou Factory Rooftop",
        source: SOURCE.Solar,
        region: REGION.East,
        capacityW: 5_000_000n,
        reservePerKwh: tokens(0.035),
      },
    ],
  },
];

/**
 * Registered by a simulator supplier as the seed's last transaction and left pending: the demo menu's
 * registrar finds it waiting, and its presence tells a restarted demo that the seed is complete.
 */
export const PENDING_DEVICE: Device & { owner: number; metadataURI: string } = {
  name: "Rudong Offshore Wind Phase II",
  source: SOURCE.Wind,
  region: REGION.East,
  capacityW: 150_000_000n,
  reservePerKwh: tokens(0.045),
  owner: 9,
  metadataURI: "ccex-demo://devices/rudong-offshore-wind-phase-2",
};

export const NETWORK_SUPPLIERS: NetworkSupplier[] = [
  {
    name: "China Backbone Net",
    actor: { account: 10 },
    links: [
      {
        fromRegion: REGION.Northwest,
        toRegion: REGION.East,
        latencyMs: 55,
        mbps: 10_000,
        reservePerMbpsHour: tokens(0.0012),
      },
      {
        fromRegion: REGION.Northwest,
        toRegion: REGION.North,
        latencyMs: 35,
        mbps: 10_000,
        reservePerMbpsHour: tokens(0.001),
      },
      {
        fromRegion: REGION.Southwest,
        toRegion: REGION.South,
        latencyMs: 28,
        mbps: 10_000,
        reservePerMbpsHour: tokens(0.001),
      },
      {
        fromRegion: REGION.Southwest,
        toRegion: REGION.East,
        latencyMs: 45,
        mbps: 10_000,
        reservePerMbpsHour: tokens(0.0011),
      },
    ],
  },
  {
    name: "East-West Express",
    actor: { account: 11 },
    links: [
      {
        fromRegion: REGION.Northwest,
        toRegion: REGION.East,
        latencyMs: 38,
        mbps: 2_000,
        reservePerMbpsHour: tokens(0.003),
      },
      {
        fromRegion: REGION.Southwest,
        toRegion: REGION.East,
        latencyMs: 33,
        mbps: 2_000,
        reservePerMbpsHour: tokens(0.0028),
      },
    ],
  },
  {
    name: "Your fibre route (demo menu)",
    actor: { menu: "networkSupplier" },
    links: [
      {
        fromRegion: REGION.Northwest,
        toRegion: REGION.North,
        latencyMs: 32,
        mbps: 4_000,
        reservePerMbpsHour: tokens(0.0011),
      },
    ],
  },
];

export const BUYERS: Buyer[] = [
  {
    name: "Hangzhou Foundation Model Lab",
    actor: { account: 12 },
    job: {
      hardwareClass: HARDWARE.GpuTraining,
      buyerRegion: REGION.East,
      acceptableRegions: [REGION.Northwest, REGION.Southwest, REGION.East],
      vcuPerHour: [24, 64],
      limitPerVcuHour: tokens(2.2),
      minGreenBps: 8_000,
      bandwidthMbps: 500,
      maxLatencyMs: 60,
    },
  },
  {
    name: "Beijing Voice Assistant",
    actor: { account: 13 },
    job: {
      hardwareClass: HARDWARE.GpuInference,
      buyerRegion: REGION.North,
      acceptableRegions: [REGION.North, REGION.Northwest],
      vcuPerHour: [8, 24],
      limitPerVcuHour: tokens(1.45),
      minGreenBps: 3_000,
      bandwidthMbps: 200,
      maxLatencyMs: 20,
    },
  },
  {
    name: "Shanghai Quant Risk",
    actor: { account: 14 },
    job: {
      hardwareClass: HARDWARE.CpuHpc,
      buyerRegion: REGION.East,
      acceptableRegions: [REGION.Northwest, REGION.Southwest],
      vcuPerHour: [80, 200],
      limitPerVcuHour: tokens(0.4),
      minGreenBps: 5_000,
      bandwidthMbps: 100,
      maxLatencyMs: 80,
    },
  },
  {
    name: "Shenzhen Video Cloud",
    actor: { account: 15 },
    job: {
      hardwareClass: HARDWARE.GpuInference,
      buyerRegion: REGION.South,
      acceptableRegions: [REGION.South, REGION.Southwest],
      vcuPerHour: [8, 32],
      limitPerVcuHour: tokens(1.4),
      minGreenBps: 4_000,
      bandwidthMbps: 300,
      maxLatencyMs: 30,
    },
  },
  {
    name: "Chengdu Bio Simulation",
    actor: { account: 16 },
    job: {
      hardwareClass: HARDWARE.GpuTraining,
      buyerRegion: REGION.Southwest,
      acceptableRegions: [REGION.Southwest],
      vcuPerHour: [16, 40],
      limitPerVcuHour: tokens(2.0),
      minGreenBps: 9_000,
      bandwidthMbps: 0,
      maxLatencyMs: 100,
    },
  },
  {
    name: "Your inference service (demo menu)",
    actor: { menu: "buyer" },
    job: {
      hardwareClass: HARDWARE.GpuInference,
      buyerRegion: REGION.North,
      acceptableRegions: [REGION.North],
      vcuPerHour: [8, 12],
      limitPerVcuHour: tokens(1.5),
      minGreenBps: 5_000,
      bandwidthMbps: 0,
      maxLatencyMs: 20,
    },
  },
];

/** Settlement tokens each buyer draws from the local faucet at the seed (the menu buyer too). */
export const BUYER_FUNDS = tokens(500_000);
export const MENU_BUYER_FUNDS = tokens(10_000);

/** How many simulator accounts the scenario uses (simulatorAccount(0 … n−1)). */
export const SIMULATOR_ACCOUNTS = 17;

/**
 * The market's rhythm. The seed replays days in hours-long windows; the live market runs in
 * minutes so that a visitor sees deals go from bid to finalised while watching.
 */
export type Pace = {
  /** Seconds between trading rounds (new offers and bids). */
  roundEvery: number;
  /** Windows start this long after the round (time to clear and settle). */
  lead: number;
  /** Length of an offer's window, s. */
  offerSpan: number;
  /** A bid's window length is drawn between these, s. */
  bidSpan: [number, number];
  /** Length of a certificate batch's generation period, s. */
  batchPeriod: number;
  /** How long energy offers stay on the book, s. */
  energyOfferLife: number;
  /** Seconds between housekeeping (stale order cancellations, withdrawals, credit retirements). */
  housekeepingEvery: number;
};

export const SEED_PACE: Pace = {
  roundEvery: 2 * 3_600,
  lead: 10 * 60,
  offerSpan: 6 * 3_600,
  bidSpan: [3_600, 4 * 3_600],
  batchPeriod: 24 * 3_600,
  energyOfferLife: 36 * 3_600,
  housekeepingEvery: 12 * 3_600,
};

export const LIVE_PACE: Pace = {
  roundEvery: 20,
  lead: 2 * 60,
  offerSpan: 30 * 60,
  bidSpan: [3 * 60, 8 * 60],
  batchPeriod: 3_600,
  energyOfferLife: 3 * 3_600,
  housekeepingEvery: 5 * 60,
};

/** Chances and delays of how deals play out, drawn per deal from the seeded PRNG. */
export const DEAL_BEHAVIOUR = {
  /** The compute supplier never reports (the buyer gets everything back). */
  noShow: 0.03,
  /** Delivered less than bought (a node failed mid-window). */
  shortDelivery: 0.12,
  dispute: 0.07,
  /** The buyer neither confirms nor disputes: the keeper finalises after the challenge window. */
  silent: 0.2,
  /** Share of disputes the simulator's arbiter rules on; the rest lapse (or wait for the menu's arbiter). */
  arbiterRules: 0.7,
  /** Seconds after the window's end at which the supplier reports (the grace period is 300 s). */
  reportDelay: [20, 150] as [number, number],
  /** Seconds after the report at which the buyer confirms or disputes (the challenge window is 120 s). */
  decisionDelay: [10, 80] as [number, number],
  /** Seconds after the dispute at which the arbiter rules (the arbitration period is 3600 s). */
  rulingDelay: [300, 2_400] as [number, number],
  refundBps: [1_000, 2_500, 5_000],
};

/** Compute offers' reserves are drawn from this range × the site's (a resting bid stays under the lowest). */
export const COMPUTE_RESERVE_JITTER = [0.95, 1.08] as const;

/**
 * The all-in limit of a price-sensitive buyer's resting bid for `hardwareClass`: below every compute
 * offer's reserve of that class (compute alone, before energy, bandwidth and fee), so the bid cannot
 * clear and rests in the book until its window starts. A living market shows such bids: without
 * them, every bid the matcher can serve leaves the book in the next batch and the bid side stays empty.
 */
export function restingBidCeiling(hardwareClass: number): bigint {
  const reserves = COMPUTE_SUPPLIERS.flatMap((s) => s.sites)
    .filter((site) => site.hardwareClass === hardwareClass)
    .map((site) => site.reservePerVcuHour);
  const cheapest = reserves.reduce((a, b) => (b < a ? b : a));
  return (cheapest * BigInt(Math.floor(COMPUTE_RESERVE_JITTER[0] * 100))) / 100n - 1n;
}
