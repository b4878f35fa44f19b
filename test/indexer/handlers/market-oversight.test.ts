// The market's checks on its users and on itself, as the indexer shows them: a usage report the
// market flagged (far from the declared energy profile, or below the bid's green minimum), and the
// admin's parameter changes while they wait out their delay — scheduled, replaced, withdrawn, applied.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { type Deployment, deploy, Exchange, type Node, startNode } from "../helpers/chain.ts";
import { type Running, runIndexer, tempDir } from "../helpers/indexer.ts";
import {
  type Book,
  bid,
  bundle,
  DAY,
  deliver,
  fullReport,
  HOUR,
  openBook,
  parties,
  passJob,
  settle,
} from "../helpers/market.ts";

const Parameter = { Fee: 0, ChallengePeriod: 1, ReportGracePeriod: 2, GridFactor: 4, SourceFactor: 5 } as const;

describe("indexer: flagged reports and scheduled parameter changes", () => {
  let node: Node;
  let deployment: Deployment;
  let x: Exchange;
  let ix: Running;
  let book: Book;
  let deployDir: string;

  before(async () => {
    node = await startNode();
    deployDir = tempDir("deploy");
    deployment = await deploy(node, deployDir);
    x = await new Exchange(node.url, deployment).init();
    ix = await runIndexer(node, deployment);
    book = await openBook(x);
  });

  after(async () => {
    await ix?.stop();
    await node?.stop();
    rmSync(deployDir, { recursive: true, force: true });
  });

  const dealQuery = `query($id: BigInt!) { deal(id: $id) {
    status flagged flaggedOutsideProfile flaggedBelowGreenMinimum expectedWh whConsumed } }`;

  it("marks a deal whose report is far above its profile and below the green minimum, and leaves a clean one unflagged", async () => {
    const p = parties(x);
    const flaggedDeal = (await settle(x, [bundle(book)])).deals[0];
    const bidId = x.events(
      await x.send("Market", "postBid", [bid(book.t0, { vcu: 10n })], p.otherBuyer),
      "Market",
      "BidPosted",
    )[0].bidId as bigint;
    const cleanDeal = (
      await settle(x, [
        bundle(book, {
          bidId,
          vcu: 10n,
          computePayment: 72n * 1_000_000n,
          energyLots: [0, 1].map((i) => ({
            offerId: book.windOfferId,
            hour: book.start + i * HOUR,
            wh: 25_000n,
            payment: 2n * 1_000_000n,
          })),
        }),
      ])
    ).deals[0];

    await passJob(x, flaggedDeal.terms);
    // Three times the declared energy in every hour: 25 % tolerance exceeded, and the lots' green Wh
    // (150 of 750 kWh, matched hour by hour) fall below the bid's 50 % minimum.
    const perHour = 3n * BigInt(flaggedDeal.terms.needPerHourWh);
    const needed = BigInt(flaggedDeal.terms.needPerHourWh) * BigInt(flaggedDeal.terms.durationHours);
    const report = fullReport(flaggedDeal.terms, [perHour, perHour, perHour, perHour]);
    const reported = await x.send("Market", "reportUsage", [flaggedDeal.dealId, flaggedDeal.terms, report], p.compute);
    const [flag] = x.events(reported, "Market", "UsageFlagged");
    assert.ok(flag, "the market flagged the report");
    await deliver(x, cleanDeal);
    await ix.synced();

    const flagged = (await ix.gql(dealQuery, { id: String(flaggedDeal.dealId) })).deal;
    assert.deepEqual(flagged, {
      status: "REPORTED",
      flagged: true,
      flaggedOutsideProfile: flag.outsideProfile,
      flaggedBelowGreenMinimum: flag.belowGreenMinimum,
      expectedWh: String(flag.expectedWh),
      whConsumed: String(3n * needed),
    });
    assert.equal(flag.outsideProfile, true);
    assert.equal(flag.belowGreenMinimum, true);
    assert.equal(flag.expectedWh, needed);

    const clean = (await ix.gql(dealQuery, { id: String(cleanDeal.dealId) })).deal;
    assert.deepEqual(clean, {
      status: "FINALIZED",
      flagged: false,
      flaggedOutsideProfile: false,
      flaggedBelowGreenMinimum: false,
      expectedWh: null,
      whConsumed: String(BigInt(cleanDeal.terms.needPerHourWh) * BigInt(cleanDeal.terms.durationHours)),
    });
  });

  const changesQuery = `{ scheduledChanges { parameter key value effectiveAt scheduled { txHash } } }`;

  it("lists scheduled changes until they are withdrawn or applied, and the settings they set", async () => {
    const { admin } = parties(x);
    const schedule = (parameter: number, key: bigint, value: bigint) =>
      x.send("Market", "scheduleParameterChange", [parameter, key, value], admin);
    const delay = Number(await x.read<number>("Market", "PARAMETER_CHANGE_DELAY"));

    await schedule(Parameter.Fee, 0n, 100n);
    const gridTx = await schedule(Parameter.GridFactor, 2n, 500n);
    await schedule(Parameter.SourceFactor, 1n, 20n);
    await schedule(Parameter.ChallengePeriod, 0n, 3_600n);
    await schedule(Parameter.ReportGracePeriod, 0n, 7_200n);
    // Scheduling the fee again replaces its pending change and restarts the delay.
    const feeTx = await schedule(Parameter.Fee, 0n, 150n);
    const feeAt = Number((await x.client.getBlock({ blockNumber: feeTx.blockNumber })).timestamp) + delay;
    const gridAt = Number((await x.client.getBlock({ blockNumber: gridTx.blockNumber })).timestamp) + delay;
    await x.send("Market", "cancelParameterChange", [Parameter.SourceFactor, 1n], admin);
    await ix.synced();

    let changes = (await ix.gql(changesQuery)).scheduledChanges;
    assert.deepEqual(
      changes.map((c: { parameter: string; key: string; value: string }) => [c.parameter, c.key, c.value]),
      [
        ["GRID_FACTOR", "2", "500"],
        ["CHALLENGE_PERIOD", "0", "3600"],
        ["REPORT_GRACE_PERIOD", "0", "7200"],
        ["FEE", "0", "150"],
      ],
    );
    assert.equal(changes[0].effectiveAt, gridAt);
    assert.equal(changes[0].scheduled.txHash, gridTx.transactionHash);
    assert.equal(changes[3].effectiveAt, feeAt);
    assert.equal(changes[3].scheduled.txHash, feeTx.transactionHash);
    // What the contract itself says is pending.
    const [value, effectiveAt] = await x.read<[number, number]>("Market", "scheduledChangeOf", [Parameter.Fee, 0n]);
    assert.deepEqual([String(value), Number(effectiveAt)], ["150", feeAt]);

    await x.increaseTime(2 * DAY + delay);
    // DealPeriodsSet names neither parameter: the indexer must tell which of the two was applied.
    for (const [parameter, key] of [
      [Parameter.Fee, 0n],
      [Parameter.GridFactor, 2n],
      [Parameter.ReportGracePeriod, 0n],
    ] as const)
      await x.send("Market", "applyParameterChange", [parameter, key], admin);
    await ix.synced();

    changes = (await ix.gql(changesQuery)).scheduledChanges;
    assert.deepEqual(
      changes.map((c: { parameter: string; value: string }) => [c.parameter, c.value]),
      [["CHALLENGE_PERIOD", "3600"]],
    );
    const params = Object.fromEntries(
      (await ix.gql(`{ marketParams { name value updatedBlock } }`)).marketParams.map(
        (m: { name: string; value: string }) => [m.name, m.value],
      ),
    );
    assert.equal(params.feeBps, "150");
    assert.equal(params["gridFactor:2"], "500");
    assert.equal(params.reportGracePeriod, "7200");
    // The challenge period's own change is still pending: its setting is what the contract says.
    assert.equal(params.challengePeriod, String(await x.read<number>("Market", "challengePeriod")));
    assert.notEqual(params.challengePeriod, "3600");

    await x.send("Market", "applyParameterChange", [Parameter.ChallengePeriod, 0n], admin);
    await ix.synced();
    assert.deepEqual((await ix.gql(changesQuery)).scheduledChanges, []);
    const after = (await ix.gql(`{ marketParams { name value } }`)).marketParams;
    assert.deepEqual(
      after
        .filter((m: { name: string }) => m.name.endsWith("Period"))
        .map((m: { name: string; value: string }) => [m.name, m.value]),
      [
        ["arbitrationPeriod", params.arbitrationPeriod],
        ["challengePeriod", "3600"],
        ["reportGracePeriod", "7200"],
      ],
    );
  });
});
