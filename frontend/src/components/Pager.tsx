// Paging through a cursor-paginated list (the indexer's connections, newest first): the page keeps
// the cursors it has passed, so "Newer" goes back exactly one page and "Older" follows endCursor.
import { useState } from "react";
import { useTranslation } from "react-i18next";

export type Cursors = {
  /** The `after` of the page on screen (undefined on the first page). */
  after: string | undefined;
  /** 1-based number of the page on screen. */
  page: number;
  older: (endCursor: string) => void;
  newer: () => void;
  reset: () => void;
};

/** The cursor stack of one paged list. */
export function useCursors(): Cursors {
  const [stack, setStack] = useState<string[]>([]);
  return {
    after: stack.at(-1),
    page: stack.length + 1,
    older: (endCursor) => setStack((s) => [...s, endCursor]),
    newer: () => setStack((s) => s.slice(0, -1)),
    reset: () => setStack([]),
  };
}

/** "Newer" / "page n" / "Older" under a list; renders nothing while everything fits on one page. */
export function Pager({
  cursors,
  pageInfo,
  label,
}: {
  cursors: Cursors;
  pageInfo: { endCursor: string | null; hasNextPage: boolean } | undefined;
  /** What is paged, for the navigation's accessible name ("Deals pages"). */
  label: string;
}) {
  const { t } = useTranslation();
  const hasOlder = pageInfo?.hasNextPage === true && pageInfo.endCursor !== null;
  if (cursors.page === 1 && !hasOlder) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="button button--small" disabled={cursors.page === 1} onClick={cursors.newer}>
        {t("pager.newer")}
      </button>
      <span className="pager__page">{t("pager.page", { page: cursors.page })}</span>
      <button
        type="button"
        className="button button--small"
        disabled={!hasOlder}
        onClick={() => pageInfo?.endCursor && cursors.older(pageInfo.endCursor)}
      >
        {t("pager.older")}
      </button>
    </nav>
  );
}
