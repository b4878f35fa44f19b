// Errors a client can act on carry a code and name the argument at fault; anything else is masked
// by graphql-yoga into a generic message, so no stack trace or SQL ever leaves the server.
import { GraphQLError } from "graphql";

export type ErrorCode = "BAD_USER_INPUT" | "NOT_FOUND";

export function userError(field: string, message: string, code: ErrorCode = "BAD_USER_INPUT"): GraphQLError {
  return new GraphQLError(`${field}: ${message}`, { extensions: { code, field } });
}
