// The account that signs settlements, from a raw key in the environment or an encrypted keystore.
import { readFile } from "node:fs/promises";

import type { LocalAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { decryptKeystore, KeystoreError } from "../chain/keystore.ts";
import type { MatcherKeySource } from "./config.ts";

/**
 * @example
 * const account = await loadMatcherAccount({ kind: "keystore", file: "/run/secrets/matcher.json", password })
 */
export async function loadMatcherAccount(key: MatcherKeySource): Promise<LocalAccount> {
  if (key.kind === "private-key") return privateKeyToAccount(key.privateKey);
  let text: string;
  try {
    text = await readFile(key.file, "utf8");
  } catch (err) {
    throw new KeystoreError(`cannot read keystore ${key.file}`, {
      details: (err as NodeJS.ErrnoException).code,
      cause: err,
    });
  }
  const { privateKey } = await decryptKeystore({ keystore: text, password: key.password });
  return privateKeyToAccount(privateKey);
}
