// The demo market's cast and numbers: "East Data, West Computing" (东数西算) in whole hours. The
// north-west hubs (Gansu, Ningxia) and Inner Mongolia have solar that peaks at noon China time, Inner
// Mongolia and the coast have wind that blows hardest at night, Chengdu–Chongqing and Guizhou have
// hydro that runs flat. Western hubs sell compute cheaper, with more capacity and a lower PUE; eastern
// demand centres are dearer but close to the users. Training jobs are flexible (any 1–8 h inside the
// next 24 h) and need a high green share, so the scheduler moves them to the hours in which their grid
// area has green certificates on offer: noon in Ningxia, any hour on Guizhou's hydro. Inference jobs
// are fixed and stay near their users.
//
// Everything is in protocol units (protocol/units.ts, protocol/hours.ts): VCU (units at the same time),
// Wh, W, Mbps, bps, PUE in thousandths, token base units (6 decimals), times on the hour. `account` is
// the simulator's own participant number (protocol/accounts.ts simulatorAccount(n)); `menu` marks the
// web market's demo-menu accounts, which act only while the seed runs (afterwards they belong to the
// person at the browser).
import { REGION, TOKEN_DECIMALS } from "../../protocol/units.ts";

/** Token base units of an amount in whole tokens (prices read like a stablecoin's). */
export const tokens = (amount: number): bigint => BigInt(Math.round(amount * 10 ** TOKEN_DECIMALS));

/** The scenario's regions by name, their codes as protocol/units.ts lists them. */
export { REGION };
export const HARDWARE = { CpuGeneral: 0, CpuHpc: 1, GpuInference: 2, GpuTraining: 3 } as const;
export const SOURCE = { Solar: 0, Wind: 1, Hydro: 2 } as const;
/** Where a bid's certificates may come from (the market's CertificateOrigin). */
export const ORIGIN = { ComputeRegion: 0, GridArea: 1, Anywhere: 2 } as const;

/** Who acts: one of the simulator's own accounts, or a demo-menu role during the seed only. */
export type Actor = { account: number } | { menu: "buyer" | "computeSupplier" | "energySupplier" | "networkSupplier" };

/** One hardware class a compute supplier runs in its region. */
export type ComputeSite = {
  hardwareClass: number;
  /** VCU the site sells in every hour (units at the same time). */
  vcu: number;
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
  /** VCU wanted, drawn between the two. */
  vcu: [number, number];
  /** Job length in hours, drawn between the two. */
  durationHours: [number, number];
  /** Hours the job may start within after its earliest start (0: a fixed job, its window is its duration). */
  flexHours: number;
  limitPerVcuHour: bigint;
  minGreenBps: number;
  certificateOrigin: number;
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
    region: REGION.Ningxia,
    sites: [
      {
        hardwareClass: HARDWARE.GpuTraining,
        vcu: 96,
        whPerVcuHour: 700,
        pueMilli: 1_150,
        reservePerVcuHour: tokens(1.55),
      },
      { hardwareClass: HARDWARE.CpuHpc, vcu: 400, whPerVcuHour: 220, pueMilli: 1_150, reservePerVcuHour: tokens(0.22) },
    ],
  },
  {
    name: "Guizhou Gui'an Hydro DC",
    actor: { account: 3 },
    region: REGION.Guizhou,
    sites: [
      {
        hardwareClass: HARDWARE.GpuTraining,
        vcu: 48,
        whPerVcuHour: 700,
        pueMilli: 1_200,
        reservePerVcuHour: tokens(1.75),
      },
      {
        hardwareClass: HARDWARE.GpuInference,
        vcu: 64,
        whPerVcuHour: 350,
        pueMilli: 1_200,
        reservePerVcuHour: tokens(0.78),
      },
    ],
  },
  {
    name: "Beijing Yizhuang Edge",
    actor: { account: 4 },
    region: REGION.BeijingTianjinHebei,
    sites: [
      {
        hardwareClass: HARDWARE.GpuInference,
        vcu: 48,
        whPerVcuHour: 350,
        pueMilli: 1_380,
        reservePerVcuHour: tokens(1.1),
      },
      {
        hardwareClass: HARDWARE.CpuGeneral,
        vcu: 800,
        whPerVcuHour: 60,
        pueMilli: 1_380,
        reservePerVcuHour: tokens(0.045),
      },
    ],
  },
  {
    name: "Shanghai Lingang AIDC",
    actor: { account: 5 },
    region: REGION.YangtzeDelta,
    sites: [
      {
        hardwareClass: HARDWARE.GpuTraining,
        vcu: 32,
        whPerVcuHour: 700,
        pueMilli: 1_300,
        reservePerVcuHour: tokens(2.35),
      },
      {
        hardwareClass: HARDWARE.GpuInference,
        vcu: 48,
        whPerVcuHour: 350,
        pueMilli: 1_300,
        reservePerVcuHour: tokens(1.2),
      },
    ],
  },
  {
    name: "Shenzhen Qianhai Compute",
    actor: { account: 6 },
    region: REGION.GuangdongHkMacao,
    sites: [
      {
        hardwareClass: HARDWARE.GpuInference,
        vcu: 40,
        whPerVcuHour: 350,
        pueMilli: 1_350,
        reservePerVcuHour: tokens(1.15),
      },
      {
        hardwareClass: HARDWARE.CpuGeneral,
        vcu: 600,
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
    region: REGION.BeijingTianjinHebei,
    sites: [
      {
        hardwareClass: HARDWARE.GpuInference,
        vcu: 24,
        whPerVcuHour: 340,
        pueMilli: 1_250,
        reservePerVcuHour: tokens(1.02),
      },
    ],
  },
];

export const ENERGY_SUPPLIERS: EnergySupplier[] = [
  {
    name: "Northwest Solar Group",
    actor: { account: 7 },
    devices: [
      {
        name: "Dunhuang Solar Park",
        source: SOURCE.Solar,
        region: REGION.Gansu,
        capacityW: 150_000_000n,
        reservePerKwh: tokens(0.028),
      },
      {
        name: "Tengger Desert Solar",
        source: SOURCE.Solar,
        region: REGION.Ningxia,
        capacityW: 100_000_000n,
        reservePerKwh: tokens(0.027),
      },
    ],
  },
  {
    name: "Southwest Hydro",
    actor: { account: 8 },
    devices: [
      {
        name: "Wujiang Cascade Hydro",
        source: SOURCE.Hydro,
        region: REGION.Guizhou,
        capacityW: 300_000_000n,
        reservePerKwh: tokens(0.025),
      },
      {
        name: "Yalong River Hydro",
        source: SOURCE.Hydro,
        region: REGION.ChengduChongqing,
        capacityW: 200_000_000n,
        reservePerKwh: tokens(0.024),
      },
    ],
  },
  {
    name: "Steppe and Coast Power",
    actor: { account: 9 },
    devices: [
      {
        name: "Ulanqab Wind Farm",
        source: SOURCE.Wind,
        region: REGION.InnerMongolia,
        capacityW: 200_000_000n,
        reservePerKwh: tokens(0.03),
      },
      {
        name: "Kubuqi Desert Solar",
        source: SOURCE.Solar,
        region: REGION.InnerMongolia,
        capacityW: 80_000_000n,
        reservePerKwh: tokens(0.029),
      },
      {
        name: "Rudong Offshore Wind",
        source: SOURCE.Wind,
        region: REGION.YangtzeDelta,
        capacityW: 100_000_000n,
        reservePerKwh: tokens(0.045),
      },
      {
        name: "Foshan Rooftop Solar",
        source: SOURCE.Solar,
        region: REGION.GuangdongHkMacao,
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
        region: REGION.YangtzeDelta,
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
  region: REGION.YangtzeDelta,
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
        fromRegion: REGION.Ningxia,
        toRegion: REGION.YangtzeDelta,
        latencyMs: 55,
        mbps: 10_000,
        reservePerMbpsHour: tokens(0.0012),
      },
      {
        fromRegion: REGION.Ningxia,
        toRegion: REGION.BeijingTianjinHebei,
        latencyMs: 35,
        mbps: 10_000,
        reservePerMbpsHour: tokens(0.001),
      },
      {
        fromRegion: REGION.Guizhou,
        toRegion: REGION.GuangdongHkMacao,
        latencyMs: 28,
        mbps: 10_000,
        reservePerMbpsHour: tokens(0.001),
      },
      {
        fromRegion: REGION.Guizhou,
        toRegion: REGION.YangtzeDelta,
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
        fromRegion: REGION.Ningxia,
        toRegion: REGION.YangtzeDelta,
        latencyMs: 38,
        mbps: 2_000,
        reservePerMbpsHour: tokens(0.003),
      },
      {
        fromRegion: REGION.Guizhou,
        toRegion: REGION.YangtzeDelta,
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
        fromRegion: REGION.Ningxia,
        toRegion: REGION.BeijingTianjinHebei,
        latencyMs: 32,
        mbps: 4_000,
        reservePerMbpsHour: tokens(0.0011),
      },
    ],
  },
];

export const BUYERS: Buyer[] = [
  {
    // Flexible training: any 1–8 h of the next day, in the west, 80 % green from its grid area.
    name: "Hangzhou Foundation Model Lab",
    actor: { account: 12 },
    job: {
      hardwareClass: HARDWARE.GpuTraining,
      buyerRegion: REGION.YangtzeDelta,
      acceptableRegions: [REGION.Ningxia, REGION.Guizhou, REGION.YangtzeDelta],
      vcu: [16, 48],
      durationHours: [1, 8],
      flexHours: 24,
      limitPerVcuHour: tokens(2.2),
      minGreenBps: 8_000,
      certificateOrigin: ORIGIN.GridArea,
      bandwidthMbps: 500,
      maxLatencyMs: 60,
    },
  },
  {
    name: "Beijing Voice Assistant",
    actor: { account: 13 },
    job: {
      hardwareClass: HARDWARE.GpuInference,
      buyerRegion: REGION.BeijingTianjinHebei,
      acceptableRegions: [REGION.BeijingTianjinHebei],
      vcu: [8, 24],
      durationHours: [1, 3],
      flexHours: 0,
      limitPerVcuHour: tokens(1.45),
      minGreenBps: 3_000,
      certificateOrigin: ORIGIN.GridArea,
      bandwidthMbps: 0,
      maxLatencyMs: 20,
    },
  },
  {
    // Overnight risk runs: flexible within half a day, certificates from anywhere (the hydro of Chengdu–Chongqing).
    name: "Shanghai Quant Risk",
    actor: { account: 14 },
    job: {
      hardwareClass: HARDWARE.CpuHpc,
      buyerRegion: REGION.YangtzeDelta,
      acceptableRegions: [REGION.Ningxia],
      vcu: [80, 200],
      durationHours: [2, 4],
      flexHours: 12,
      limitPerVcuHour: tokens(0.4),
      minGreenBps: 5_000,
      certificateOrigin: ORIGIN.Anywhere,
      bandwidthMbps: 100,
      maxLatencyMs: 80,
    },
  },
  {
    name: "Shenzhen Video Cloud",
    actor: { account: 15 },
    job: {
      hardwareClass: HARDWARE.GpuInference,
      buyerRegion: REGION.GuangdongHkMacao,
      acceptableRegions: [REGION.GuangdongHkMacao, REGION.Guizhou],
      vcu: [8, 32],
      durationHours: [1, 3],
      flexHours: 0,
      limitPerVcuHour: tokens(1.4),
      minGreenBps: 4_000,
      certificateOrigin: ORIGIN.GridArea,
      bandwidthMbps: 300,
      maxLatencyMs: 30,
    },
  },
  {
    // Flexible training on Guizhou's hydro, certificates from the compute region itself.
    name: "Gui'an Bio Simulation",
    actor: { account: 16 },
    job: {
      hardwareClass: HARDWARE.GpuTraining,
      buyerRegion: REGION.Guizhou,
      acceptableRegions: [REGION.Guizhou],
      vcu: [8, 24],
      durationHours: [1, 8],
      flexHours: 24,
      limitPerVcuHour: tokens(2.1),
      minGreenBps: 9_000,
      certificateOrigin: ORIGIN.ComputeRegion,
      bandwidthMbps: 0,
      maxLatencyMs: 100,
    },
  },
  {
    name: "Your inference service (demo menu)",
    actor: { menu: "buyer" },
    job: {
      hardwareClass: HARDWARE.GpuInference,
      buyerRegion: REGION.BeijingTianjinHebei,
      acceptableRegions: [REGION.BeijingTianjinHebei],
      vcu: [4, 8],
      durationHours: [1, 2],
      flexHours: 0,
      limitPerVcuHour: tokens(1.5),
      minGreenBps: 3_000,
      certificateOrigin: ORIGIN.GridArea,
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
 * The market's rhythm. Suppliers post day-ahead: compute capacity, links and forecast energy in blocks
 * of `supplyBlockHours`, kept posted `supplyAheadHours` ahead. Buyers bid every round for jobs from the
 * next whole hour after `lead`. The seed replays days of history with rounds hours apart; the live
 * market bids every minute or so, so that a visitor sees the book move.
 */
export type Pace = {
  /** Seconds between trading rounds (new bids, supply kept ahead, a settlement). */
  roundEvery: number;
  /** A job starts no earlier than the first whole hour this long after its bid. */
  lead: number;
  /** Hours of one supply block (one compute, link or energy offer per site, link and device). */
  supplyBlockHours: number;
  /** Supply is kept posted this many hours ahead of now. */
  supplyAheadHours: number;
  /** Seconds between certificate issues for the hours that have ended. */
  issueEvery: number;
  /** Seconds between housekeeping (stale order cancellations, withdrawals, credit retirements). */
  housekeepingEvery: number;
};

export const SEED_PACE: Pace = {
  roundEvery: 2 * 3_600,
  lead: 10 * 60,
  supplyBlockHours: 12,
  supplyAheadHours: 36,
  issueEvery: 6 * 3_600,
  housekeepingEvery: 12 * 3_600,
};

export const LIVE_PACE: Pace = {
  roundEvery: 60,
  lead: 5 * 60,
  supplyBlockHours: 12,
  supplyAheadHours: 36,
  issueEvery: 5 * 60,
  housekeepingEvery: 5 * 60,
};

/** Share of its forecast generation an energy supplier offers on the book (the rest is sold elsewhere or held). */
export const OFFERED_SHARE = 0.03;

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
  /** Seconds after the job's end at which the supplier reports (the grace period is 300 s). */
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
 * clear and rests in the book until it expires. A living market shows such bids: without
 * them, every bid the matcher can serve leaves the book in the next batch and the bid side stays empty.
 */
export function restingBidCeiling(hardwareClass: number): bigint {
  const reserves = COMPUTE_SUPPLIERS.flatMap((s) => s.sites)
    .filter((site) => site.hardwareClass === hardwareClass)
    .map((site) => site.reservePerVcuHour);
  const cheapest = reserves.reduce((a, b) => (b < a ? b : a));
  return (cheapest * BigInt(Math.floor(COMPUTE_RESERVE_JITTER[0] * 100))) / 100n - 1n;
}
