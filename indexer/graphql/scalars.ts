import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";

const DECIMAL = /^(0|[1-9][0-9]*)$/;

function parseBigInt(value: unknown): string {
  const s = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof s !== "string" || !DECIMAL.test(s) || s.length > 78) {
    throw new GraphQLError(`BigInt must be a non-negative decimal integer string, got ${JSON.stringify(value)}`, {
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  return s;
}

export const BigIntScalar = new GraphQLScalarType({
  name: "BigInt",
  serialize: (v) => (typeof v === "bigint" ? v.toString() : String(v)),
  parseValue: parseBigInt,
  parseLiteral: (ast: ValueNode) =>
    parseBigInt(ast.kind === Kind.STRING || ast.kind === Kind.INT ? ast.value : undefined),
});

export const JSONScalar = new GraphQLScalarType({
  name: "JSON",
  serialize: (v) => v,
  parseValue: (v) => v,
});
