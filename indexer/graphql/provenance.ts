// The provenance graph: device → certificate batch → energy offer → deal → usage report →
// retirement → credit mint → credit retirement. Starting from a deal, a batch or a retirement, it
// collects every entity connected along that chain and the links between them.

import { PROVENANCE_STAGES, type ProvenanceStage } from "../../protocol/provenance.ts";
import type { Queryable } from "../db/driver.ts";
import type { CreditRetirementRow, OrderRow, RetirementRow } from "../db/tables.ts";
import type { ApiContext } from "./context.ts";
import { userError } from "./errors.ts";
import {
  batchRow,
  creditMintsOfDeal,
  dealRow,
  deviceRow,
  issueOfHour,
  lotsOfDeal,
  orderRow,
  retirementRow,
  retirementsOfDeal,
  usageReportOf,
} from "./loaders.ts";
import {
  chainRef,
  mapBatch,
  mapCreditMint,
  mapCreditRetirement,
  mapDeal,
  mapDevice,
  mapOrder,
  mapReport,
  mapRetirement,
} from "./mappers.ts";

type Step = {
  key: string;
  stage: ProvenanceStage;
  entityId: string;
  summary: string;
  at: ReturnType<typeof chainRef>;
  [k: string]: unknown;
};
type Link = { from: string; to: string; quantity: string | null; unit: string | null };

class Graph {
  readonly steps = new Map<string, Step>();
  readonly links = new Map<string, Link>();
  readonly deals = new Set<string>();
  readonly batches = new Set<string>();

  add(stage: ProvenanceStage, id: string, summary: string, at: Step["at"], entity: Record<string, unknown>): string {
    const key = `${stage}:${id}`;
    if (!this.steps.has(key)) this.steps.set(key, { key, stage, entityId: id, summary, at, ...entity });
    return key;
  }

  /** Links two steps; linking them again adds the quantity (several lots of one offer in one deal). */
  link(from: string, to: string, quantity: string | null = null, unit: string | null = null): void {
    const key = `${from}>${to}`;
    const seen = this.links.get(key);
    if (seen && (quantity === null || seen.quantity === null)) return;
    const total = seen ? (BigInt(seen.quantity!) + BigInt(quantity!)).toString() : quantity;
    this.links.set(key, { from, to, quantity: total, unit });
  }
}

export async function provenance(
  ctx: ApiContext,
  args: { dealId?: string | null; batchId?: string | null; retirementId?: string | null },
) {
  const given = (["dealId", "batchId", "retirementId"] as const).filter((k) => args[k] != null);
  if (given.length !== 1) throw userError("provenance", "give exactly one of dealId, batchId, retirementId");
  const db = ctx.db;
  const g = new Graph();
  let subject: string;
  if (args.dealId != null) {
    subject = `DEAL:${args.dealId}`;
    if (!(await addDeal(db, g, args.dealId))) throw userError("dealId", `no deal ${args.dealId}`, "NOT_FOUND");
  } else if (args.batchId != null) {
    subject = `CERTIFICATE_BATCH:${args.batchId}`;
    const batch = await addBatch(db, g, args.batchId);
    if (!batch) throw userError("batchId", `no certificate batch ${args.batchId}`, "NOT_FOUND");
    // A lot names a device-hour; the issue holding that hour is its batch.
    for (const lot of await db.query<{ deal_id: string }>(
      `SELECT DISTINCT l.deal_id FROM deal_lots l
       JOIN certificate_hours h ON h.device_id = l.device_id AND h.hour = l.hour WHERE h.issue_id = $1`,
      [args.batchId],
    )) {
      await addDeal(db, g, lot.deal_id, args.batchId);
    }
    for (const r of await db.query<RetirementRow>("SELECT * FROM retirements WHERE batch_id = $1 AND deal_id IS NULL", [
      args.batchId,
    ])) {
      addRetirement(g, r);
    }
    // Energy offers of the issue's device that name any of its hours.
    for (const o of await db.query<OrderRow>(
      `SELECT * FROM orders WHERE kind = 'energy' AND device_id = $1 AND period_start < $3 AND period_end > $2
       ORDER BY created_block, created_log`,
      [batch.deviceId, batch.periodStart, batch.periodEnd],
    ))
      addOffer(g, o, batch.key, null);
  } else {
    subject = `RETIREMENT:${args.retirementId}`;
    const r = await retirementRow(db, args.retirementId!);
    if (!r) throw userError("retirementId", `no retirement ${args.retirementId}`, "NOT_FOUND");
    await addBatch(db, g, r.batch_id);
    if (r.deal_id !== null) await addDeal(db, g, r.deal_id, r.batch_id);
    else addRetirement(g, r);
  }
  const steps = [...g.steps.values()].sort(
    (a, b) =>
      PROVENANCE_STAGES.indexOf(a.stage) - PROVENANCE_STAGES.indexOf(b.stage) ||
      a.at.blockNumber - b.at.blockNumber ||
      a.key.localeCompare(b.key),
  );
  const present = new Set(steps.map((s) => s.stage));
  const missing = PROVENANCE_STAGES.filter((s) => !present.has(s));
  return { subject, steps, links: [...g.links.values()], missing, complete: missing.length === 0 };
}

type AddedBatch = { key: string; deviceId: string; periodStart: number; periodEnd: number };

async function addBatch(db: Queryable, g: Graph, batchId: string): Promise<AddedBatch | null> {
  const b = await batchRow(db, batchId);
  if (!b) return null;
  const batchKey = g.add(
    "CERTIFICATE_BATCH",
    b.id,
    `${b.issued_wh} Wh generated ${new Date(Number(b.period_start) * 1000).toISOString()} – ${new Date(Number(b.period_end) * 1000).toISOString()}`,
    chainRef(b.created_block, b.created_time, b.created_tx, b.created_log),
    { batch: mapBatch(b) },
  );
  const d = await deviceRow(db, b.device_id);
  if (d) {
    const deviceKey = g.add(
      "DEVICE",
      d.id,
      `device ${d.id} (${d.capacity_w} W) of ${d.owner}`,
      chainRef(d.created_block, d.created_time, d.created_tx, d.created_log),
      { device: mapDevice(d) },
    );
    g.link(deviceKey, batchKey, b.issued_wh, "Wh");
  }
  g.batches.add(b.id);
  return { key: batchKey, deviceId: b.device_id, periodStart: Number(b.period_start), periodEnd: Number(b.period_end) };
}

/** An energy offer, fed by the certificate issue `from` when its hours are issued. */
function addOffer(g: Graph, o: OrderRow, from: string | null, wh: string | null): string {
  const key = g.add(
    "ENERGY_OFFER",
    o.id,
    `${o.quantity} Wh offered at ${o.price} per kWh`,
    chainRef(o.created_block, o.created_time, o.created_tx, o.created_log),
    { offer: mapOrder(o) },
  );
  if (from !== null) g.link(from, key, wh, wh === null ? null : "Wh");
  return key;
}

function addRetirement(g: Graph, r: RetirementRow): string {
  const key = g.add(
    "RETIREMENT",
    r.id,
    `${r.wh} Wh retired for ${r.beneficiary}: ${r.purpose}`,
    chainRef(r.block_number, r.block_time, r.tx_hash, r.log_index),
    {
      retirement: mapRetirement(r),
    },
  );
  if (r.deal_id === null) g.link(`CERTIFICATE_BATCH:${r.batch_id}`, key, r.wh, "Wh");
  return key;
}

/**
 * Adds a deal and everything on its chain. With `viaBatch`, only the lots, offers and retirements
 * of that batch are followed upstream (the batch's own provenance, not every batch the deal used).
 */
async function addDeal(db: Queryable, g: Graph, dealId: string, viaBatch?: string): Promise<boolean> {
  if (g.deals.has(dealId)) return true;
  const d = await dealRow(db, dealId);
  if (!d) return false;
  g.deals.add(dealId);
  const dealKey = g.add(
    "DEAL",
    d.id,
    `${d.vcu_hours} VCU-hours for ${d.buyer}, ${d.green_wh} of ${d.energy_needed_wh} Wh green`,
    chainRef(d.opened_block, d.opened_time, d.opened_tx, d.opened_log),
    { deal: mapDeal(d) },
  );
  const lots = await lotsOfDeal(db, dealId);
  for (const lot of lots) {
    // Sold forward: the device-hour may not be issued yet, and then no issue feeds the offer.
    const issue = await issueOfHour(db, lot.device_id, Number(lot.hour));
    if (viaBatch !== undefined && issue !== viaBatch) continue;
    if (issue !== null && !g.batches.has(issue)) await addBatch(db, g, issue);
    const offer = await orderRow(db, "energy", lot.offer_id);
    if (offer)
      g.link(addOffer(g, offer, issue === null ? null : `CERTIFICATE_BATCH:${issue}`, lot.wh), dealKey, lot.wh, "Wh");
  }
  const report = await usageReportOf(db, dealId);
  const reportKey = report
    ? g.add(
        "USAGE_REPORT",
        d.id,
        `${report.vcu_delivered} VCU-hours delivered, ${report.wh_consumed} Wh consumed`,
        chainRef(report.block_number, report.block_time, report.tx_hash, report.log_index),
        { usageReport: mapReport(report) },
      )
    : null;
  if (reportKey) g.link(dealKey, reportKey, report!.wh_consumed, "Wh");
  const retirements = await retirementsOfDeal(db, dealId);
  const retirementKeys: string[] = [];
  for (const r of retirements) {
    if (viaBatch !== undefined && r.batch_id !== viaBatch) continue;
    const key = addRetirement(g, r);
    retirementKeys.push(key);
    if (reportKey) g.link(reportKey, key, r.wh, "Wh");
    g.link(`CERTIFICATE_BATCH:${r.batch_id}`, key, r.wh, "Wh");
  }
  for (const m of await creditMintsOfDeal(db, dealId)) {
    const mintKey = g.add(
      "CREDIT_MINT",
      m.id,
      `${m.amount} gCO2e of credits to ${m.account}`,
      chainRef(m.block_number, m.block_time, m.tx_hash, m.log_index),
      {
        creditMint: mapCreditMint(m),
      },
    );
    if (retirementKeys.length > 0) for (const k of retirementKeys) g.link(k, mintKey);
    else if (reportKey) g.link(reportKey, mintKey);
    const claims = await db.query<CreditRetirementRow & { claimed: string }>(
      `SELECT r.*, a.amount AS claimed FROM credit_allocations a JOIN credit_retirements r ON r.id = a.retirement_id
       WHERE a.deal_id = $1 ORDER BY r.block_number, r.log_index`,
      [dealId],
    );
    for (const c of claims) {
      const key = g.add(
        "CREDIT_RETIREMENT",
        c.id,
        `${c.amount} gCO2e retired by ${c.holder} for ${c.beneficiary}: ${c.reason}`,
        chainRef(c.block_number, c.block_time, c.tx_hash, c.log_index),
        { creditRetirement: mapCreditRetirement(c) },
      );
      g.link(mintKey, key, c.claimed, "gCO2e");
    }
  }
  return true;
}
