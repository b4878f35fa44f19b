// How PostgreSQL's values arrive in JavaScript, for the pool and for the connection that writes
// steps behind (postgres-worker.ts) alike, and as PGlite gives them: block numbers, log indexes and
// unix times are int8 and fit in a double; money and uint256 ids are numeric and stay decimal strings.
import pg from "pg";

const INT8 = 20;

export const postgresTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 ? Number : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};
