import { useTranslation } from "react-i18next";

import { HARDWARE_CLASSES } from "../../../../protocol/units.ts";
import { Card } from "../../components/Card.tsx";
import { Field } from "../../components/Field.tsx";
import { useChain } from "../../lib/chain.ts";
import { useChainTime } from "../../lib/chain-time.ts";
import { formatToken, toLocalDateTimeInput } from "../../lib/format.ts";
import { useLocale } from "../../lib/locale.ts";
import { useTokenSymbol } from "../../lib/token.ts";
import { useTx } from "../../lib/tx/index.tsx";
import { useWallet } from "../../lib/wallet/index.tsx";
import { CapacityCalendar } from "./CapacityCalendar.tsx";
import { type ComputeOfferForm, validateComputeOffer } from "./forms.ts";
import {
  ErrorSummary,
  OfferWindow,
  OwnOffers,
  RegionOptions,
  TxLine,
  useCheckedForm,
  useFieldMessage,
} from "./shared.tsx";

export function ComputeTab() {
  const { t } = useTranslation("supply");
  const locale = useLocale();
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
    result: { errors, params },
    checked,
    shown,
    attempt,
    settle,
  } = useCheckedForm<ComputeOfferForm, ReturnType<typeof validateComputeOffer>>(
    () => ({
      hardwareClass: "gpu-training",
      region: "",
      windowStart: toLocalDateTimeInput(Math.ceil(now / 3600) * 3600),
      windowEnd: toLocalDateTimeInput(Math.ceil(now / 3600) * 3600 + 24 * 3600),
      vcu: "",
      reservePrice: "",
      whPerVcuHour: "",
      pue: "1.25",
      expiry: "",
    }),
    (f) => validateComputeOffer(f, now),
    [now],
  );

  const post = async () => {
    const params = attempt();
    if (!params) return;
    const ok = await tx.run(t("compute.postTx"), {
      ...contracts.market,
      functionName: "postComputeOffer",
      args: [params],
    });
    if (ok) settle();
  };

  return (
    <div className="stack">
      <Card title={t("compute.title")}>
        <p className="field__hint">{t("compute.intro")}</p>
        <form
          className="form"
          aria-label={t("compute.title")}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void post();
          }}
        >
          <ErrorSummary errors={errors} shown={checked} labels={{ reservePrice: t("fields.reservePerVcuHour") }} />
          <div className="form__grid">
            <Field label={t("fields.hardwareClass")} error={message(shown.hardwareClass)}>
              {(p) => (
                <select {...p} value={form.hardwareClass} onChange={set("hardwareClass")}>
                  {HARDWARE_CLASSES.map((hw) => (
                    <option key={hw} value={hw}>
                      {t(`common:hardware.${hw}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t("fields.region")} error={message(shown.region)}>
              {(p) => (
                <select {...p} value={form.region} onChange={set("region")}>
                  <option value="">{t("choose")}</option>
                  <RegionOptions />
                </select>
              )}
            </Field>
            <OfferWindow
              form={form}
              setForm={setForm}
              errors={{ windowStart: message(shown.windowStart), windowEnd: message(shown.windowEnd) }}
            />
            <Field label={t("fields.vcu")} hint={t("hints.vcu")} error={message(shown.vcu)} unit="VCU">
              {(p) => <input {...p} className="num" inputMode="numeric" value={form.vcu} onChange={set("vcu")} />}
            </Field>
            <Field
              label={t("fields.reservePerVcuHour")}
              hint={t("hints.reservePerVcuHour")}
              error={message(shown.reservePrice)}
              unit={`${symbol} / VCU·h`}
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
            <Field
              label={t("fields.whPerVcuHour")}
              hint={t("hints.whPerVcuHour")}
              error={message(shown.whPerVcuHour)}
              unit="Wh"
            >
              {(p) => (
                <input
                  {...p}
                  className="num"
                  inputMode="numeric"
                  value={form.whPerVcuHour}
                  onChange={set("whPerVcuHour")}
                />
              )}
            </Field>
            <Field label={t("fields.pue")} hint={t("hints.pue")} error={message(shown.pue)}>
              {(p) => <input {...p} className="num" inputMode="decimal" value={form.pue} onChange={set("pue")} />}
            </Field>
            <Field label={t("fields.expiry")} hint={t("hints.expiryWindow")} error={message(shown.expiry)}>
              {(p) => <input {...p} type="datetime-local" value={form.expiry} onChange={set("expiry")} />}
            </Field>
          </div>
          {params && (
            <p className="field__hint">
              {t("compute.summary", {
                vcu: params.vcu,
                hours: (params.windowEnd - params.windowStart) / 3600,
                value: formatToken(
                  (params.reservePricePerVcuHour * BigInt(params.vcu * (params.windowEnd - params.windowStart))) /
                    3600n,
                  locale,
                ),
                symbol,
                kwh: ((params.vcu * params.whPerVcuHour * params.pueMilli) / 1_000_000).toLocaleString(locale),
              })}
            </p>
          )}
          <div className="form__actions">
            <button type="submit" className="button--primary" disabled={tx.busy || !wallet.account}>
              {t("compute.post")}
            </button>
          </div>
          <TxLine entry={tx.entry} />
        </form>
      </Card>
      <Card>
        <OwnOffers kind="COMPUTE_OFFER" title={t("compute.own")} />
      </Card>
      <CapacityCalendar kind="COMPUTE_OFFER" />
    </div>
  );
}
