// Deploys and wires the whole exchange: green certificates, carbon credits, the market and the two
// external libraries it links (BatchSettlement, DealClosing, OrderPosting), with every role granted at deployment to
// an account given as a module parameter (each defaults to the deployer), and the generation sources'
// lifecycle emission factors set from the start (later changes go through the market's delayed schedule).
//
// Two modules share one wiring:
//   CCEX (default export)  also deploys LocalSettlementToken (with its faucet): local chains only.
//   CCEXWithToken          settles in an existing ERC-20 given as parameter `settlementToken`.
//
// The deployer administers GreenCertificates and CarbonCredits long enough to grant the market its
// MARKET_ROLE, and grants DEFAULT_ADMIN_ROLE to `admin`. When `admin` is another account,
// scripts/deploy.ts then renounces the deployer's admin role (a module cannot branch on a parameter).
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ArgumentType, IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";

/**
 * Lifecycle emission factors in gCO2e/kWh, indexed by the on-chain EnergySource (solar, wind, hydro,
 * biomass, geothermal, nuclear): the medians of IPCC AR5 WG III (2014), Annex III, Table A.III.2 —
 * PV utility 48, wind onshore 11, hydropower 24, biomass dedicated 230, geothermal 38, nuclear 12.
 * Credits count grid factor − source factor per kWh retired (docs/carbon-accounting.md).
 */
export const SOURCE_FACTORS = [48, 11, 24, 230, 38, 12] as const;

/** Defaults of the market's settings; override them with module parameters. */
export const DEFAULTS = {
  feeBps: 30,
  challengePeriod: 24 * 3600,
  reportGracePeriod: 24 * 3600,
  arbitrationPeriod: 7 * 24 * 3600,
  certificateURI: "https://ccex.local/certificates/{id}.json",
  sourceFactors: SOURCE_FACTORS,
} as const;

const DEFAULT_ADMIN_ROLE = `0x${"00".repeat(32)}`;

function deployExchange(m: IgnitionModuleBuilder, settlementToken: ArgumentType) {
  const deployer = m.getAccount(0);
  const admin = m.getParameter("admin", deployer);
  const registrar = m.getParameter("registrar", deployer);

  const certificates = m.contract("GreenCertificates", [
    deployer,
    registrar,
    m.getParameter("certificateURI", DEFAULTS.certificateURI),
  ]);
  const credits = m.contract("CarbonCredits", [deployer]);
  const batchSettlement = m.library("BatchSettlement");
  const orderPosting = m.library("OrderPosting");
  const dealClosing = m.library("DealClosing");
  const market = m.contract(
    "Market",
    [
      settlementToken,
      certificates,
      credits,
      {
        admin,
        matcher: m.getParameter("matcher", deployer),
        arbiter: m.getParameter("arbiter", deployer),
        pauser: m.getParameter("pauser", deployer),
      },
      {
        treasury: m.getParameter("treasury", deployer),
        feeBps: m.getParameter("feeBps", DEFAULTS.feeBps),
        challengePeriod: m.getParameter("challengePeriod", DEFAULTS.challengePeriod),
        reportGracePeriod: m.getParameter("reportGracePeriod", DEFAULTS.reportGracePeriod),
      },
      m.getParameter("arbitrationPeriod", DEFAULTS.arbitrationPeriod),
      m.getParameter<number[]>("sourceFactors", [...DEFAULTS.sourceFactors]),
    ],
    { libraries: { BatchSettlement: batchSettlement, DealClosing: dealClosing, OrderPosting: orderPosting } },
  );

  const certificatesMarketRole = m.staticCall(certificates, "MARKET_ROLE", [], 0, { id: "CertificatesMarketRole" });
  const creditsMarketRole = m.staticCall(credits, "MARKET_ROLE", [], 0, { id: "CreditsMarketRole" });
  m.call(certificates, "grantRole", [certificatesMarketRole, market], { id: "GrantCertificatesMarketRole" });
  m.call(credits, "grantRole", [creditsMarketRole, market], { id: "GrantCreditsMarketRole" });
  m.call(certificates, "grantRole", [DEFAULT_ADMIN_ROLE, admin], { id: "GrantCertificatesAdmin" });
  m.call(credits, "grantRole", [DEFAULT_ADMIN_ROLE, admin], { id: "GrantCreditsAdmin" });

  return { certificates, credits, batchSettlement, dealClosing, orderPosting, market };
}

export const CCEXWithTokenModule = buildModule("CCEXWithToken", (m) => {
  return deployExchange(m, m.getParameter<string>("settlementToken"));
});

export default buildModule("CCEX", (m) => {
  const settlementToken = m.contract("LocalSettlementToken");
  return { settlementToken, ...deployExchange(m, settlementToken) };
});
