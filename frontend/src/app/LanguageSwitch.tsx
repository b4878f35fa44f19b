import { useId } from "react";
import { useTranslation } from "react-i18next";

import { LANGUAGES, type Language, rememberLanguage } from "../lib/i18n.ts";

/** Each language named in itself, so a reader finds theirs whatever the page speaks now. */
const NAMES: Record<Language, string> = { "zh-CN": "中文", en: "English" };

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const id = useId();
  return (
    <span className="lang-switch">
      <label htmlFor={id} className="visually-hidden">
        {t("language")}
      </label>
      <select
        id={id}
        value={i18n.language}
        onChange={(e) => {
          const language = e.target.value as Language;
          rememberLanguage(language);
          void i18n.changeLanguage(language);
        }}
      >
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>
            {NAMES[l]}
          </option>
        ))}
      </select>
    </span>
  );
}
