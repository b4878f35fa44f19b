// Providers in the order they depend on each other: the stack's config first (where everything
// is), then server state, i18n texts, the wallet and the transaction list, then the routes.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import i18next from "i18next";
import { type ReactNode, Suspense, use, useState } from "react";
import { I18nextProvider } from "react-i18next";
import { RouterProvider } from "react-router/dom";

import type { StackConfig } from "../../../protocol/stack-config.ts";
import { StackConfigProvider } from "../lib/config.tsx";
import { setupI18n } from "../lib/i18n.ts";
import { TxProvider } from "../lib/tx/index.tsx";
import { WalletProvider } from "../lib/wallet/index.tsx";
import { createRouter } from "./router.tsx";

const i18nReady = setupI18n();

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Freshness comes from new blocks (useLiveUpdates), not from timers or window focus.
      queries: { staleTime: 30_000, refetchOnWindowFocus: false, retry: 1 },
    },
  });
}

/** Everything a page needs around it; tests render pages inside it with a fixed config. */
export function AppProviders({
  children,
  config,
  queryClient,
}: {
  children: ReactNode;
  config?: StackConfig;
  queryClient?: QueryClient;
}) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  return (
    <StackConfigProvider config={config}>
      <QueryClientProvider client={client}>
        <Suspense
          fallback={
            <p className="boot" role="status">
              …
            </p>
          }
        >
          <I18nReady>
            <WalletProvider>
              <TxProvider>{children}</TxProvider>
            </WalletProvider>
          </I18nReady>
        </Suspense>
      </QueryClientProvider>
    </StackConfigProvider>
  );
}

function I18nReady({ children }: { children: ReactNode }) {
  // Suspends until the first texts are in, so no page ever flashes its keys.
  const i18n = i18next.isInitialized ? i18next : use(i18nReady);
  return <I18nextProvider i18n={i18n}>{children}</I18nextProvider>;
}

export function App() {
  const [router] = useState(createRouter);
  return (
    <AppProviders>
      <RouterProvider router={router} />
    </AppProviders>
  );
}
