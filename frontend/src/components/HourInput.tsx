// The one field for a whole hour (a bid's earliest start and latest end, an offer's window): the
// market trades whole UTC hours (docs/market-rules.md#hours). People type a time in their own zone;
// the field names the UTC hour it stands for, and says in words when a time is not on the hour
// (minutes other than :00, or a local :00 that is not a UTC hour in a half-hour time zone).
import { useTranslation } from "react-i18next";

import { formatTime, readHourInput } from "../lib/format.ts";
import { useLocale } from "../lib/locale.ts";
import { Field } from "./Field.tsx";

type Props = {
  label: string;
  hint?: string;
  /** The form's own error for the field (an hour in the past, after the window's end, …). */
  error?: string | null;
  value: string;
  onChange: (value: string) => void;
};

export function HourInput({ label, hint, error, value, onChange }: Props) {
  const { t } = useTranslation();
  const locale = useLocale();
  const read = readHourInput(value);
  // A time off the hour is named in the message, so the reader sees what was typed and why it is refused.
  const offHour = !read.ok && read.error === "notOnHour";
  const shown = offHour ? t("hourInput.notOnHour", { time: value.slice(11, 16) }) : error;
  const names = read.ok ? t("hourInput.names", { hour: formatTime(read.hour, locale, "UTC") }) : null;
  return (
    <Field label={label} hint={[hint, names].filter(Boolean).join(" ") || undefined} error={shown}>
      {(p) => (
        <input {...p} type="datetime-local" step={3600} value={value} onChange={(e) => onChange(e.target.value)} />
      )}
    </Field>
  );
}
