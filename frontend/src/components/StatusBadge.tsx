import { useTranslation } from "react-i18next";

const TONES: Record<string, string> = {
  OPEN: "info",
  ACTIVE: "info",
  PENDING: "warn",
  REPORTED: "warn",
  DISPUTED: "danger",
  FILLED: "ok",
  FINALIZED: "ok",
  APPROVED: "ok",
  CANCELLED: "muted",
  EXPIRED: "muted",
  SUSPENDED: "danger",
};

/** An order, deal or device status from the indexer (OPEN, FINALIZED, …) as a translated badge. */
export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge--${TONES[status] ?? "muted"}`}>
      {t(`status.${status}`, { defaultValue: status })}
    </span>
  );
}
