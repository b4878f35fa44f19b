// The routes, each page its own lazy chunk. Pages are found by file (src/pages/<name>/index.tsx,
// default export), so a page another helper adds appears in the router and the nav by existing.
import { createBrowserRouter, type RouteObject } from "react-router";

import { Layout, NotFound, PageLoading, RouteError } from "./Layout.tsx";

type PageModule = { default: React.ComponentType };
const pageFiles = import.meta.glob<PageModule>("../pages/*/index.tsx");

/** Path and nav entry of each page; the nav shows those with a `nav` key, in this order. */
export const PAGES = [
  { name: "market", path: "/", nav: "nav.market" },
  { name: "buy", path: "/buy", nav: "nav.buy" },
  { name: "supply", path: "/supply", nav: "nav.supply" },
  { name: "account", path: "/account", nav: "nav.account" },
  // /trace alone renders the trace page without a subject (it offers a lookup).
  { name: "trace", path: "/trace/:kind?/:id?", nav: "nav.trace", navPath: "/trace" },
  { name: "dashboard", path: "/dashboard", nav: "nav.dashboard" },
  { name: "tx", path: "/tx/:hash" },
] as const;

export function pageExists(name: string): boolean {
  return `../pages/${name}/index.tsx` in pageFiles;
}

export function routes(): RouteObject[] {
  const children: RouteObject[] = PAGES.filter((p) => pageExists(p.name)).map((page) => {
    const load = pageFiles[`../pages/${page.name}/index.tsx`];
    const lazy = async () => ({ Component: (await load()).default });
    // On a direct load the router waits for the page's chunk before its first render: the layout
    // shows meanwhile, with this in the page's place (without it React Router warns and shows nothing).
    const route = { lazy, HydrateFallback: PageLoading };
    return page.path === "/" ? { index: true, ...route } : { path: page.path.slice(1), ...route };
  });
  children.push({ path: "*", Component: NotFound });
  return [
    { path: "/", Component: Layout, ErrorBoundary: RouteError, children: [{ ErrorBoundary: RouteError, children }] },
  ];
}

export function createRouter() {
  return createBrowserRouter(routes());
}
