// Every deployable contract and linked library stays under EIP-170's limit on deployed code: a
// contract above it cannot be deployed at all (the market had about 1 KB left before issue 12).
import { expect } from "chai";
import { artifacts } from "hardhat";

const EIP170_LIMIT = 24_576;
const DEPLOYED = [
  "Market",
  "GreenCertificates",
  "CarbonCredits",
  "LocalSettlementToken",
  "BatchSettlement",
  "OrderPosting",
  "DealClosing",
] as const;

describe("deployed bytecode sizes", () => {
  for (const name of DEPLOYED) {
    it(`keeps ${name} under the 24,576-byte limit`, async () => {
      const { deployedBytecode } = await artifacts.readArtifact(name);
      const size = (deployedBytecode.length - 2) / 2;
      expect(size, `${name} is ${size} bytes`).to.be.greaterThan(0).and.at.most(EIP170_LIMIT);
    });
  }
});
