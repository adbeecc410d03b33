import { MAX_POSITION, type Position as StorePosition } from '@pasid/store';
import { type DocumentNode, GraphQLError, GraphQLScalarType, Kind, type ValueNode, visit } from 'graphql';

export { GraphQLDateTimeISO as DateTimeISO, GraphQLJSONObject as JSONObject } from 'graphql-scalars';

const DECIMAL = /^(0|[1-9][0-9]{0,18})$/;

/** A value that is not a position; graphql-js names the variable, `nameArgument` the argument. */
export class NotAPositionError extends GraphQLError {}

/** Why `value` is not a position, with code BAD_USER_INPUT. */
function notAPosition(value: unknown, node?: ValueNode): GraphQLError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new NotAPositionError(
    `a position is a decimal string from "0" to "${MAX_POSITION}" (or an Int up to ${Number.MAX_SAFE_INTEGER}), got ${shown}`,
    { extensions: { code: 'BAD_USER_INPUT' }, ...(node ? { nodes: node } : {}) },
  );
}

/**
 * A literal that is not a position is found by validation, where the scalar does not know which
 * argument it was given as: this puts the argument's name in front and in `extensions.field`.
 * Any other error comes back as it was.
 */
export function nameArgument(error: GraphQLError, document: DocumentNode): GraphQLError {
  const value = error.nodes?.[0];
  if (!(error instanceof NotAPositionError) || !value) return error;
  let argument: string | undefined;
  visit(document, {
    Argument(node) {
      if (node.value === value) argument = node.name.value;
    },
  });
  if (argument === undefined) return error;
  return new NotAPositionError(`${argument}: ${error.message}`, {
    nodes: value,
    extensions: { code: 'BAD_USER_INPUT', field: argument },
  });
}

function fromString(text: string, node?: ValueNode): StorePosition {
  if (!DECIMAL.test(text)) throw notAPosition(text, node);
  const position = BigInt(text);
  if (position > MAX_POSITION) throw notAPosition(text, node);
  return position;
}

function fromNumber(value: number, node?: ValueNode): StorePosition {
  // Past 2^53 a JSON number has already been rounded: refused rather than read as a neighbour.
  if (!Number.isSafeInteger(value) || value < 0) throw notAPosition(value, node);
  return BigInt(value);
}

/**
 * A log position: the `events.position` int8, exact at any size. Written as a decimal string,
 * since JSON numbers (and GraphQL's 32-bit Int) stop being exact long before an int8 does. Read
 * from a string, or from an Int literal or JSON number while it is exact (up to 2^53 - 1), so
 * clients that sent `after: 42` keep working.
 */
export const Position = new GraphQLScalarType<StorePosition, string>({
  name: 'Position',
  description:
    'A position in the log, 0 to 9223372036854775807 (64-bit), written as a decimal string such as "9007199254740993" (JSON numbers are exact only to 2^53). As input: that string, or an Int up to 9007199254740991.',
  serialize(value) {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    if (typeof value === 'string' && DECIMAL.test(value)) return value;
    throw new GraphQLError(`Position cannot represent ${String(value)}`);
  },
  parseValue(value) {
    if (typeof value === 'string') return fromString(value);
    if (typeof value === 'number') return fromNumber(value);
    throw notAPosition(typeof value === 'object' ? JSON.stringify(value) : value);
  },
  parseLiteral(node) {
    if (node.kind === Kind.STRING) return fromString(node.value, node);
    // An Int literal has its digits in the document: read them exactly, then hold it to the same
    // limit as a JSON number, so the two ways of sending a number agree.
    if (node.kind === Kind.INT) {
      const position = BigInt(node.value);
      if (position > BigInt(Number.MAX_SAFE_INTEGER) || position < 0n) throw notAPosition(node.value, node);
      return position;
    }
    throw notAPosition(node.kind === Kind.NULL ? 'null' : 'value' in node ? node.value : node.kind, node);
  },
});
