// Smoke test of the deployment and the happy path: the Ignition module deploys and wires the
// exchange in-process, and one bundled trade runs from the first posting to the last withdrawal.
import { expect } from "chai";
import type { EventLog, Log } from "ethers";
import { network } from "hardhat";
import CCEXModule, { DEFAULTS } from "../../ignition/modules/CCEX.ts";
import type {
  CarbonCredits,
  GreenCertificates,
  LocalSettlementToken,
  Market,
} from "../../types/ethers-contracts/index.ts";

type DealTerms = Parameters<Market["reportUsage"]["staticCall"]>[1];

const USD = 1_000_000n; // settlement token: 6 decimals
const HOUR = 3600;
const WIND = 1; // IGreenCertificates.EnergySource.Wind
const NORTHWEST = 4;
const EAST = 2;
const GPU_TRAINING = 3;

describe("CCEX lifecycle (smoke)", () => {
  it("deploys through the Ignition module and settles, reports, finalises and pays out one bundled trade", async () => {
    const { ethers, ignition, networkHelpers } = await network.create();
    const { time } = networkHelpers;
    const [deployer, buyer, computeSupplier, windFarm, networkSupplier] = await ethers.getSigners();
    const deployed = await ignition.deploy(CCEXModule);
    const settlementToken = deployed.settlementToken as unknown as LocalSettlementToken;
    const certificates = deployed.certificates as unknown as GreenCertificates;
    const credits = deployed.credits as unknown as CarbonCredits;
    const market = deployed.market as unknown as Market;
    const marketAddress = await market.getAddress();

    // Every role was granted at deployment to the deployer (the module's default for each parameter).
    expect(await market.hasRole(await market.MATCHER_ROLE(), deployer.address)).to.equal(true);
    expect(await market.hasRole(await market.ARBITER_ROLE(), deployer.address)).to.equal(true);
    expect(await certificates.hasRole(await certificates.MARKET_ROLE(), marketAddress)).to.equal(true);
    expect(await credits.hasRole(await credits.MARKET_ROLE(), marketAddress)).to.equal(true);
    expect(await market.feeBps()).to.equal(BigInt(DEFAULTS.feeBps));
    expect(await market.arbitrationPeriod()).to.equal(BigInt(DEFAULTS.arbitrationPeriod));

    const t0 = await time.latest();
    // Whole hours: the compute window opens at the next hour but one, the job runs its hours 1–4.
    const H = Math.ceil(t0 / HOUR) * HOUR + HOUR;
    const jobStart = H + HOUR;
    const needPerHour = 21_000n; // 25 VCU × 700 Wh × PUE 1.2

    // A wind farm's device is approved and sells its forecast generation of the job's four hours.
    await certificates
      .connect(windFarm)
      .registerDevice(WIND, NORTHWEST, 10_000_000n, t0 - 30 * 24 * HOUR, "ipfs://farm");
    await certificates.connect(deployer).approveDevice(1n);
    await certificates.connect(windFarm).setApprovalForAll(marketAddress, true);
    await market.connect(windFarm).postEnergyOffer({
      deviceId: 1n,
      firstHour: jobStart,
      whPerHour: [50_000n, 50_000n, 50_000n, 50_000n],
      reservePricePerKwh: 50_000n,
      expiry: H,
    });

    await market.connect(computeSupplier).postComputeOffer({
      hardwareClass: GPU_TRAINING,
      region: NORTHWEST,
      windowStart: H,
      windowEnd: H + 24 * HOUR,
      vcu: 1000n,
      reservePricePerVcuHour: 1n * USD,
      whPerVcuHour: 700,
      pueMilli: 1200,
      expiry: H,
    });
    await market.connect(networkSupplier).postBandwidthOffer({
      fromRegion: NORTHWEST,
      toRegion: EAST,
      mbps: 1000,
      latencyMs: 40,
      windowStart: H,
      windowEnd: H + 48 * HOUR,
      reservePricePerMbpsHour: 100n,
      expiry: H,
    });

    // The buyer in the east wants 25 VCU for 4 hours (100 VCU-hours), all-in at most 2 USD per VCU-hour.
    const escrow = 100n * 2n * USD;
    await settlementToken.faucet(buyer.address, escrow);
    await settlementToken.connect(buyer).approve(marketAddress, escrow);
    await market.connect(buyer).postBid({
      hardwareClass: GPU_TRAINING,
      acceptableRegions: (1n << BigInt(NORTHWEST)) | (1n << BigInt(EAST)),
      buyerRegion: EAST,
      earliestStart: jobStart,
      latestEnd: jobStart + 4 * HOUR,
      durationHours: 4,
      vcu: 25,
      limitPricePerVcuHour: 2n * USD,
      minGreenBps: 5000,
      certificateOrigin: 1, // the compute region's grid area
      bandwidthMbps: 100,
      maxLatencyMs: 50,
      expiry: H,
    });

    // Each job hour's 21 kWh covered by that hour's wind: 84 kWh in all.
    const energyWh = 4n * needPerHour;
    const payments = { compute: 120n * USD, energy: 5n * USD, bandwidth: 50_000n };
    const hours = [0, 1, 2, 3].map((h) => jobStart + h * HOUR);
    const settled = await (
      await market.connect(deployer).settle([
        {
          bidId: 1n,
          computeOfferId: 1n,
          start: jobStart,
          vcu: 25n,
          computePayment: payments.compute,
          energyLots: hours.map((hour) => ({ offerId: 1n, hour, wh: needPerHour, payment: payments.energy / 4n })),
          bandwidthOfferId: 1n,
          bandwidthPayment: payments.bandwidth,
        },
      ])
    ).wait();
    const opened = eventArgs(market, settled!.logs, "DealOpened");
    const terms = thaw(opened.terms) as DealTerms; // the terms go back as calldata on every deal action
    expect(opened.dealId).to.equal(1n);
    expect(opened.terms.needPerHourWh).to.equal(needPerHour);
    expect(opened.terms.escrow).to.equal(escrow);

    // The hours pass; the farm certifies what it generated, the data centre reports hour by hour.
    await time.increaseTo(jobStart + 4 * HOUR);
    await certificates.connect(windFarm).issue(1n, jobStart, [50_000n, 50_000n, 50_000n, 50_000n]);
    const report = {
      vcuPerHour: [25n, 25n, 25n, 25n],
      whPerHour: [needPerHour, needPerHour, needPerHour, needPerHour],
      meteringRoot: ethers.id("power series"),
    };
    await market.connect(computeSupplier).reportUsage(1n, terms, report);
    await time.increase(DEFAULTS.challengePeriod);
    await expect(market.connect(deployer).finalize(1n, terms, report)).to.emit(market, "DealFinalized");

    const total = payments.compute + payments.energy + payments.bandwidth;
    const fee = (total * BigInt(DEFAULTS.feeBps)) / 10_000n;
    const expected = new Map([
      [computeSupplier.address, payments.compute],
      [windFarm.address, payments.energy],
      [networkSupplier.address, payments.bandwidth],
      [buyer.address, escrow - total - fee],
    ]);
    for (const [account, amount] of expected) {
      expect(await market.withdrawableOf(account)).to.equal(amount);
    }
    expect(await market.accruedFees()).to.equal(fee);

    // The certificate Wh the job used were retired for the buyer; the credits count the grid's 610 g/kWh
    // less wind's lifecycle 11 g/kWh, the factor the module deploys (docs/carbon-accounting.md).
    for (const hour of hours) {
      const id = (1n << 32n) | BigInt(hour / HOUR);
      expect(await certificates.balanceOf(windFarm.address, id)).to.equal(50_000n - needPerHour);
    }
    const creditsMinted = (energyWh * (610n - 11n)) / 1000n;
    expect(await credits.balanceOf(buyer.address)).to.equal(creditsMinted);

    // Everyone withdraws; the market keeps nothing once no order or deal is open.
    for (const account of [computeSupplier, windFarm, networkSupplier, buyer]) {
      await market.connect(account).withdraw();
    }
    await market.withdrawFees(); // to the treasury: the deployer, by default
    expect(await settlementToken.balanceOf(marketAddress)).to.equal(0n);
    expect(await settlementToken.balanceOf(computeSupplier.address)).to.equal(payments.compute);

    await credits.connect(buyer).retire(creditsMinted, buyer.address, "2026 scope 2");
    expect(await credits.totalSupply()).to.equal(0n);
  });
});

/** The named arguments of the first `name` event the contract emitted in `logs`. */
function eventArgs(
  contract: { interface: { parseLog: (log: Log) => { name: string; args: any } | null } },
  logs: readonly (Log | EventLog)[],
  name: string,
) {
  for (const log of logs) {
    const parsed = contract.interface.parseLog(log);
    if (parsed?.name === name) return parsed.args;
  }
  throw new Error(`no ${name} event`);
}

/** A decoded struct as plain nested arrays: ethers cannot re-encode the frozen Result it decoded. */
function thaw(value: unknown): unknown {
  return Array.isArray(value) ? Array.from(value, thaw) : value;
}
