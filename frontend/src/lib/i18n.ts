// Chinese and English texts, one JSON file per namespace and language under src/i18n/. Each
// namespace is its own lazy chunk, fetched when a page first asks for it, so the initial bundle
// carries no page's texts. The chosen language is remembered and mirrored in <html lang>.
import i18next, { type BackendModule, type i18n as I18n } from "i18next";
import { initReactI18next } from "react-i18next";

export const LANGUAGES = ["zh-CN", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = "ccex.lang";

const files = import.meta.glob<{ default: Record<string, unknown> }>("../i18n/*/*.json");

const lazyFiles: BackendModule = {
  type: "backend",
  init() {},
  read(language, namespace, callback) {
    const load = files[`../i18n/${language}/${namespace}.json`];
    if (!load) return callback(new Error(`no texts for ${language}/${namespace}`), null);
    load().then(
      (module) => callback(null, module.default),
      (error: Error) => callback(error, null),
    );
  },
};

function initialLanguage(): Language {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (saved === "en" || saved === "zh-CN") return saved;
  return globalThis.navigator?.language?.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

export function rememberLanguage(language: Language): void {
  localStorage.setItem(STORAGE_KEY, language);
}

/** Initialises i18next for the app (and for component tests, which pass the language). */
export async function setupI18n(language: Language = initialLanguage()): Promise<I18n> {
  if (!i18next.isInitialized) {
    i18next.on("languageChanged", (lng) => {
      if (typeof document !== "undefined") document.documentElement.lang = lng;
    });
    await i18next
      .use(lazyFiles)
      .use(initReactI18next)
      .init({
        lng: language,
        fallbackLng: "en",
        supportedLngs: [...LANGUAGES],
        ns: ["common", "errors"],
        defaultNS: "common",
        // React escapes what it renders; escaping here too would show &amp; to people.
        interpolation: { escapeValue: false },
        returnNull: false,
      });
    if (typeof document !== "undefined") document.documentElement.lang = language;
  } else if (i18next.language !== language) {
    await i18next.changeLanguage(language);
  }
  return i18next;
}
