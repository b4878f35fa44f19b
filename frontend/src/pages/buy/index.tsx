import { useTranslation } from "react-i18next";

export default function Page() {
  const { t } = useTranslation("buy");
  return (
    <div className="page-head">
      <h1>{t("title")}</h1>
      <p>{t("intro")}</p>
    </div>
  );
}
