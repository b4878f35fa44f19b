// The key facts of each provenance step, in the market's units: what a person checking a green
// claim wants to see at each link of the chain.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { Address } from "../../components/Address.tsx";
import { Amount } from "../../components/Amount.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatScaled, formatTime, type Locale } from "../../lib/format.ts";
import { useLocale } from "../../lib/locale.ts";
import { regionName } from "../account/regions.ts";
import type { ProvenanceStep } from "./queries.ts";

/** A device's rated power, W → kW or MW. */
function formatPower(watts: bigint, locale: Locale): string {
  if (watts >= 1_000_000n) return `${formatScaled(watts, 6, locale)} MW`;
  if (watts >= 1_000n) return `${formatScaled(watts, 3, locale)} kW`;
  return `${formatScaled(watts, 0, locale)} W`;
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function StepFacts({ step }: { step: ProvenanceStep }) {
  const { t } = useTranslation("trace");
  const locale = useLocale();
  const source = (s: string) => t(`common:source.${s}`, { defaultValue: s });
  const { device, batch, offer, deal, usageReport, retirement, creditMint, creditRetirement } = step;

  let facts: ReactNode = null;
  if (device) {
    facts = (
      <>
        <Fact label={t("facts.source")}>{`${source(device.source)} · ${regionName(device.region, locale)}`}</Fact>
        <Fact label={t("facts.capacity")}>
          <span className="amount">{formatPower(BigInt(device.capacityW), locale)}</span>
        </Fact>
        <Fact label={t("facts.owner")}>
          <Address address={device.owner} />
        </Fact>
        <Fact label={t("facts.status")}>
          <StatusBadge status={device.status} />
        </Fact>
      </>
    );
  } else if (batch) {
    facts = (
      <>
        <Fact label={t("facts.source")}>{`${source(batch.source)} · ${regionName(batch.region, locale)}`}</Fact>
        <Fact label={t("facts.generated")}>
          <Amount value={batch.issuedWh} kind="energy" digits={3} />
        </Fact>
        <Fact
          label={t("facts.period")}
        >{`${formatTime(batch.periodStart, locale)} – ${formatTime(batch.periodEnd, locale)}`}</Fact>
        <Fact label={t("facts.retired")}>
          <Amount value={batch.retiredWh} kind="energy" digits={3} />
        </Fact>
      </>
    );
  } else if (offer) {
    facts = (
      <>
        <Fact label={t("facts.offered")}>
          <Amount value={offer.quantity} kind="energy" digits={3} />
        </Fact>
        <Fact label={t("facts.reserve")}>
          <Amount value={offer.price} kind="token" per="/ kWh" />
        </Fact>
        <Fact label={t("facts.supplier")}>
          <Address address={offer.owner} />
        </Fact>
        <Fact label={t("facts.status")}>
          <StatusBadge status={offer.status} />
        </Fact>
      </>
    );
  } else if (deal) {
    facts = (
      <>
        <Fact label={t("facts.compute")}>
          <Amount value={deal.vcuHours} kind="vcuHours" />
          {deal.hardwareClass &&
            ` · ${t(`common:hardware.${deal.hardwareClass}`, { defaultValue: deal.hardwareClass })}`}
        </Fact>
        <Fact label={t("facts.region")}>{regionName(deal.computeRegion, locale)}</Fact>
        <Fact label={t("facts.green")}>
          <Amount value={deal.greenShareBps} kind="bps" /> (<Amount value={deal.greenWh} kind="energy" />)
        </Fact>
        <Fact label={t("facts.buyer")}>
          <Address address={deal.buyer} />
        </Fact>
        <Fact label={t("facts.status")}>
          <StatusBadge status={deal.status} />
        </Fact>
      </>
    );
  } else if (usageReport) {
    facts = (
      <>
        <Fact label={t("facts.delivered")}>
          <Amount value={usageReport.vcuDelivered} kind="vcuHours" />
        </Fact>
        <Fact label={t("facts.consumed")}>
          <Amount value={usageReport.whConsumed} kind="energy" digits={3} />
        </Fact>
        <Fact label={t("facts.meteringHash")}>
          <code title={usageReport.meteringHash}>{`${usageReport.meteringHash.slice(0, 10)}…`}</code>
        </Fact>
      </>
    );
  } else if (retirement) {
    facts = (
      <>
        <Fact label={t("facts.retired")}>
          <Amount value={retirement.wh} kind="energy" digits={3} />
        </Fact>
        <Fact label={t("facts.beneficiary")}>
          <Address address={retirement.beneficiary} />
        </Fact>
        <Fact label={t("facts.purpose")}>{retirement.purpose}</Fact>
      </>
    );
  } else if (creditMint) {
    facts = (
      <>
        <Fact label={t("facts.avoided")}>
          <Amount value={creditMint.amount} kind="carbon" />
        </Fact>
        <Fact label={t("facts.to")}>
          <Address address={creditMint.account} />
        </Fact>
      </>
    );
  } else if (creditRetirement) {
    facts = (
      <>
        <Fact label={t("facts.retiredCredits")}>
          <Amount value={creditRetirement.amount} kind="carbon" />
        </Fact>
        <Fact label={t("facts.beneficiary")}>
          <Address address={creditRetirement.beneficiary} />
        </Fact>
        <Fact label={t("facts.reason")}>{creditRetirement.reason}</Fact>
      </>
    );
  }
  return <dl className="trace-node__facts">{facts}</dl>;
}
