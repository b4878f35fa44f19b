// GET /problems/:slug — what each problem `type` URI means, so error types are dereferenceable.
import { Router } from "express";
import { z } from "zod";

import { methodNotAllowed } from "../errors.ts";
import { HttpProblem, PROBLEM_TYPES, type ProblemSlug, problemTypeUri } from "../problem.ts";
import { validate } from "../validate.ts";

const ProblemParams = z.strictObject({
  slug: z.string().regex(/^[a-z][a-z-]{0,39}$/, "expected a lower-case slug such as invalid-request"),
});

export function problemsRouter(): Router {
  const router = Router();
  router
    .route("/problems/:slug")
    .get((req, res) => {
      const { slug } = validate(ProblemParams, req.params, "path");
      if (!Object.hasOwn(PROBLEM_TYPES, slug)) throw new HttpProblem("not-found", `no problem type named ${slug}`);
      const { status, title, description } = PROBLEM_TYPES[slug as ProblemSlug];
      res.json({ type: problemTypeUri(slug as ProblemSlug), title, status, description });
    })
    .all(methodNotAllowed("GET", "HEAD"));
  return router;
}
