// A data table with the page's conventions: numbers right-aligned (tabular figures), a caption for
// assistive tech, and loading / error / empty states in words instead of a blank box.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

export type Column<Row> = {
  key: string;
  header: ReactNode;
  render: (row: Row) => ReactNode;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
};

/** The column's name on each of its cells, for a reflowed row (a card) that has no header line. */
const cellLabel = (header: ReactNode) => (typeof header === "string" ? header : undefined);

type Props<Row> = {
  caption: ReactNode;
  /** Shows the caption only to assistive tech (when a card title already says it). */
  hideCaption?: boolean;
  columns: Column<Row>[];
  rows: Row[] | undefined;
  rowKey: (row: Row) => string;
  loading?: boolean;
  error?: Error | null;
  empty?: ReactNode;
  /** On a narrow screen each row becomes a card of labelled values instead of a sideways-scrolling table. */
  reflow?: boolean;
};

export function Table<Row>({ caption, hideCaption, columns, rows, rowKey, loading, error, empty, reflow }: Props<Row>) {
  const { t } = useTranslation();
  return (
    <div className={reflow ? "table-wrap table-wrap--reflow" : "table-wrap"}>
      <table className={reflow ? "table table--reflow" : "table"}>
        <caption className={hideCaption ? "visually-hidden" : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.numeric ? "num" : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows?.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td
                  key={c.key}
                  className={c.numeric ? "num" : undefined}
                  data-label={reflow ? cellLabel(c.header) : undefined}
                >
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows === undefined || rows.length === 0 ? (
        <QueryState loading={loading ?? rows === undefined} error={error ?? null} empty={empty ?? t("state.empty")} />
      ) : null}
    </div>
  );
}

/** Loading, failed or empty, said in words. */
export function QueryState({ loading, error, empty }: { loading: boolean; error: Error | null; empty?: ReactNode }) {
  const { t } = useTranslation();
  if (error)
    return (
      <p className="state state--error" role="alert">
        {t("state.error", { detail: error.message })}
      </p>
    );
  if (loading)
    return (
      <p className="state" role="status">
        {t("state.loading")}
      </p>
    );
  return empty ? <p className="state">{empty}</p> : null;
}
