// RFC 9457 problem details: the one shape every error of the API takes.
//
// Each problem type has a slug; its `type` URI is a relative reference that the API itself serves
// (GET /problems/<slug>), so a client can always look up what an error means.

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** One wrong input field: where it was (`body`, `query` or `path`), its path, and what is wrong. */
export type FieldError = { in: "body" | "query" | "path" | "header"; field: string; message: string };

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
};

/** The problem types the API can answer with; the slug is the last segment of `type`. */
export const PROBLEM_TYPES = {
  "invalid-request": {
    status: 400,
    title: "Invalid request",
    description: "A body, query or path parameter does not satisfy the schema; `errors` names each wrong field.",
  },
  "malformed-json": {
    status: 400,
    title: "Malformed JSON",
    description: "The request body is not valid JSON.",
  },
  "not-found": {
    status: 404,
    title: "Not found",
    description: "No resource lives at this path.",
  },
  "method-not-allowed": {
    status: 405,
    title: "Method not allowed",
    description: "The path exists but does not accept this method; the Allow header lists the ones it does.",
  },
  "payload-too-large": {
    status: 413,
    title: "Payload too large",
    description: "The request body exceeds the server's size limit.",
  },
  "unsupported-media-type": {
    status: 415,
    title: "Unsupported media type",
    description: "The body must be sent as application/json in UTF-8.",
  },
  "too-many-requests": {
    status: 429,
    title: "Too many requests",
    description: "The client exceeded its rate limit; the RateLimit and Retry-After headers say when to retry.",
  },
  unauthorized: {
    status: 401,
    title: "Unauthorized",
    description: "The request must be signed (metering: an EIP-712 MeterBatch signature) and is not, or not readably.",
  },
  forbidden: {
    status: 403,
    title: "Forbidden",
    description:
      "The request is signed by an account that may not do this (metering: not the deal's compute supplier).",
  },
  "samples-conflict": {
    status: 409,
    title: "Samples conflict with the stored series",
    description:
      "A sample is late or already metered, or the deal is reported and its series closed; Metering-Stored-Until gives the last stored second.",
  },
  "series-incomplete": {
    status: 409,
    title: "Series incomplete",
    description: "The deal's series has gaps above the bridged limit, so no usage report can be made from it.",
  },
  "samples-refused": {
    status: 422,
    title: "Samples refused",
    description: "A sample is negative, absurd, outside the deal's window or ahead of the clock; `errors` names each.",
  },
  "internal-error": {
    status: 500,
    title: "Internal error",
    description: "An unexpected failure inside the server; it is logged under the request id.",
  },
  unavailable: {
    status: 503,
    title: "Service unavailable",
    description:
      "A dependency of the API (order book, proposal store, or the quote workers) did not answer; retry after Retry-After where it is given.",
  },
} as const satisfies Record<string, { status: number; title: string; description: string }>;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

export function problemTypeUri(slug: ProblemSlug): string {
  return `/problems/${slug}`;
}

/** Thrown by handlers and validators; the error handler turns it into a problem response. */
export class HttpProblem extends Error {
  readonly slug: ProblemSlug;
  readonly detail: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    slug: ProblemSlug,
    detail: string,
    options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(`${PROBLEM_TYPES[slug].title}: ${detail}`, { cause: options.cause });
    this.name = "HttpProblem";
    this.slug = slug;
    this.detail = detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return PROBLEM_TYPES[this.slug].status;
  }
}

export function buildProblem(
  slug: ProblemSlug,
  detail: string,
  instance: string,
  extra: { requestId?: string; errors?: FieldError[] } = {},
): Problem {
  const { status, title } = PROBLEM_TYPES[slug];
  const problem: Problem = { type: problemTypeUri(slug), title, status, detail, instance };
  if (extra.requestId !== undefined) problem.requestId = extra.requestId;
  if (extra.errors !== undefined) problem.errors = extra.errors;
  return problem;
}
