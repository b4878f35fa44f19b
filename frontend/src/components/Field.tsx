// A labelled form control with its hint and validation message wired for assistive tech
// (aria-describedby, aria-invalid), so the message is read with the field it belongs to.
import { type ReactNode, useId } from "react";

export type ControlProps = { id: string; "aria-invalid": boolean; "aria-describedby"?: string };

type Props = {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  /** Unit shown after the control ("VCU·h", "kWh"). */
  unit?: ReactNode;
  children: (props: ControlProps) => ReactNode;
};

export function Field({ label, hint, error, unit, children }: Props) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field ${error ? "field--invalid" : ""}`}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <div className="field__control">
        {children({ id, "aria-invalid": Boolean(error), "aria-describedby": describedBy })}
        {unit && <span className="field__unit">{unit}</span>}
      </div>
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field__error">
          {error}
        </p>
      )}
    </div>
  );
}

/** A group of checkboxes or radios under one legend, with the same message wiring. */
export function FieldSet({
  legend,
  hint,
  error,
  children,
}: {
  legend: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <fieldset
      className={`field fieldset ${error ? "field--invalid" : ""}`}
      aria-describedby={[error ? `${id}-error` : "", hint ? `${id}-hint` : ""].join(" ").trim() || undefined}
    >
      <legend className="field__label">{legend}</legend>
      <div className="fieldset__options">{children}</div>
      {hint && (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field__error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
