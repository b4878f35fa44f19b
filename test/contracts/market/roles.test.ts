import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { bundle, certificateId } from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import type { DealFixture } from "../../helpers/deals.ts";
import { fullReport, openDeal } from "../../helpers/deals.ts";
import { Parameter } from "../../helpers/deploy.ts";

// Every role-restricted function, called by every account of the fixture that does not hold the
// role: each must be refused with AccessControlUnauthorizedAccount naming the caller and the role.
type Restricted = {
  name: string;
  role: (f: DealFixture) => Promise<string>;
  holder: (f: DealFixture) => HardhatEthersSigner;
  contract: (f: DealFixture) => any;
  call: (f: DealFixture, caller: HardhatEthersSigner) => Promise<unknown>;
};

const restricted: Restricted[] = [
  {
    name: "Market.settle",
    role: (f) => f.market.MATCHER_ROLE(),
    holder: (f) => f.matcher,
    contract: (f) => f.market,
    call: (f, c) => f.market.connect(c).settle([bundle(f)]),
  },
  {
    name: "Market.resolveDispute",
    role: (f) => f.market.ARBITER_ROLE(),
    holder: (f) => f.arbiter,
    contract: (f) => f.market,
    call: (f, c) => f.market.connect(c).resolveDispute(f.dealId, f.terms, fullReport(f.terms), 0),
  },
  {
    name: "Market.pause",
    role: (f) => f.market.PAUSER_ROLE(),
    holder: (f) => f.pauser,
    contract: (f) => f.market,
    call: (f, c) => f.market.connect(c).pause(),
  },
  {
    name: "Market.unpause",
    role: (f) => f.market.PAUSER_ROLE(),
    holder: (f) => f.pauser,
    contract: (f) => f.market,
    call: (f, c) => f.market.connect(c).unpause(),
  },
  ...(
    [
      ["setTreasury", (f: DealFixture, c: HardhatEthersSigner) => f.market.connect(c).setTreasury(c.address)],
      [
        "scheduleParameterChange",
        (f: DealFixture, c: HardhatEthersSigner) => f.market.connect(c).scheduleParameterChange(Parameter.Fee, 0, 10),
      ],
      [
        "cancelParameterChange",
        (f: DealFixture, c: HardhatEthersSigner) => f.market.connect(c).cancelParameterChange(Parameter.Fee, 0),
      ],
    ] as const
  ).map(([name, call]) => ({
    name: `Market.${name}`,
    role: (f: DealFixture) => f.market.DEFAULT_ADMIN_ROLE(),
    holder: (f: DealFixture) => f.admin,
    contract: (f: DealFixture) => f.market,
    call,
  })),
  {
    name: "GreenCertificates.approveDevice",
    role: (f) => f.certificates.REGISTRAR_ROLE(),
    holder: (f) => f.registrar,
    contract: (f) => f.certificates,
    call: (f, c) => f.certificates.connect(c).approveDevice(f.windDeviceId),
  },
  {
    name: "GreenCertificates.suspendDevice",
    role: (f) => f.certificates.REGISTRAR_ROLE(),
    holder: (f) => f.registrar,
    contract: (f) => f.certificates,
    call: (f, c) => f.certificates.connect(c).suspendDevice(f.windDeviceId),
  },
  {
    name: "GreenCertificates.retireForDeal",
    role: (f) => f.certificates.MARKET_ROLE(),
    holder: (f) => f.stranger, // only the market contract holds it
    contract: (f) => f.certificates,
    call: (f, c) =>
      f.certificates.connect(c).retireForDeal(
        f.dealId,
        c.address,
        [
          {
            holder: f.windSupplier.address,
            certificateId: certificateId(f.windDeviceId, f.start),
            wh: 1n,
            jobHour: 0n,
          },
        ],
        [1n],
      ),
  },
  {
    name: "CarbonCredits.mint",
    role: (f) => f.credits.MARKET_ROLE(),
    holder: (f) => f.stranger,
    contract: (f) => f.credits,
    call: (f, c) => f.credits.connect(c).mint(c.address, 1_000n, f.dealId),
  },
];

describe("role-restricted functions refuse everyone else", () => {
  for (const r of restricted) {
    it(`${r.name} refuses every account without its role`, async () => {
      const f = await loadFixture(openDeal);
      const role = await r.role(f);
      const holder = r.holder(f);
      const everyone = [
        f.admin,
        f.matcher,
        f.arbiter,
        f.pauser,
        f.registrar,
        f.treasury,
        f.buyer,
        f.otherBuyer,
        f.computeSupplier,
        f.windSupplier,
        f.solarSupplier,
        f.networkSupplier,
        f.stranger,
      ];
      for (const caller of everyone.filter((s) => s.address !== holder.address)) {
        await expect(r.call(f, caller))
          .to.be.revertedWithCustomError(r.contract(f), "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
    });
  }

  it("grants the roles to the configured accounts and the market contract at deployment", async () => {
    const f = await loadFixture(openDeal);
    const market = await f.market.getAddress();
    expect(await f.market.hasRole(await f.market.MATCHER_ROLE(), f.matcher.address)).to.equal(true);
    expect(await f.market.hasRole(await f.market.ARBITER_ROLE(), f.arbiter.address)).to.equal(true);
    expect(await f.market.hasRole(await f.market.PAUSER_ROLE(), f.pauser.address)).to.equal(true);
    expect(await f.market.hasRole(await f.market.DEFAULT_ADMIN_ROLE(), f.admin.address)).to.equal(true);
    expect(await f.certificates.hasRole(await f.certificates.MARKET_ROLE(), market)).to.equal(true);
    expect(await f.credits.hasRole(await f.credits.MARKET_ROLE(), market)).to.equal(true);
    expect(await f.market.hasRole(await f.market.MATCHER_ROLE(), f.admin.address)).to.equal(false);
  });
});
