// Web3 Secret Storage v3 keystores (the encrypted JSON geth, clef and ethers write): scrypt or
// PBKDF2-HMAC-SHA256 derives a key from the password, its second half authenticates the ciphertext
// (keccak-256 MAC), its first half decrypts it with AES-128-CTR.
import { ctr } from "@noble/ciphers/aes.js";
import { equalBytes } from "@noble/ciphers/utils.js";
import { pbkdf2Async } from "@noble/hashes/pbkdf2.js";
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, getAddress, type Hex, hexToBytes, isAddressEqual } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { z } from "zod";

import { FatalChainError } from "./errors.ts";

/** A keystore that cannot be read, or a wrong password. Never carries the password or the key. */
export class KeystoreError extends FatalChainError {
  override name = "KeystoreError";
}

const hex = z
  .string()
  .regex(/^(0x)?([0-9a-fA-F]{2})+$/, "expected hex bytes")
  .transform((s) => hexToBytes((s.startsWith("0x") ? s : `0x${s}`) as Hex));

// Bounds keep a hostile or corrupt file from making the process allocate gigabytes or spin for hours.
const ScryptParams = z.object({
  n: z
    .int()
    .min(2)
    .max(2 ** 20)
    .refine((n) => (n & (n - 1)) === 0, "n must be a power of two"),
  r: z.int().min(1).max(32),
  p: z.int().min(1).max(16),
  dklen: z.int().min(32).max(64),
  salt: hex,
});
const Pbkdf2Params = z.object({
  c: z.int().min(1).max(10_000_000),
  prf: z.literal("hmac-sha256"),
  dklen: z.int().min(32).max(64),
  salt: hex,
});
const Crypto = z.discriminatedUnion("kdf", [
  z.object({ kdf: z.literal("scrypt"), kdfparams: ScryptParams, ...cipherFields() }),
  z.object({ kdf: z.literal("pbkdf2"), kdfparams: Pbkdf2Params, ...cipherFields() }),
]);
function cipherFields() {
  return {
    cipher: z.literal("aes-128-ctr"),
    cipherparams: z.object({ iv: hex.refine((b) => b.length === 16, "iv must be 16 bytes") }),
    ciphertext: hex.refine((b) => b.length === 32, "ciphertext must be a 32-byte private key"),
    mac: hex.refine((b) => b.length === 32, "mac must be 32 bytes"),
  };
}
const Keystore = z
  .object({
    version: z.literal(3),
    address: z.string().optional(),
    crypto: Crypto.optional(),
    // Old geth files spell it with a capital C.
    Crypto: Crypto.optional(),
  })
  .refine((k) => (k.crypto ?? k.Crypto) !== undefined, "missing crypto section");

export type DecryptKeystoreParameters = {
  /** The keystore file's text (a string) or its parsed JSON. */
  keystore: unknown;
  password: string;
};
export type DecryptKeystoreReturnType = { privateKey: Hex; address: `0x${string}` };

/**
 * Decrypts a v3 keystore; throws KeystoreError for a malformed file or a wrong password.
 *
 * @example
 * const { privateKey } = await decryptKeystore({ keystore: await readFile(path, "utf8"), password })
 */
export async function decryptKeystore({
  keystore,
  password,
}: DecryptKeystoreParameters): Promise<DecryptKeystoreReturnType> {
  let json: unknown = keystore;
  if (typeof keystore === "string") {
    try {
      json = JSON.parse(keystore);
    } catch {
      throw new KeystoreError("keystore is not JSON");
    }
  }
  const parsed = Keystore.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new KeystoreError("keystore is not a Web3 Secret Storage v3 file", { details: problems });
  }
  const crypto = (parsed.data.crypto ?? parsed.data.Crypto)!;

  // geth hashes the password's bytes as given, ethers normalises it to NFKC first; accept both.
  const candidates = [...new Set([password, password.normalize("NFKC")])];
  for (const candidate of candidates) {
    const derived = await deriveKey(crypto, new TextEncoder().encode(candidate));
    const mac = keccak_256(concat(derived.subarray(16, 32), crypto.ciphertext));
    if (!equalBytes(mac, crypto.mac)) continue;
    const privateKey = bytesToHex(ctr(derived.subarray(0, 16), crypto.cipherparams.iv).decrypt(crypto.ciphertext));
    const address = privateKeyToAddress(privateKey);
    const claimed = parsed.data.address;
    if (claimed !== undefined && !sameAddress(claimed, address)) {
      throw new KeystoreError("keystore decrypts to a different address than it names", {
        details: `names ${claimed}, key is ${address}`,
      });
    }
    return { privateKey, address };
  }
  throw new KeystoreError("wrong keystore password (MAC mismatch)");
}

async function deriveKey(crypto: z.output<typeof Crypto>, password: Uint8Array): Promise<Uint8Array> {
  if (crypto.kdf === "scrypt") {
    const { n, r, p, dklen, salt } = crypto.kdfparams;
    return scryptAsync(password, salt, { N: n, r, p, dkLen: dklen, maxmem: 2 ** 31 });
  }
  const { c, dklen, salt } = crypto.kdfparams;
  return pbkdf2Async(sha256, password, salt, { c, dkLen: dklen });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function sameAddress(claimed: string, actual: `0x${string}`): boolean {
  try {
    return isAddressEqual(getAddress(claimed.startsWith("0x") ? claimed : `0x${claimed}`), actual);
  } catch {
    return false;
  }
}
