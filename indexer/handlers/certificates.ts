// Events of the green certificate registry (ERC-1155, one id per device-hour: deviceId << 32 |
// hourIndex): devices, issues of consecutive hours, retirements, and the transfers that say who holds
// which Wh. Holdings are summed per issue and holder; each device-hour keeps its issued and retired
// Wh (docs/indexer.md, "Hours"). The market never holds certificates.
import { certificateHour } from "../../protocol/hours.ts";
import { SECONDS_PER_HOUR } from "../../protocol/units.ts";
import type { Store } from "../db/store.ts";
import type { DecodedEvent } from "../sync/decode.ts";
import type { ContractHandlers, RowRef } from "./types.ts";
import { add, at, created, eventId, isZero, sub, sum, ZERO_ADDRESS } from "./util.ts";

/** The certificate_hours key of an ERC-1155 id. */
function hourKey(id: string): readonly [string, number] {
  const { deviceId, hourStart } = certificateHour(BigInt(id));
  return [deviceId.toString(), hourStart];
}

async function move(store: Store, e: DecodedEvent, id: string, from: string, to: string, wh: string) {
  if (isZero(wh)) return;
  const batchId = (await store.require("certificate_hours", hourKey(id))).issue_id;
  if (from !== ZERO_ADDRESS) {
    await store.update("certificate_balances", [batchId, from], (b) => {
      const left = sub(b.wh, wh);
      if (left.startsWith("-")) throw new Error(`certificate balance of ${from} in issue ${batchId} below zero`);
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
}

const hourRefs = (ids: readonly string[]): RowRef[] => ids.map((id): RowRef => ["certificate_hours", hourKey(id)]);

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
      const { issueId, deviceId, firstHour, whPerHour } = e.args;
      const issued = sum(whPerHour);
      const end = firstHour + whPerHour.length * SECONDS_PER_HOUR;
      store.insert("certificate_batches", {
        id: issueId,
        device_id: deviceId,
        issuer: e.args.owner,
        source: e.args.source,
        region: e.args.region,
        period_start: firstHour,
        period_end: end,
        issued_wh: issued,
        retired_wh: "0",
        ...created(e),
      });
      for (const [i, wh] of whPerHour.entries()) {
        store.insert("certificate_hours", {
          device_id: deviceId,
          hour: firstHour + i * SECONDS_PER_HOUR,
          issue_id: issueId,
          issued_wh: wh,
          retired_wh: "0",
          updated_block: e.blockNumber,
        });
      }
      await store.update("devices", [deviceId], (d) => ({
        issued_wh: add(d.issued_wh, issued),
        issued_until: end,
        batches: Number(d.batches) + 1,
        updated_block: e.blockNumber,
      }));
    },
  },
  // The device and the hour are the certificate id's (the event does not repeat them).
  CertificatesRetired: {
    prefetch: (e) => hourRefs([e.args.certificateId]),
    handle: async (e, { store }) => {
      const { wh } = e.args;
      const [deviceId, hourStart] = hourKey(e.args.certificateId);
      const hour = await store.update("certificate_hours", [deviceId, hourStart], (h) => ({
        retired_wh: add(h.retired_wh, wh),
        updated_block: e.blockNumber,
      }));
      store.insert("retirements", {
        id: eventId(e),
        batch_id: hour.issue_id,
        device_id: deviceId,
        hour: hourStart,
        certificate_id: e.args.certificateId,
        holder: e.args.holder,
        beneficiary: e.args.beneficiary,
        wh,
        deal_id: isZero(e.args.dealId) ? null : e.args.dealId,
        purpose: e.args.purpose,
        ...at(e),
      });
      await store.update("certificate_batches", [hour.issue_id], (b) => ({
        retired_wh: add(b.retired_wh, wh),
        updated_block: e.blockNumber,
      }));
    },
  },
  TransferSingle: {
    prefetch: (e) => hourRefs([e.args.id]),
    handle: (e, { store }) => move(store, e, e.args.id, e.args.from, e.args.to, e.args.value),
  },
  TransferBatch: {
    prefetch: (e) => hourRefs(e.args.ids),
    handle: async (e, { store }) => {
      const { ids, values } = e.args;
      for (const [i, id] of ids.entries()) await move(store, e, id, e.args.from, e.args.to, values[i]);
    },
  },
};
