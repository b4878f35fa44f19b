import { useTranslation } from "react-i18next";

import { Card } from "../../components/Card.tsx";
import { Field } from "../../components/Field.tsx";
import { useChain } from "../../lib/chain.ts";
import { useChainTime } from "../../lib/chain-time.ts";
import { toLocalDateTimeInput } from "../../lib/format.ts";
import { useTokenSymbol } from "../../lib/token.ts";
import { useTx } from "../../lib/tx/index.tsx";
import { useWallet } from "../../lib/wallet/index.tsx";
import { CapacityCalendar } from "./CapacityCalendar.tsx";
import { type BandwidthOfferForm, validateBandwidthOffer } from "./forms.ts";
import {
  ErrorSummary,
  OfferWindow,
  OwnOffers,
  RegionOptions,
  TxLine,
  useCheckedForm,
  useFieldMessage,
} from "./shared.tsx";

export function BandwidthTab() {
  const { t } = useTranslation("supply");
  const symbol = useTokenSymbol();
  const { contracts } = useChain();
  const wallet = useWallet();
  const now = useChainTime();
  const tx = useTx();
  const message = useFieldMessage();
  const {
    form,
    set,
    setForm,
    result: { errors },
    checked,
    shown,
    attempt,
    settle,
  } = useCheckedForm<BandwidthOfferForm, ReturnType<typeof validateBandwidthOffer>>(
    () => ({
      fromRegion: "",
      toRegion: "",
      mbps: "",
      latencyMs: "",
      windowStart: toLocalDateTimeInput(Math.ceil(now / 3600) * 3600),
      windowEnd: toLocalDateTimeInput(Math.ceil(now / 3600) * 3600 + 24 * 3600),
      reservePrice: "",
      expiry: "",
    }),
    (f) => validateBandwidthOffer(f, now),
    [now],
  );

  const post = async () => {
    const params = attempt();
    if (!params) return;
    const ok = await tx.run(t("bandwidth.postTx"), {
      ...contracts.market,
      functionName: "postBandwidthOffer",
      args: [params],
    });
    if (ok) settle();
  };

  return (
    <div className="stack">
      <Card title={t("bandwidth.title")}>
        <p className="field__hint">{t("bandwidth.intro")}</p>
        <form
          className="form"
          aria-label={t("bandwidth.title")}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void post();
          }}
        >
          <ErrorSummary errors={errors} shown={checked} labels={{ reservePrice: t("fields.reservePerMbpsHour") }} />
          <div className="form__grid">
            <Field label={t("fields.fromRegion")} error={message(shown.fromRegion)}>
              {(p) => (
                <select {...p} value={form.fromRegion} onChange={set("fromRegion")}>
                  <option value="">{t("choose")}</option>
                  <RegionOptions />
                </select>
              )}
            </Field>
            <Field label={t("fields.toRegion")} error={message(shown.toRegion)}>
              {(p) => (
                <select {...p} value={form.toRegion} onChange={set("toRegion")}>
                  <option value="">{t("choose")}</option>
                  <RegionOptions />
                </select>
              )}
            </Field>
            <Field label={t("fields.mbps")} error={message(shown.mbps)} unit="Mbps">
              {(p) => <input {...p} className="num" inputMode="numeric" value={form.mbps} onChange={set("mbps")} />}
            </Field>
            <Field label={t("fields.latencyMs")} hint={t("hints.latencyMs")} error={message(shown.latencyMs)} unit="ms">
              {(p) => (
                <input {...p} className="num" inputMode="numeric" value={form.latencyMs} onChange={set("latencyMs")} />
              )}
            </Field>
            <OfferWindow
              form={form}
              setForm={setForm}
              errors={{ windowStart: message(shown.windowStart), windowEnd: message(shown.windowEnd) }}
            />
            <Field
              label={t("fields.reservePerMbpsHour")}
              error={message(shown.reservePrice)}
              unit={`${symbol} / Mbps·h`}
            >
              {(p) => (
                <input
                  {...p}
                  className="num"
                  inputMode="decimal"
                  value={form.reservePrice}
                  onChange={set("reservePrice")}
                />
              )}
            </Field>
            <Field label={t("fields.expiry")} hint={t("hints.expiryWindow")} error={message(shown.expiry)}>
              {(p) => <input {...p} type="datetime-local" value={form.expiry} onChange={set("expiry")} />}
            </Field>
          </div>
          <div className="form__actions">
            <button type="submit" className="button--primary" disabled={tx.busy || !wallet.account}>
              {t("bandwidth.post")}
            </button>
          </div>
          <TxLine entry={tx.entry} />
        </form>
      </Card>
      <Card>
        <OwnOffers kind="BANDWIDTH_OFFER" title={t("bandwidth.own")} />
      </Card>
      <CapacityCalendar kind="BANDWIDTH_OFFER" />
    </div>
  );
}
