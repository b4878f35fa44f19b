import type { ReactNode } from "react";
import { useId } from "react";

/** A titled section of a page; `actions` sit right of the title. */
export function Card({
  title,
  actions,
  children,
  className,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  // A titled card is a named region, so assistive technology (and tests) can go straight to it.
  const titleId = useId();
  return (
    <section className={`card ${className ?? ""}`} aria-labelledby={title ? titleId : undefined}>
      {(title || actions) && (
        <header className="card__head">
          {title && (
            <h2 className="card__title" id={titleId}>
              {title}
            </h2>
          )}
          {actions && <div className="card__actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}
