// One truth for the market's small enumerations: the contracts' valid codes and protocol/units.ts
// (which backend, indexer and web import) must list the same sets, and protocol/orders.ts the same
// skip reasons and deal statuses as IMarket.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { MAX_JOB_HOURS, MAX_OFFER_HOURS, MAX_WINDOW_HOURS } from "../../../protocol/hours.ts";
import { CERTIFICATE_ORIGINS, DEAL_STATUSES, SKIP_REASONS } from "../../../protocol/orders.ts";
import { ENERGY_SOURCES, GRID_AREAS, HARDWARE_CLASSES, REGIONS } from "../../../protocol/units.ts";
import { DAY } from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { deployExchange } from "../../helpers/deploy.ts";

describe("protocol/units.ts agrees with the contracts", () => {
  it("lists exactly the hardware classes the market accepts", async () => {
    const d = await loadFixture(deployExchange);
    expect(await d.market.HARDWARE_CLASS_COUNT()).to.equal(BigInt(HARDWARE_CLASSES.length));
  });

  it("lists exactly the regions the market and the registry accept, as codes 1 .. MAX_REGION", async () => {
    const d = await loadFixture(deployExchange);
    const maxRegion = Number(await d.market.MAX_REGION());
    expect(Number(await d.certificates.MAX_REGION())).to.equal(maxRegion);
    expect(REGIONS.map((r) => r.code)).to.deep.equal(Array.from({ length: maxRegion }, (_, i) => i + 1));
  });

  it("maps every region to the grid area the contracts map it to, and lists exactly their grid areas", async () => {
    const d = await loadFixture(deployExchange);
    expect(Number(await d.market.MAX_GRID_AREA())).to.equal(GRID_AREAS.length);
    expect(GRID_AREAS.map((a) => a.code)).to.deep.equal(Array.from({ length: GRID_AREAS.length }, (_, i) => i + 1));
    for (const region of REGIONS) {
      expect(Number(await d.market.gridAreaOf(region.code))).to.equal(region.gridArea, region.name);
    }
    expect(await d.market.gridAreaOf(0)).to.equal(0n);
    expect(await d.market.gridAreaOf(REGIONS.length + 1)).to.equal(0n);
  });

  it("has the same hour limits as protocol/hours.ts", async () => {
    const d = await loadFixture(deployExchange);
    expect(Number(await d.market.MAX_WINDOW_HOURS())).to.equal(MAX_WINDOW_HOURS);
    expect(Number(await d.market.MAX_JOB_HOURS())).to.equal(MAX_JOB_HOURS);
    expect(Number(await d.market.MAX_OFFER_HOURS())).to.equal(MAX_OFFER_HOURS);
    expect(Number(await d.certificates.MAX_ISSUE_HOURS())).to.equal(MAX_OFFER_HOURS);
  });

  it("lists exactly the generation sources the registry accepts, in the enum's order", async () => {
    const d = await loadFixture(deployExchange);
    const commissionedAt = d.t0 - 30 * DAY;
    const registry = d.certificates.connect(d.windSupplier);
    for (let source = 0; source < ENERGY_SOURCES.length; source++) {
      await registry.registerDevice(source, REGIONS[0].code, 1_000n, commissionedAt, "");
      expect((await d.certificates.deviceOf(await d.certificates.deviceCount())).source).to.equal(BigInt(source));
    }
    await expect(registry.registerDevice(ENERGY_SOURCES.length, REGIONS[0].code, 1_000n, commissionedAt, ""))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesUnknownEnergySource")
      .withArgs(BigInt(ENERGY_SOURCES.length));
  });

  it("names the generation sources, skip reasons and deal statuses as the interfaces' enums, in order", () => {
    expect(ENERGY_SOURCES.map((name) => name.toLowerCase())).to.deep.equal(
      enumMembers("IGreenCertificates.sol", "EnergySource").map((name) => name.toLowerCase()),
    );
    expect([...SKIP_REASONS]).to.deep.equal(enumMembers("IMarket.sol", "SkipReason"));
    expect([...DEAL_STATUSES]).to.deep.equal(enumMembers("IMarket.sol", "DealStatus"));
    expect(CERTIFICATE_ORIGINS.map((name) => name.replace(/-/g, ""))).to.deep.equal(
      enumMembers("IMarket.sol", "CertificateOrigin").map((name) => name.toLowerCase()),
    );
  });
});

/** Member names of `enumName` in contracts/interfaces/`file`, read from the newest compiler output's AST. */
function enumMembers(file: string, enumName: string): string[] {
  const dir = path.join(import.meta.dirname, "..", "..", "..", "artifacts", "build-info");
  const source = `project/contracts/interfaces/${file}`;
  const outputs = readdirSync(dir)
    .filter((name) => name.endsWith(".output.json"))
    .map((name) => path.join(dir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const output of outputs) {
    const ast = JSON.parse(readFileSync(output, "utf8")).output.sources?.[source]?.ast;
    if (ast === undefined) continue;
    const found: string[][] = [];
    const walk = (node: any): void => {
      if (node === null || typeof node !== "object") return;
      if (node.nodeType === "EnumDefinition" && node.name === enumName) {
        found.push(node.members.map((m: { name: string }) => m.name));
      }
      for (const value of Object.values(node)) walk(value);
    };
    walk(ast);
    if (found.length === 1) return found[0];
  }
  throw new Error(`no enum ${enumName} in ${source}: run \`npx hardhat build\``);
}
