// Events of the green certificate registry (ERC-1155, one id per batch): devices, issuance,
// retirement, and the transfers that say who holds which Wh. Wh held by the market are escrow
// (energy offers and the lots of open deals).
import type { Store } from "../db/store.ts";
import type { DecodedEvent } from "../sync/decode.ts";
import type { ContractHandlers, HandlerContext, RowRef } from "./types.ts";
import { add, at, created, eventId, isZero, sub, ZERO_ADDRESS } from "./util.ts";

async function move(
  store: Store,
  e: DecodedEvent,
  ctx: HandlerContext,
  batchId: string,
  from: string,
  to: string,
  wh: string,
) {
  if (isZero(wh)) return;
  const market = ctx.addresses.Market;
  if (from !== ZERO_ADDRESS) {
    await store.update("certificate_balances", [batchId, from], (b) => {
      const left = sub(b.wh, wh);
      if (left.startsWith("-")) throw new Error(`certificate balance of ${from} in batch ${batchId} below zero`);
      return { wh: left, updated_block: e.blockNumber };
    });
  }
  if (to !== ZERO_ADDRESS) {
    await store.upsert(
      "certificate_balances",
      [batchId, to],
      () => ({ batch_id: batchId, holder: to, wh, updated_block: e.blockNumber }),
      (b) => ({ wh: add(b.wh, wh), updated_block: e.blockNumber }),
    );
  }
  if (from === market || to === market) {
    await store.update("certificate_batches", [batchId], (b) => ({
      escrowed_wh: to === market ? add(b.escrowed_wh, wh) : sub(b.escrowed_wh, wh),
      updated_block: e.blockNumber,
    }));
  }
}

const balanceRefs = (ids: readonly string[], from: string, to: string): RowRef[] =>
  ids.flatMap((id): RowRef[] => [
    ["certificate_batches", [id]],
    ...[from, to].filter((a) => a !== ZERO_ADDRESS).map((a): RowRef => ["certificate_balances", [id, a]]),
  ]);

const theDevice = (e: { args: { deviceId: string } }): RowRef[] => [["devices", [e.args.deviceId]]];

export const certificates: ContractHandlers<"GreenCertificates"> = {
  DeviceRegistered: {
    handle: async (e, { store }) => {
      store.insert("devices", {
        id: e.args.deviceId,
        owner: e.args.owner,
        source: e.args.source,
        region: e.args.region,
        capacity_w: e.args.capacityW,
        commissioned_at: e.args.commissionedAt,
        metadata_uri: e.args.metadataURI,
        status: "Pending",
        issued_wh: "0",
        batches: 0,
        ...created(e),
      });
    },
  },
  DeviceApproved: {
    prefetch: theDevice,
    handle: async (e, { store }) => {
      await store.update("devices", [e.args.deviceId], {
        status: "Approved",
        registrar: e.args.registrar,
        approved_block: e.blockNumber,
        approved_time: e.blockTime,
        approved_tx: e.txHash,
        updated_block: e.blockNumber,
      });
    },
  },
  DeviceSuspended: {
    prefetch: theDevice,
    handle: async (e, { store }) => {
      await store.update("devices", [e.args.deviceId], {
        status: "Suspended",
        registrar: e.args.registrar,
        updated_block: e.blockNumber,
      });
    },
  },
  CertificatesIssued: {
    prefetch: theDevice,
    handle: async (e, { store }) => {
      store.insert("certificate_batches", {
        id: e.args.batchId,
        device_id: e.args.deviceId,
        issuer: e.args.owner,
        source: e.args.source,
        region: e.args.region,
        period_start: e.args.periodStart,
        period_end: e.args.periodEnd,
        issued_wh: e.args.wh,
        retired_wh: "0",
        escrowed_wh: "0",
        ...created(e),
      });
      await store.update("devices", [e.args.deviceId], (d) => ({
        issued_wh: add(d.issued_wh, e.args.wh),
        issued_until: e.args.periodEnd,
        batches: Number(d.batches) + 1,
        updated_block: e.blockNumber,
      }));
    },
  },
  CertificatesRetired: {
    prefetch: (e) => [["certificate_batches", [e.args.batchId]]],
    handle: async (e, { store }) => {
      store.insert("retirements", {
        id: eventId(e),
        batch_id: e.args.batchId,
        holder: e.args.holder,
        beneficiary: e.args.beneficiary,
        wh: e.args.wh,
        deal_id: isZero(e.args.dealId) ? null : e.args.dealId,
        purpose: e.args.purpose,
        ...at(e),
      });
      await store.update("certificate_batches", [e.args.batchId], (b) => ({
        retired_wh: add(b.retired_wh, e.args.wh),
        updated_block: e.blockNumber,
      }));
    },
  },
  TransferSingle: {
    prefetch: (e) => balanceRefs([e.args.id], e.args.from, e.args.to),
    handle: (e, ctx) => move(ctx.store, e, ctx, e.args.id, e.args.from, e.args.to, e.args.value),
  },
  TransferBatch: {
    prefetch: (e) => balanceRefs(e.args.ids, e.args.from, e.args.to),
    handle: async (e, ctx) => {
      const { ids, values } = e.args;
      for (const [i, id] of ids.entries()) await move(ctx.store, e, ctx, id, e.args.from, e.args.to, values[i]);
    },
  },
};
