// /tx/:hash — one transaction read straight from the chain: its status, block and time, who sent it
// to which contract, the call decoded, and the market events it emitted, each linked to the deal,
// batch or retirement it concerns. On a local chain there is no explorer; this page is it.
import "./tx.css";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { type Hex, TransactionNotFoundError, TransactionReceiptNotFoundError } from "viem";

import { Address } from "../../components/Address.tsx";
import { Card } from "../../components/Card.tsx";
import { QueryState } from "../../components/Table.tsx";
import { type ChainContext, useChain } from "../../lib/chain.ts";
import { formatInteger, formatTime } from "../../lib/format.ts";
import { useLocale } from "../../lib/locale.ts";
import { type DecodedCall, decodeCall, decodeEvents, eventLinks, type KnownContract } from "./decode.ts";
import { ValueView } from "./ValueView.tsx";

const NAMES = {
  market: "Market",
  certificates: "GreenCertificates",
  credits: "CarbonCredits",
  token: "SettlementToken",
} as const;

function knownContracts(chain: ChainContext): KnownContract[] {
  return (Object.keys(NAMES) as (keyof typeof NAMES)[]).map((k) => ({
    name: NAMES[k],
    address: chain.contracts[k].address,
    abi: chain.contracts[k].abi,
  }));
}

/** The transaction, its receipt once mined (null while pending) and its block's time; null if the chain has no such transaction. */
async function loadTx(chain: ChainContext, hash: Hex) {
  const client = chain.publicClient;
  let tx: Awaited<ReturnType<typeof client.getTransaction>>;
  try {
    tx = await client.getTransaction({ hash });
  } catch (error) {
    if (error instanceof TransactionNotFoundError) return null;
    throw error;
  }
  let receipt = null;
  try {
    receipt = await client.getTransactionReceipt({ hash });
  } catch (error) {
    if (!(error instanceof TransactionReceiptNotFoundError)) throw error;
  }
  const block = receipt ? await client.getBlock({ blockNumber: receipt.blockNumber }) : null;
  return { tx, receipt, time: block ? Number(block.timestamp) : null };
}

export default function TxPage() {
  const { t } = useTranslation("tx");
  const { hash = "" } = useParams();
  const valid = /^0x[0-9a-fA-F]{64}$/.test(hash);
  return (
    <div className="stack tx-page">
      <h1>{t("title")}</h1>
      <p className="mono break">{hash}</p>
      {valid ? (
        <TxDetails hash={hash as Hex} />
      ) : (
        <p className="state state--error" role="alert">
          {t("invalid")}
        </p>
      )}
    </div>
  );
}

function TxDetails({ hash }: { hash: Hex }) {
  const { t } = useTranslation("tx");
  const locale = useLocale();
  const chain = useChain();
  const contracts = knownContracts(chain);
  const query = useQuery({
    queryKey: ["tx", chain.chain.id, hash],
    queryFn: () => loadTx(chain, hash),
    // A mined transaction never changes; a pending or unknown one is asked again until it is mined.
    refetchInterval: (q) => (q.state.data?.receipt ? false : 2_000),
    meta: { live: false },
  });
  if (query.data === undefined) return <QueryState loading={query.isPending} error={query.error} />;
  if (query.data === null)
    return (
      <p className="state state--error" role="alert">
        {t("notFound")}
      </p>
    );

  const { tx, receipt, time } = query.data;
  const call = decodeCall(contracts, tx.to ?? null, tx.input);
  const events = receipt ? decodeEvents(contracts, receipt.logs) : [];
  const contractName = (address: string | null | undefined) =>
    contracts.find((c) => address && c.address.toLowerCase() === address.toLowerCase())?.name;
  const status = receipt === null ? "pending" : receipt.status === "success" ? "success" : "reverted";

  return (
    <>
      <Card title={t("summary")}>
        <dl className="facts">
          <div>
            <dt>{t("status.label")}</dt>
            <dd>
              <span
                className={`badge badge--${status === "success" ? "ok" : status === "pending" ? "warn" : "danger"}`}
                role="status"
              >
                {t(`status.${status}`)}
              </span>
            </dd>
          </div>
          {receipt && (
            <div>
              <dt>{t("block")}</dt>
              <dd className="num">{formatInteger(receipt.blockNumber, locale)}</dd>
            </div>
          )}
          {time !== null && (
            <div>
              <dt>{t("time")}</dt>
              <dd>
                <time dateTime={new Date(time * 1000).toISOString()}>{formatTime(time, locale)}</time>
              </dd>
            </div>
          )}
          <div>
            <dt>{t("from")}</dt>
            <dd>
              <Address address={tx.from} />
            </dd>
          </div>
          <div>
            <dt>{t("to")}</dt>
            <dd>
              <Address address={tx.to} /> {contractName(tx.to) && <span className="muted">{contractName(tx.to)}</span>}
            </dd>
          </div>
          {receipt && (
            <div>
              <dt>{t("gasUsed")}</dt>
              <dd className="num">{formatInteger(receipt.gasUsed, locale)}</dd>
            </div>
          )}
        </dl>
      </Card>

      <Card title={t("call.title")}>
        {call ? <CallView call={call} /> : <p className="state">{t("call.unknown")}</p>}
      </Card>

      <Card title={t("events.title")}>
        {receipt === null ? (
          <p className="state" role="status">
            {t("events.pending")}
          </p>
        ) : events.length === 0 ? (
          <p className="state">{status === "reverted" ? t("events.reverted") : t("events.none")}</p>
        ) : (
          <ol className="event-list">
            {events.map((e) => (
              <li key={e.logIndex} className="event">
                <h3 className="event__name">
                  {e.eventName}{" "}
                  <span className="muted">
                    {e.contract} · {t("events.log", { index: e.logIndex })}
                  </span>
                </h3>
                <dl className="args">
                  {e.args.map((a) => (
                    <div key={a.name} className="args__row">
                      <dt>{a.name}</dt>
                      <dd>
                        <ValueView value={a} contract={e.contract} />
                      </dd>
                    </div>
                  ))}
                </dl>
                {eventLinks(e, receipt.blockNumber).map((l) => (
                  <Link key={`${l.kind}-${l.id}`} className="event__link" to={`/trace/${l.kind}/${l.id}`}>
                    {t(`events.trace.${l.kind}`, { id: l.id })}
                  </Link>
                ))}
              </li>
            ))}
          </ol>
        )}
      </Card>
    </>
  );
}

function CallView({ call }: { call: DecodedCall }) {
  const { t } = useTranslation("tx");
  return (
    <div className="call">
      <p>
        <code>
          {call.contract}.{call.functionName}
        </code>
      </p>
      {call.calls.length > 0 ? (
        <ol className="call__inner" aria-label={t("call.bundled")}>
          {call.calls.map((c, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a multicall's calls are fixed in order and may repeat
            <li key={i}>
              <CallView call={c} />
            </li>
          ))}
        </ol>
      ) : (
        call.args.length > 0 && (
          <dl className="args">
            {call.args.map((a) => (
              <div key={a.name} className="args__row">
                <dt>{a.name}</dt>
                <dd>
                  <ValueView value={a} contract={call.contract} />
                </dd>
              </div>
            ))}
          </dl>
        )
      )}
    </div>
  );
}
