// Buy: a bid for a compute job asked in the buyer's terms, checked before anything is signed,
// quoted by the pricing API (with its Nash bargaining breakdown), then posted with as few wallet
// steps as the token allows (permit + post in one transaction when it can).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { parseEventLogs } from "viem";

import type { QuoteResponse } from "../../../../protocol/api.ts";
import { ceilHour, floorHour } from "../../../../protocol/hours.ts";
import { CERTIFICATE_ORIGINS } from "../../../../protocol/orders.ts";
import { HARDWARE_CLASSES, type HardwareClass, REGIONS } from "../../../../protocol/units.ts";
import { Amount } from "../../components/Amount.tsx";
import { Card } from "../../components/Card.tsx";
import { Field, FieldSet } from "../../components/Field.tsx";
import { HourInput } from "../../components/HourInput.tsx";
import { TxLink } from "../../components/TxLink.tsx";
import { useChain } from "../../lib/chain.ts";
import { useChainTime } from "../../lib/chain-time.ts";
import { absoluteUrl, useStackConfig } from "../../lib/config.tsx";
import { formatTime, formatToken, toDecimalString, toLocalDateTimeInput } from "../../lib/format.ts";
import { useLocale } from "../../lib/locale.ts";
import { gridAreaName, regionName } from "../../lib/regions.ts";
import { useTokenSymbol } from "../../lib/token.ts";
import { useTx } from "../../lib/tx/index.tsx";
import { useWallet } from "../../lib/wallet/index.tsx";
import {
  type BidField,
  type BidForm,
  defaultBidForm,
  type FieldError,
  formFieldOfApiPath,
  quoteRequest,
  validateBid,
} from "./bid-form.ts";
import { type OpenOffer, OpenOffers } from "./OpenOffers.tsx";
import { PostedBid } from "./PostedBid.tsx";
import { checkFunds, permitBidRequest, planBidPosting } from "./post-bid.ts";
import { QuoteView } from "./QuoteView.tsx";

/** How far ahead of chain time a taken offer's window starts, so the next batch can still match it. */
const START_MARGIN_SECONDS = 120;

/** One faucet call's worth for the demo (well under the token's FAUCET_LIMIT of one million). */
const FAUCET_AMOUNT = 10_000_000_000n;

/** A 4xx from the pricing API: problem+json with one entry per wrong field. */
class QuoteProblem extends Error {
  readonly fields: { field: string; message: string }[];
  constructor(message: string, fields: { field: string; message: string }[]) {
    super(message);
    this.fields = fields;
  }
}

async function fetchQuote(apiUrl: string, body: unknown): Promise<QuoteResponse> {
  const response = await fetch(absoluteUrl(`${apiUrl.replace(/\/$/, "")}/quote`), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, application/problem+json" },
    body: JSON.stringify(body),
  });
  const json = await response.json().catch(() => null);
  if (!response.ok) {
    const problem = json as { title?: string; detail?: string; errors?: { field: string; message: string }[] } | null;
    throw new QuoteProblem(
      problem?.detail ?? problem?.title ?? `${response.status} ${response.statusText}`,
      problem?.errors ?? [],
    );
  }
  return json as QuoteResponse;
}

export default function BuyPage() {
  const { t } = useTranslation("buy");
  const locale = useLocale();
  const config = useStackConfig();
  const chain = useChain();
  const wallet = useWallet();
  const symbol = useTokenSymbol();
  const now = useChainTime();
  const tx = useTx();

  const [form, setForm] = useState<BidForm>(() => defaultBidForm(new Date(now * 1000), toLocalDateTimeInput));
  const [checked, setChecked] = useState(false);
  const [apiErrors, setApiErrors] = useState<Partial<Record<BidField, string>>>({});
  const [posted, setPosted] = useState<{ bidId: bigint } | null>(null);

  const { errors, bid } = useMemo(() => validateBid(form, now), [form, now]);
  const shownErrors = checked ? errors : {};
  const message = (field: BidField) => {
    const e: FieldError | undefined = shownErrors[field];
    return e ? t(`errors.${e.key}`, e.values ?? {}) : (apiErrors[field] ?? null);
  };
  const set = <K extends keyof BidForm>(key: K, value: BidForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setApiErrors((a) => ({ ...a, [key]: undefined }));
    setPosted(null);
  };

  const quote = useMutation({ mutationFn: (body: unknown) => fetchQuote(config.apiUrl, body) });

  const balance = useQuery({
    queryKey: ["token-balance", wallet.account],
    enabled: wallet.account !== null,
    queryFn: () =>
      chain.publicClient.readContract({ ...chain.contracts.token, functionName: "balanceOf", args: [wallet.account!] }),
  });

  const requestQuote = () => {
    setChecked(true);
    if (!bid) return;
    setApiErrors({});
    quote.mutate(quoteRequest(bid.params, form.regions), {
      onError: (error) => {
        if (!(error instanceof QuoteProblem)) return;
        const fields: Partial<Record<BidField, string>> = {};
        for (const f of error.fields) {
          const field = formFieldOfApiPath(f.field);
          if (field) fields[field] = f.message;
        }
        setApiErrors(fields);
      },
    });
  };

  const post = async () => {
    setChecked(true);
    if (!bid || !wallet.account || !wallet.walletClient) return;
    const account = wallet.account;
    const walletClient = wallet.walletClient;
    const plan = await planBidPosting(chain, account, bid.escrow);
    // Short of funds, the token refuses the escrow with its own error: ask it before anything is signed.
    const fundsCovered = () => checkFunds(chain, account, bid.escrow);
    if (plan === "approve") {
      const approved = await tx.run(t("tx.approve", { amount: formatToken(bid.escrow, locale), symbol }), async () => {
        await fundsCovered();
        return {
          ...chain.contracts.token,
          functionName: "approve",
          args: [chain.contracts.market.address, bid.escrow],
        };
      });
      if (!approved) return;
    }
    const receipt = await tx.run(t("tx.postBid"), async () => {
      await fundsCovered();
      return plan === "permit"
        ? permitBidRequest(chain, walletClient, account, bid.params, bid.escrow, now)
        : { ...chain.contracts.market, functionName: "postBid", args: [bid.params] };
    });
    if (!receipt) return;
    const [event] = parseEventLogs({ abi: chain.contracts.market.abi, eventName: "BidPosted", logs: receipt.logs });
    if (event) setPosted({ bidId: event.args.bidId });
  };

  // Jobs run in whole hours: the bid's window is the offer's, from the first hour that has not begun.
  const takeOffer = (offer: OpenOffer) => {
    // The matcher only matches jobs whose start has not come yet: start a little ahead of now.
    const start = ceilHour(Math.max(offer.windowStart, now + START_MARGIN_SECONDS));
    const end = floorHour(offer.windowEnd);
    setForm((f) => ({
      ...f,
      regions: f.regions.includes(offer.region) ? f.regions : [...f.regions, offer.region].sort((a, b) => a - b),
      earliestStart: toLocalDateTimeInput(start),
      latestEnd: toLocalDateTimeInput(end),
      expiry: "",
    }));
    setPosted(null);
  };

  const faucet = () =>
    wallet.account &&
    tx.run(t("tx.faucet", { amount: formatToken(FAUCET_AMOUNT, locale, 0), symbol }), {
      ...chain.contracts.token,
      functionName: "faucet",
      args: [wallet.account, FAUCET_AMOUNT],
    });

  const errorList = Object.entries(shownErrors) as [BidField, FieldError][];
  const canFaucet = config.local && config.deployment.localSettlementToken;

  return (
    <>
      <div className="page-head">
        <h1>{t("title")}</h1>
        <p>{t("intro")}</p>
      </div>
      <div className="buy-layout">
        <form
          className="card form"
          aria-label={t("formLabel")}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void post();
          }}
        >
          {checked && errorList.length > 0 && (
            <div className="form-errors" role="alert">
              <p>{t("fixFields", { count: errorList.length })}</p>
              <ul>
                {errorList.map(([field, e]) => (
                  <li key={field}>
                    {t("fieldError", { field: t(`fields.${field}`), message: t(`errors.${e.key}`, e.values ?? {}) })}
                  </li>
                ))}
              </ul>
            </div>
          )}

          <div className="form__grid">
            <Field label={t("fields.hardwareClass")} error={message("hardwareClass")}>
              {(p) => (
                <select
                  {...p}
                  value={form.hardwareClass}
                  onChange={(e) => set("hardwareClass", e.target.value as HardwareClass)}
                >
                  {HARDWARE_CLASSES.map((hw) => (
                    <option key={hw} value={hw}>
                      {t(`common:hardware.${hw}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t("fields.vcu")} hint={t("hints.vcu")} error={message("vcu")} unit="VCU">
              {(p) => (
                <input
                  {...p}
                  className="num"
                  inputMode="numeric"
                  value={form.vcu}
                  onChange={(e) => set("vcu", e.target.value)}
                />
              )}
            </Field>
            <Field
              label={t("fields.durationHours")}
              hint={t("hints.durationHours")}
              error={message("durationHours")}
              unit={t("hoursUnit")}
            >
              {(p) => (
                <input
                  {...p}
                  className="num"
                  inputMode="numeric"
                  value={form.durationHours}
                  onChange={(e) => set("durationHours", e.target.value)}
                />
              )}
            </Field>
          </div>

          <FieldSet legend={t("fields.regions")} hint={t("hints.regions")} error={message("regions")}>
            {REGIONS.map((r) => (
              <label key={r.code}>
                <input
                  type="checkbox"
                  checked={form.regions.includes(r.code)}
                  onChange={(e) =>
                    set(
                      "regions",
                      e.target.checked
                        ? [...form.regions, r.code].sort((a, b) => a - b)
                        : form.regions.filter((c) => c !== r.code),
                    )
                  }
                />
                {regionName(r.code, locale)}
              </label>
            ))}
          </FieldSet>

          <div className="form__grid">
            <Field label={t("fields.buyerRegion")} hint={t("hints.buyerRegion")} error={message("buyerRegion")}>
              {(p) => (
                <select {...p} value={form.buyerRegion} onChange={(e) => set("buyerRegion", e.target.value)}>
                  <option value="">{t("choose")}</option>
                  {REGIONS.map((r) => (
                    <option key={r.code} value={r.code}>
                      {regionName(r.code, locale)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <HourInput
              label={t("fields.earliestStart")}
              hint={bid && bid.params.earliestStart <= now ? t("hints.windowStarted") : t("hints.earliestStart")}
              error={message("earliestStart")}
              value={form.earliestStart}
              onChange={(v) => set("earliestStart", v)}
            />
            <HourInput
              label={t("fields.latestEnd")}
              hint={scheduleHint()}
              error={message("latestEnd")}
              value={form.latestEnd}
              onChange={(v) => set("latestEnd", v)}
            />
            <Field label={t("fields.expiry")} hint={t("hints.expiry")} error={message("expiry")}>
              {(p) => (
                <input
                  {...p}
                  type="datetime-local"
                  value={form.expiry}
                  onChange={(e) => set("expiry", e.target.value)}
                />
              )}
            </Field>
          </div>

          <div className="form__grid">
            <FieldSet legend={t("fields.priceMode")}>
              {(["perVcuHour", "total"] as const).map((mode) => (
                <label key={mode}>
                  <input
                    type="radio"
                    name="priceMode"
                    value={mode}
                    checked={form.priceMode === mode}
                    onChange={() => set("priceMode", mode)}
                  />
                  {t(`priceModes.${mode}`)}
                </label>
              ))}
            </FieldSet>
            <Field
              label={form.priceMode === "perVcuHour" ? t("fields.pricePerVcuHour") : t("fields.priceTotal")}
              hint={priceHint()}
              error={message("price")}
              unit={form.priceMode === "perVcuHour" ? `${symbol} / VCU·h` : symbol}
            >
              {(p) => (
                <input
                  {...p}
                  className="num"
                  inputMode="decimal"
                  value={form.price}
                  onChange={(e) => set("price", e.target.value)}
                />
              )}
            </Field>
          </div>
          <p className="form__note" id="limit-price-note">
            {t("limitNote")}
          </p>

          <FieldSet legend={t("fields.certificateOrigin")} hint={originHint()} error={message("certificateOrigin")}>
            {CERTIFICATE_ORIGINS.map((origin) => (
              <label key={origin}>
                <input
                  type="radio"
                  name="certificateOrigin"
                  value={origin}
                  checked={form.certificateOrigin === origin}
                  onChange={() => set("certificateOrigin", origin)}
                />
                {t(`origins.${origin}`)}
              </label>
            ))}
          </FieldSet>

          <div className="form__grid">
            <Field
              label={t("fields.minGreenPercent")}
              hint={t("hints.minGreenPercent")}
              error={message("minGreenPercent")}
              unit="%"
            >
              {(p) => (
                <input
                  {...p}
                  className="num"
                  inputMode="decimal"
                  value={form.minGreenPercent}
                  onChange={(e) => set("minGreenPercent", e.target.value)}
                />
              )}
            </Field>
            <Field
              label={t("fields.bandwidthMbps")}
              hint={t("hints.bandwidthMbps")}
              error={message("bandwidthMbps")}
              unit="Mbps"
            >
              {(p) => (
                <input
                  {...p}
                  className="num"
                  inputMode="numeric"
                  value={form.bandwidthMbps}
                  onChange={(e) => set("bandwidthMbps", e.target.value)}
                />
              )}
            </Field>
            <Field
              label={t("fields.maxLatencyMs")}
              hint={t("hints.maxLatencyMs")}
              error={message("maxLatencyMs")}
              unit="ms"
            >
              {(p) => (
                <input
                  {...p}
                  className="num"
                  inputMode="numeric"
                  value={form.maxLatencyMs}
                  onChange={(e) => set("maxLatencyMs", e.target.value)}
                />
              )}
            </Field>
          </div>

          <div className="form__actions">
            <button type="button" onClick={requestQuote} disabled={quote.isPending}>
              {quote.isPending ? t("quoting") : t("getQuote")}
            </button>
            <button type="submit" className="button--primary" disabled={tx.busy || !wallet.account}>
              {t("postBid")}
            </button>
            {!wallet.account && <span className="field__hint">{t("common:wallet.connectFirst")}</span>}
          </div>
          {tx.entry && (
            <p className={`tx-status tx-status--${tx.entry.status}`} role="status">
              {tx.entry.label}: {t(`common:tx.status.${tx.entry.status}`)}
              {tx.entry.error && ` — ${tx.entry.error}`} {tx.entry.hash && <TxLink hash={tx.entry.hash} />}
            </p>
          )}
          {posted && <PostedBid bidId={posted.bidId} />}
        </form>

        <aside className="stack">
          <Card title={t("funds.title")}>
            {wallet.account ? (
              <>
                <p className="stat__value">
                  <Amount value={balance.data} kind="token" digits={2} />
                </p>
                <p className="field__hint">{t("funds.escrowNote")}</p>
                {bid && (
                  <p>
                    {t("funds.escrow")} <Amount value={bid.escrow} kind="token" />
                  </p>
                )}
                {canFaucet && (
                  <button type="button" onClick={() => void faucet()} disabled={tx.busy}>
                    {t("funds.faucet", { amount: formatToken(FAUCET_AMOUNT, locale, 0), symbol })}
                  </button>
                )}
              </>
            ) : (
              <p>{t("common:wallet.connectFirst")}</p>
            )}
          </Card>
          <Card title={t("summaryTitle")}>
            {bid ? bidSummary() : <p className="field__hint">{t("summaryIncomplete")}</p>}
          </Card>
        </aside>
      </div>

      <OpenOffers hardwareClass={form.hardwareClass} onUse={takeOffer} />

      {(quote.data || quote.error) && (
        <Card className="quote-card">
          {quote.error ? (
            <p className="state state--error" role="alert">
              {t("quoteFailed", { detail: quote.error.message })}
            </p>
          ) : (
            quote.data && (
              <QuoteView
                quote={quote.data}
                onUseMinimum={(perVcuHour) =>
                  setForm((f) => ({ ...f, priceMode: "perVcuHour", price: toDecimalString(perVcuHour, 6) }))
                }
              />
            )
          )}
        </Card>
      )}
    </>
  );

  function priceHint(): string {
    if (!bid) return form.priceMode === "perVcuHour" ? t("hints.pricePerVcuHour") : t("hints.priceTotal");
    const per = `${formatToken(bid.params.limitPricePerVcuHour, locale)} ${symbol}`;
    const total = `${formatToken(bid.escrow, locale)} ${symbol}`;
    if (bid.roundedFromTotal !== null) return t("hints.roundedTotal", { per, total });
    return form.priceMode === "perVcuHour" ? t("hints.totalIs", { total }) : t("hints.perIs", { per });
  }

  /** Which hours the job may take: fixed when its duration fills the window, else its start range. */
  function scheduleHint(): string | undefined {
    if (!bid) return undefined;
    const p = bid.params;
    return bid.fixed
      ? t("hints.fixedJob", { start: formatTime(p.earliestStart, locale), end: formatTime(p.latestEnd, locale) })
      : t("hints.flexibleJob", {
          from: formatTime(p.earliestStart, locale),
          to: formatTime(bid.latestStart, locale),
          hours: p.durationHours,
        });
  }

  /** Names the grid area of each region the bid accepts, so "same grid area" says which grid. */
  function originHint(): string {
    if (form.regions.length === 0) return t("hints.certificateOrigin");
    const areas = form.regions.map((r) => `${regionName(r, locale)} → ${gridAreaName(r, locale)}`).join(", ");
    return t("hints.certificateOriginAreas", { areas });
  }

  function bidSummary() {
    if (!bid) return null;
    const p = bid.params;
    return (
      <dl className="summary">
        <dt>{t("fields.hardwareClass")}</dt>
        <dd>{t(`common:hardware.${HARDWARE_CLASSES[p.hardwareClass]}`)}</dd>
        <dt>{t("summary.job")}</dt>
        <dd>{t("summary.jobValue", { vcu: p.vcu, hours: p.durationHours })}</dd>
        <dt>{t("summary.vcuHours")}</dt>
        <dd>
          <Amount value={bid.vcuHours} kind="vcuHours" />
        </dd>
        <dt>{t("summary.window")}</dt>
        <dd>
          {formatTime(p.earliestStart, locale)} – {formatTime(p.latestEnd, locale)}
        </dd>
        <dt>{t("summary.origin")}</dt>
        <dd>{t(`origins.${CERTIFICATE_ORIGINS[p.certificateOrigin]}`)}</dd>
        <dt>{t("summary.limit")}</dt>
        <dd>
          <Amount value={p.limitPricePerVcuHour} kind="token" per="/ VCU·h" />
        </dd>
        <dt>{t("funds.escrow")}</dt>
        <dd>
          <Amount value={bid.escrow} kind="token" />
        </dd>
      </dl>
    );
  }
}
