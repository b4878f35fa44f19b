// The deployed exchange every contract test starts from: the four contracts wired as in production
// (market holds MARKET_ROLE on certificates and credits), one account per role, funded buyers.
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { artifacts } from "hardhat";
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
/** gCO2e/kWh the fixture sets for the two generation sources it uses. */
export const WIND_FACTOR = 11n;
export const SOLAR_FACTOR = 41n;
export const BUYER_FUNDS = 100_000n * USD;

export const Source = { Solar: 0, Wind: 1, Hydro: 2 } as const;
export const Region = { North: 1, East: 2, South: 3, Northwest: 4, Southwest: 5 } as const;
export const HardwareClass = { CpuGeneral: 0, CpuHpc: 1, GpuInference: 2, GpuTraining: 3 } as const;

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
  ])) as unknown as Market;
  const marketAddress = await market.getAddress();

  await certificates.connect(p.admin).grantRole(await certificates.MARKET_ROLE(), marketAddress);
  await credits.connect(p.admin).grantRole(await credits.MARKET_ROLE(), marketAddress);
  await market.connect(p.admin).setSourceFactor(Source.Wind, WIND_FACTOR);
  await market.connect(p.admin).setSourceFactor(Source.Solar, SOLAR_FACTOR);

  for (const buyer of [p.buyer, p.otherBuyer]) {
    await token.faucet(buyer.address, BUYER_FUNDS);
    await token.connect(buyer).approve(marketAddress, ethers.MaxUint256);
  }
  for (const supplier of [p.windSupplier, p.solarSupplier]) {
    await certificates.connect(supplier).setApprovalForAll(marketAddress, true);
  }
  return { ...p, token, certificates, credits, market, t0: await time.latest() };
}
