// An ABI event compiled into direct reads of the log's hex: each argument's position is worked out
// once from the ABI, so decoding a log is slicing words out of a string, with no byte arrays, no
// cursor and no bigint for the common small values. The output is exactly what viem's
// decodeEventLog gives after the stored-form normalisation of decode.ts (test/indexer/sync/
// decode.test.ts compares both on every log of a market history and on every ABI type).
import type { AbiEvent, AbiParameter } from "viem";

/** Decodes one log's topics and data into stored-form arguments, collecting the addresses it names. */
export type CompiledEvent = (topics: readonly string[], data: string, accounts: string[]) => Record<string, unknown>;

export class EventLayoutError extends Error {
  override name = "EventLayoutError";
}

type Read = (hex: string, at: number, accounts: string[]) => unknown;
/** How one ABI type sits in the encoding: dynamic types hold an offset in the head, static ones `words` words. */
type Layout = { dynamic: boolean; words: number; read: Read };

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
/** A word whose first 51 hex digits are zero holds at most 52 bits: exact as a double. */
const ZEROS_51 = "0".repeat(51);
const utf8 = new TextDecoder();

/**
 * Compiles one event of an ABI, or returns null when its shape is one this compiler leaves to viem
 * (unnamed or numeric-like argument names, whose object key order viem decides differently).
 */
export function compileEvent(event: AbiEvent): CompiledEvent | null {
  const inputs = event.inputs;
  if (inputs.length === 0 || !namesAreSimple(inputs)) return null;
  const names = new Set(inputs.map((p) => p.name));
  if (names.size !== inputs.length) return null;
  const indexed = inputs.filter((p) => p.indexed);
  const topicReads = indexed.map((p) => {
    // viem hands back the topic itself for types hashed into it.
    if (p.type === "string" || p.type === "bytes" || p.type === "tuple" || /\[\d*\]$/.test(p.type))
      return (topic: string, accounts: string[]) => stored(topic, accounts);
    const layout = layoutOf(p);
    return (topic: string, accounts: string[]) => layout.read(topic, 2, accounts);
  });
  const topicNames = indexed.map((p) => p.name as string);
  const body = inputs.filter((p) => !p.indexed);
  const bodyNames = body.map((p) => p.name as string);
  const readBody = body.length > 0 ? sequence(body.map(layoutOf)) : null;
  return (topics, data, accounts) => {
    const args: Record<string, unknown> = {};
    for (let i = 0; i < topicReads.length; i++) {
      const topic = topics[i + 1];
      if (topic === undefined) throw new EventLayoutError(`${event.name}: topic ${i + 1} is missing`);
      args[topicNames[i]] = topicReads[i](topic, accounts);
    }
    if (readBody) {
      if (data.length <= 2) throw new EventLayoutError(`${event.name}: the log has no data`);
      const values = readBody(data, 2, accounts) as unknown[];
      for (let i = 0; i < bodyNames.length; i++) args[bodyNames[i]] = values[i];
    }
    return args;
  };
}

/** Every argument named, no name anywhere that JavaScript would order as an array index. */
function namesAreSimple(params: readonly AbiParameter[], top = true): boolean {
  return params.every(
    (p) =>
      (top ? !!p.name : true) &&
      !(p.name && /^\d+$/.test(p.name)) &&
      (!("components" in p) || !p.components || namesAreSimple(p.components, false)),
  );
}

function layoutOf(param: AbiParameter): Layout {
  const array = /^(.*)\[(\d*)\]$/.exec(param.type);
  if (array) {
    const element = layoutOf({ ...param, type: array[1] } as AbiParameter);
    if (array[2] === "") {
      return {
        dynamic: true,
        words: 1,
        read: (hex, at, accounts) => sequence(Array(wordNumber(hex, at)).fill(element))(hex, at + 64, accounts),
      };
    }
    const length = Number(array[2]);
    const read = sequence(Array(length).fill(element));
    return { dynamic: element.dynamic, words: element.dynamic ? 1 : length * element.words, read };
  }
  if (param.type === "tuple") {
    const components = (param as { components: readonly AbiParameter[] }).components;
    const layouts = components.map(layoutOf);
    const read = sequence(layouts);
    const keys = components.length > 0 && components.every((c) => c.name) ? components.map((c) => c.name!) : null;
    const dynamic = layouts.some((l) => l.dynamic);
    return {
      dynamic,
      words: dynamic ? 1 : layouts.reduce((n, l) => n + l.words, 0),
      read: keys
        ? (hex, at, accounts) => {
            const values = read(hex, at, accounts) as unknown[];
            const out: Record<string, unknown> = {};
            for (let i = 0; i < keys.length; i++) out[keys[i]] = values[i];
            return out;
          }
        : read,
    };
  }
  return { dynamic: param.type === "string" || param.type === "bytes", words: 1, read: elementary(param.type) };
}

/** Reads consecutive values as the ABI encodes a tuple: static ones in place, dynamic ones behind an offset. */
function sequence(layouts: readonly Layout[]): Read {
  const heads: number[] = [];
  let head = 0;
  for (const l of layouts) {
    heads.push(head);
    head += l.words * 64;
  }
  return (hex, at, accounts) => {
    const out = new Array(layouts.length);
    for (let i = 0; i < layouts.length; i++) {
      const l = layouts[i];
      const slot = at + heads[i];
      out[i] = l.dynamic ? l.read(hex, at + wordNumber(hex, slot) * 2, accounts) : l.read(hex, slot, accounts);
    }
    return out;
  };
}

function elementary(type: string): Read {
  if (type === "address") {
    return (hex, at, accounts) => {
      word(hex, at);
      const a = `0x${hex.slice(at + 24, at + 64).toLowerCase()}`;
      if (a !== ZERO_ADDRESS) addAccount(accounts, a);
      return a;
    };
  }
  if (type === "bool") {
    return (hex, at) => {
      const w = word(hex, at);
      if (!w.startsWith(ZEROS_51) || !/^0{13}$|^0{12}1$/.test(w.slice(51)))
        throw new EventLayoutError(`not a boolean: 0x${w}`);
      return w.endsWith("1");
    };
  }
  if (type === "string") {
    return (hex, at, accounts) => {
      const length = wordNumber(hex, at);
      if (length === 0) return "";
      return stored(utf8.decode(Buffer.from(bytesAt(hex, at + 64, length), "hex")), accounts);
    };
  }
  if (type === "bytes") {
    return (hex, at, accounts) => {
      const length = wordNumber(hex, at);
      return length === 0 ? "0x" : stored(`0x${bytesAt(hex, at + 64, length)}`, accounts);
    };
  }
  const fixed = /^bytes(\d+)$/.exec(type);
  if (fixed) {
    const size = Number(fixed[1]);
    return (hex, at, accounts) => {
      word(hex, at);
      return stored(`0x${hex.slice(at, at + size * 2)}`, accounts);
    };
  }
  const int = /^(u?)int(\d*)$/.exec(type);
  if (int) {
    const signed = int[1] === "";
    const small = Number(int[2] || "256") <= 48;
    if (signed) {
      return (hex, at) => {
        const v = BigInt.asIntN(256, BigInt(`0x${word(hex, at)}`));
        return small ? Number(v) : v.toString();
      };
    }
    return (hex, at) => {
      const n = smallWord(hex, at);
      if (n >= 0) return small ? n : String(n);
      const v = BigInt(`0x${word(hex, at)}`);
      return small ? Number(v) : v.toString();
    };
  }
  throw new EventLayoutError(`ABI type ${type} is not supported`);
}

/** The 64 hex digits of the word at `at`; a log too short for its layout is an error, as in viem. */
function word(hex: string, at: number): string {
  if (at + 64 > hex.length) throw new EventLayoutError(`the log's data ends before position ${(at - 2) / 2 + 32}`);
  return hex.slice(at, at + 64);
}

function wordNumber(hex: string, at: number): number {
  const n = smallWord(hex, at);
  if (n < 0) throw new EventLayoutError(`offset or length out of range: 0x${word(hex, at)}`);
  return n;
}

/**
 * The word at `at` as a number when it holds at most 52 bits (its first 51 hex digits zero), else
 * -1: read digit by digit from the log's hex, as most words of a market log are small (ids, hours,
 * offsets), and slicing and parsing each was a good part of decoding.
 */
function smallWord(hex: string, at: number): number {
  if (at + 64 > hex.length) throw new EventLayoutError(`the log's data ends before position ${(at - 2) / 2 + 32}`);
  // startsWith at a position compares in place (no string cut out of the log), and cost about
  // half of the sticky /0{51}/y match it replaced.
  if (!hex.startsWith(ZEROS_51, at)) return -1;
  let n = 0;
  for (let i = at + 51; i < at + 64; i++) {
    const c = hex.charCodeAt(i) | 32;
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (digit < 0) throw new EventLayoutError(`not a hex digit: ${hex[i]}`);
    n = n * 16 + digit;
  }
  return n;
}

/** Adds an address to an event's accounts once (an event names a handful: a list beats a set). */
export function addAccount(accounts: string[], a: string): void {
  if (!accounts.includes(a)) accounts.push(a);
}

function bytesAt(hex: string, at: number, length: number): string {
  if (at + length * 2 > hex.length) throw new EventLayoutError(`the log's data ends inside a ${length}-byte value`);
  return hex.slice(at, at + length * 2);
}

/** The stored form of a string value: what looks like an address is an address (decode.ts, `normalise`). */
function stored(value: string, accounts: string[]): string {
  if (value.length === 42 && value.startsWith("0x")) {
    const a = value.toLowerCase();
    if (a !== ZERO_ADDRESS) addAccount(accounts, a);
    return a;
  }
  return value;
}
