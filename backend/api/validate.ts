// Validation at the edge: every body, query and path parameter goes through a zod schema here, and
// each failure names the field it concerns so the client can fix exactly that.
import type { z } from "zod";

import { type FieldError, HttpProblem } from "./problem.ts";

type Location = FieldError["in"];

/** `["acceptableRegions", 2, "code"]` → `acceptableRegions[2].code`; the root is the location name. */
export function fieldName(location: Location, path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out === "" ? location : out;
}

export function fieldErrors(location: Location, error: z.ZodError): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      // One entry per unknown key, so a typo in a field name is reported under that name.
      for (const key of issue.keys) {
        errors.push({ in: location, field: fieldName(location, [...issue.path, key]), message: "unknown field" });
      }
    } else {
      errors.push({ in: location, field: fieldName(location, issue.path), message: issue.message });
    }
  }
  return errors;
}

/** Parses `value` or throws a 400 problem listing every wrong field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, location: Location): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = fieldErrors(location, result.error);
  const names = [...new Set(errors.map((e) => e.field))];
  throw new HttpProblem("invalid-request", `invalid ${location}: ${names.join(", ")}`, { errors });
}
