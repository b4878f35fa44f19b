// One decoded argument, shown in the market's units where its name says what it is (the contracts
// name every quantity after its unit: wh, vcuHours, …Payment, …Bps), raw otherwise; tuples and
// lists nest as definition lists.
import { Address } from "../../components/Address.tsx";
import { Amount, type AmountKind } from "../../components/Amount.tsx";
import { formatTime } from "../../lib/format.ts";
import { useLocale } from "../../lib/locale.ts";
import type { Value } from "./decode.ts";

const TIME =
  /^(windowStart|windowEnd|expiry|reportDeadline|challengeEnd|arbitrationDeadline|periodStart|periodEnd|commissionedAt|deadline)$/;

/** The unit of a uint argument, from its name and the contract that emitted it. */
export function amountKind(name: string, contract: string): AmountKind | "time" | null {
  if (TIME.test(name)) return "time";
  if (/^(wh|whs|whConsumed|energyNeededWh|issuedWh|retiredWh|returnedWh|remainingWh|maxWh)$/.test(name))
    return "energy";
  if (/^(vcuHours|vcuDelivered|remainingVcuHours)$/.test(name)) return "vcuHours";
  if (/Bps$/.test(name)) return "bps";
  if (name === "mbps" || name === "bandwidthMbps") return "mbps";
  if (name === "credits") return "carbon";
  if (contract === "CarbonCredits" && /^(amount|value)$/.test(name)) return "carbon";
  // An ERC-1155 certificate id's balance is its Wh.
  if (contract === "GreenCertificates" && /^(value|values)$/.test(name)) return "energy";
  if (
    /(Payment|Paid|PerVcuHour|PerKwh|PerMbpsHour)$/.test(name) ||
    /^(payment|paid|fee|escrow|refund|amount|value)$/.test(name)
  ) {
    return contract === "GreenCertificates" ? null : "token";
  }
  return null;
}

/** `unitName` is the name that says the unit: a list's items take their list's. */
export function ValueView({
  value,
  contract,
  unitName = value.name,
}: {
  value: Value;
  contract: string;
  unitName?: string;
}) {
  const locale = useLocale();
  if (value.kind !== "scalar") {
    return (
      <dl className="args args--nested">
        {value.items.map((item) => (
          <div key={item.name} className="args__row">
            <dt>{item.name}</dt>
            <dd>
              <ValueView value={item} contract={contract} unitName={value.kind === "list" ? value.name : item.name} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  const v = value.value;
  if (value.type === "address") return <Address address={String(v)} />;
  if (typeof v === "bigint" || typeof v === "number") {
    const kind = amountKind(unitName, contract);
    if (kind === "time")
      return <time dateTime={new Date(Number(v) * 1000).toISOString()}>{formatTime(Number(v), locale)}</time>;
    if (kind) return <Amount value={BigInt(v)} kind={kind} />;
    return <span className="amount">{v.toString()}</span>;
  }
  if (typeof v === "boolean") return <code>{String(v)}</code>;
  return <code className="break">{String(v)}</code>;
}
