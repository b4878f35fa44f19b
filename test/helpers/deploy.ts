// The deployed exchange every contract test starts from: the four contracts wired as in production
// (market holds MARKET_ROLE on certificates and credits), one account per role, funded buyers.
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { artifacts } from "hardhat";
import { SOURCE_FACTORS } from "../../ignition/modules/CCEX.ts";
import { REGION } from "../../protocol/units.ts";
import type {
  CarbonCredits,
  GreenCertificates,
  LocalSettlementToken,
  Market,
} from "../../types/ethers-contracts/index.ts";
import { ethers, time } from "./connection.ts";

/** Settlement token base units per whole token (6 decimals). */
export const USD = 1_000_000n;
export const FEE_BPS = 100n;
export const CHALLENGE_PERIOD = 2 * 24 * 3600;
export const REPORT_GRACE_PERIOD = 24 * 3600;
export const ARBITRATION_PERIOD = 7 * 24 * 3600;
export const Source = { Solar: 0, Wind: 1, Hydro: 2, Biomass: 3, Geothermal: 4, Nuclear: 5 } as const;
/** gCO2e/kWh of the two generation sources the fixture trades: the deployment's defaults. */
export const WIND_FACTOR = BigInt(SOURCE_FACTORS[Source.Wind]);
export const SOLAR_FACTOR = BigInt(SOURCE_FACTORS[Source.Solar]);
export const BUYER_FUNDS = 100_000n * USD;

/** Region codes, as protocol/units.ts lists them. */
export { REGION as Region };
/** IMarket.CertificateOrigin: where a bid's certificates may come from. */
export const Origin = { ComputeRegion: 0, GridArea: 1, Anywhere: 2 } as const;
export const HardwareClass = { CpuGeneral: 0, CpuHpc: 1, GpuInference: 2, GpuTraining: 3 } as const;

/** IMarket.Parameter: what `scheduleParameterChange` changes. */
export const Parameter = {
  Fee: 0,
  ChallengePeriod: 1,
  ReportGracePeriod: 2,
  ArbitrationPeriod: 3,
  GridFactor: 4,
  SourceFactor: 5,
} as const;
/** Seconds between scheduling a parameter change and the earliest moment it applies. */
export const PARAMETER_CHANGE_DELAY = 2 * 24 * 3600;

export type Parties = {
  admin: HardhatEthersSigner;
  matcher: HardhatEthersSigner;
  arbiter: HardhatEthersSigner;
  pauser: HardhatEthersSigner;
  registrar: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
  buyer: HardhatEthersSigner;
  otherBuyer: HardhatEthersSigner;
  computeSupplier: HardhatEthersSigner;
  windSupplier: HardhatEthersSigner;
  solarSupplier: HardhatEthersSigner;
  networkSupplier: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
};

export type Deployed = Parties & {
  token: LocalSettlementToken;
  certificates: GreenCertificates;
  credits: CarbonCredits;
  market: Market;
  /** Block time right after deployment; fixtures place windows and periods relative to it. */
  t0: number;
};

export async function parties(): Promise<Parties> {
  const [
    admin,
    matcher,
    arbiter,
    pauser,
    registrar,
    treasury,
    buyer,
    otherBuyer,
    computeSupplier,
    windSupplier,
    solarSupplier,
    networkSupplier,
    stranger,
  ] = await ethers.getSigners();
  return {
    admin,
    matcher,
    arbiter,
    pauser,
    registrar,
    treasury,
    buyer,
    otherBuyer,
    computeSupplier,
    windSupplier,
    solarSupplier,
    networkSupplier,
    stranger,
  };
}

/**
 * Deploys `name`, first deploying and linking every external library its bytecode references, so
 * fixtures keep working however the contracts are split into libraries.
 */
export async function deployLinked(name: string, args: unknown[] = []) {
  const artifact = await artifacts.readArtifact(name);
  const libraries: Record<string, string> = {};
  for (const [sourceName, names] of Object.entries(artifact.linkReferences)) {
    for (const library of Object.keys(names)) {
      // Link references name the compiler's source (`project/contracts/…`), artifacts the project path.
      const deployed = await deployLinked(`${sourceName.replace(/^project\//, "")}:${library}`);
      libraries[`${sourceName}:${library}`] = await deployed.getAddress();
    }
  }
  return ethers.deployContract(name, args, { libraries });
}

/** Deploys and wires the exchange; buyers hold BUYER_FUNDS and have approved the market for them. */
export async function deployExchange(): Promise<Deployed> {
  const p = await parties();
  const token = (await ethers.deployContract("LocalSettlementToken")) as unknown as LocalSettlementToken;
  const certificates = (await ethers.deployContract("GreenCertificates", [
    p.admin.address,
    p.registrar.address,
    "https://ccex.example/certificates/{id}.json",
  ])) as unknown as GreenCertificates;
  const credits = (await ethers.deployContract("CarbonCredits", [p.admin.address])) as unknown as CarbonCredits;
  const market = (await deployLinked("Market", [
    await token.getAddress(),
    await certificates.getAddress(),
    await credits.getAddress(),
    { admin: p.admin.address, matcher: p.matcher.address, arbiter: p.arbiter.address, pauser: p.pauser.address },
    {
      treasury: p.treasury.address,
      feeBps: FEE_BPS,
      challengePeriod: CHALLENGE_PERIOD,
      reportGracePeriod: REPORT_GRACE_PERIOD,
    },
    ARBITRATION_PERIOD,
    [...SOURCE_FACTORS],
  ])) as unknown as Market;
  const marketAddress = await market.getAddress();

  await certificates.connect(p.admin).grantRole(await certificates.MARKET_ROLE(), marketAddress);
  await credits.connect(p.admin).grantRole(await credits.MARKET_ROLE(), marketAddress);

  for (const buyer of [p.buyer, p.otherBuyer]) {
    await token.faucet(buyer.address, BUYER_FUNDS);
    await token.connect(buyer).approve(marketAddress, ethers.MaxUint256);
  }
  for (const supplier of [p.windSupplier, p.solarSupplier]) {
    await certificates.connect(supplier).setApprovalForAll(marketAddress, true);
  }
  return { ...p, token, certificates, credits, market, t0: await time.latest() };
}

/**
 * Changes a market parameter the only way there is: the admin schedules it, the delay passes, and
 * anyone (here a stranger) applies it. Moves the chain's clock forward by PARAMETER_CHANGE_DELAY.
 */
export async function changeParameter(d: Deployed, parameter: number, key: number, value: number | bigint) {
  await d.market.connect(d.admin).scheduleParameterChange(parameter, key, value);
  await time.increase(PARAMETER_CHANGE_DELAY);
  return d.market.connect(d.stranger).applyParameterChange(parameter, key);
}
