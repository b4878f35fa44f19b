// Issue 11 item 8: source factors were never set at deployment, so biomass and nuclear certificates
// earned credits at the full grid factor. The Ignition module now deploys the IPCC AR5 lifecycle
// medians (docs/carbon-accounting.md), and credits count grid − source factor per kWh retired.
import { expect } from "chai";
import CCEXModule, { SOURCE_FACTORS } from "../../../ignition/modules/CCEX.ts";
import type {
  CarbonCredits,
  GreenCertificates,
  LocalSettlementToken,
  Market,
} from "../../../types/ethers-contracts/index.ts";
import { advanceTo, bid, computeOffer, DAY, energyOffer, jobHours, regions } from "../../helpers/book.ts";
import { ethers, ignition, loadFixture, time } from "../../helpers/connection.ts";
import { fullReport, jobEnd, plain } from "../../helpers/deals.ts";
import { Region, Source, USD } from "../../helpers/deploy.ts";

const IPCC_AR5_MEDIANS = { Solar: 48, Wind: 11, Hydro: 24, Biomass: 230, Geothermal: 38, Nuclear: 12 } as const;

async function deployedByIgnition() {
  const deployed = await ignition.deploy(CCEXModule);
  return {
    market: deployed.market as unknown as Market,
    certificates: deployed.certificates as unknown as GreenCertificates,
    credits: deployed.credits as unknown as CarbonCredits,
    settlementToken: deployed.settlementToken as unknown as LocalSettlementToken,
  };
}

describe("source factors at deployment", () => {
  it("deploys the IPCC AR5 lifecycle median of every generation source", async () => {
    const { market } = await loadFixture(deployedByIgnition);
    expect([...SOURCE_FACTORS]).to.deep.equal(Object.values(IPCC_AR5_MEDIANS));
    for (const [name, factor] of Object.entries(IPCC_AR5_MEDIANS)) {
      expect(await market.sourceFactorOf(Source[name as keyof typeof Source])).to.equal(BigInt(factor), name);
    }
  });

  it("credits a biomass deal with (grid − 230) g per kWh, not the full grid factor", async () => {
    const { market, certificates, credits, settlementToken } = await loadFixture(deployedByIgnition);
    // The deployer holds every role; the parties are other accounts.
    const [deployer, buyer, computeSupplier, biomassSupplier] = await ethers.getSigners();
    const t0 = await time.latest();
    await certificates
      .connect(biomassSupplier)
      .registerDevice(Source.Biomass, Region.BeijingTianjinHebei, 10_000_000n, t0 - 30 * DAY, "");
    await certificates.connect(deployer).approveDevice(1n);
    await certificates.connect(biomassSupplier).setApprovalForAll(await market.getAddress(), true);
    await market.connect(biomassSupplier).postEnergyOffer(energyOffer(t0, 1n));
    await market.connect(computeSupplier).postComputeOffer(computeOffer(t0, { region: Region.BeijingTianjinHebei }));
    await settlementToken.faucet(buyer.address, 1_000n * USD);
    await settlementToken.connect(buyer).approve(await market.getAddress(), ethers.MaxUint256);
    await market.connect(buyer).postBid(
      bid(t0, {
        buyerRegion: Region.BeijingTianjinHebei,
        acceptableRegions: regions(Region.BeijingTianjinHebei),
        bandwidthMbps: 0n,
      }),
    );
    const tx = await market.connect(deployer).settle([
      {
        bidId: 1n,
        computeOfferId: 1n,
        start: jobHours(t0)[0],
        vcu: 25n,
        computePayment: 180n * USD,
        // The job's whole need, 62.5 kWh in each of its four hours.
        energyLots: jobHours(t0).map((hour) => ({ offerId: 1n, hour, wh: 62_500n, payment: 2_750_000n })),
        bandwidthOfferId: 0n,
        bandwidthPayment: 0n,
      },
    ]);
    const receipt = (await tx.wait())!;
    const opened = receipt.logs.map((log) => market.interface.parseLog(log)).find((e) => e?.name === "DealOpened")!;
    const terms = plain(opened.args.terms);
    expect(terms.energyLots[0].sourceFactor).to.equal(230n);
    // The biomass plant issues the job's hours once they have passed; the market retires them from it.
    await advanceTo(jobEnd(terms));
    await certificates.connect(biomassSupplier).issue(1n, jobHours(t0)[0], [200_000n, 200_000n, 200_000n, 200_000n]);
    const report = fullReport(terms);
    await market.connect(computeSupplier).reportUsage(1n, terms, report);
    await market.connect(buyer).confirmUsage(1n, terms, report);
    expect(await credits.balanceOf(buyer.address)).to.equal((250_000n * (610n - 230n)) / 1000n);
  });
});
