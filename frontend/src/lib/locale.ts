import { useTranslation } from "react-i18next";

import type { Locale } from "./format.ts";

/** The page's language as a formatting locale. */
export function useLocale(): Locale {
  const { i18n } = useTranslation();
  return i18n.language === "zh-CN" ? "zh-CN" : "en";
}
