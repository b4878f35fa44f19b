// The stack's /config.json (protocol/stack-config.ts), loaded once before anything else renders:
// every other module needs to know where the chain, the GraphQL and the API are.
import { createContext, type ReactNode, use, useEffect, useState } from "react";

import { parseStackConfig, type StackConfig } from "../../../protocol/stack-config.ts";

const StackConfigContext = createContext<StackConfig | null>(null);

/** The stack's config; only inside <StackConfigProvider>. */
export function useStackConfig(): StackConfig {
  const config = use(StackConfigContext);
  if (config === null) throw new Error("useStackConfig outside <StackConfigProvider>");
  return config;
}

async function loadStackConfig(url = "/config.json"): Promise<StackConfig> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json" } });
  } catch (error) {
    throw new Error(`${url} did not answer: ${(error as Error).message}`);
  }
  if (!response.ok) throw new Error(`${url} answered ${response.status} ${response.statusText}`);
  return parseStackConfig(await response.json());
}

/** Resolves a config URL ("/rpc") against the page's origin; absolute URLs pass through. */
export function absoluteUrl(url: string): string {
  return new URL(url, globalThis.location?.origin ?? "http://127.0.0.1").toString();
}

type Props = { children: ReactNode /** Tests pass a config instead of fetching one. */; config?: StackConfig };

export function StackConfigProvider({ children, config: given }: Props) {
  const [state, setState] = useState<{ config: StackConfig } | { error: string } | null>(
    given ? { config: given } : null,
  );
  const [attempt, setAttempt] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the trigger: the retry button bumps it to fetch again
  useEffect(() => {
    if (given) return;
    let live = true;
    loadStackConfig().then(
      (config) => live && setState({ config }),
      (error: Error) => live && setState({ error: error.message }),
    );
    return () => {
      live = false;
    };
  }, [given, attempt]);

  if (state === null)
    return (
      <p className="boot" role="status">
        Loading CCEX… · 正在加载…
      </p>
    );
  if ("error" in state) {
    // Shown before i18n can load its texts, so it speaks both languages.
    return (
      <main className="boot boot--error" role="alert">
        <h1>The market cannot start · 市场无法启动</h1>
        <p>
          The stack's configuration could not be loaded. Is `npm start` running? · 无法读取服务配置，请确认 `npm start`
          正在运行。
        </p>
        <pre>{state.error}</pre>
        <button
          type="button"
          onClick={() => {
            setState(null);
            setAttempt((n) => n + 1);
          }}
        >
          Retry · 重试
        </button>
      </main>
    );
  }
  return <StackConfigContext value={state.config}>{children}</StackConfigContext>;
}
