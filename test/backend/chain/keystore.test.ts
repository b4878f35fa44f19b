// The matcher key's keystore decryption, against keystores written by two independent encoders:
// ethers (scrypt) and Node's own crypto (PBKDF2), created here with throwaway keys.
import assert from "node:assert/strict";
import { createCipheriv, pbkdf2Sync, randomBytes } from "node:crypto";
import { describe, it } from "node:test";

import { encryptKeystoreJson } from "ethers";
import { bytesToHex, keccak256 } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";

import { decryptKeystore, KeystoreError } from "../../../backend/chain/keystore.ts";

function pbkdf2Keystore(privateKey: `0x${string}`, password: string, c = 1_000) {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const derived = pbkdf2Sync(Buffer.from(password, "utf8"), salt, c, 32, "sha256");
  const cipher = createCipheriv("aes-128-ctr", derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(Buffer.from(privateKey.slice(2), "hex")), cipher.final()]);
  const mac = keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext]));
  return {
    version: 3,
    id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
    address: privateKeyToAddress(privateKey).slice(2).toLowerCase(),
    crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: iv.toString("hex") },
      ciphertext: ciphertext.toString("hex"),
      kdf: "pbkdf2",
      kdfparams: { c, dklen: 32, prf: "hmac-sha256", salt: salt.toString("hex") },
      mac: mac.slice(2),
    },
  };
}

describe("decryptKeystore", () => {
  it("recovers the key of a scrypt keystore written by ethers", async () => {
    const privateKey = generatePrivateKey();
    const address = privateKeyToAddress(privateKey);
    const json = await encryptKeystoreJson({ address, privateKey }, "correct horse", { scrypt: { N: 1 << 10 } });

    const result = await decryptKeystore({ keystore: json, password: "correct horse" });

    assert.equal(result.privateKey, privateKey);
    assert.equal(result.address, address);
  });

  it("recovers the key of a PBKDF2 keystore", async () => {
    const privateKey = generatePrivateKey();
    const result = await decryptKeystore({ keystore: pbkdf2Keystore(privateKey, "pässwörd"), password: "pässwörd" });
    assert.equal(result.privateKey, privateKey);
  });

  it("rejects a wrong password without revealing anything", async () => {
    const privateKey = generatePrivateKey();
    const keystore = pbkdf2Keystore(privateKey, "right");
    await assert.rejects(decryptKeystore({ keystore, password: "wrong" }), (err: unknown) => {
      assert.ok(err instanceof KeystoreError);
      assert.match(err.message, /wrong keystore password/);
      assert.doesNotMatch(err.message, new RegExp(privateKey.slice(2, 12)));
      assert.equal(err.retryable, false);
      return true;
    });
  });

  it("rejects a keystore whose address does not match its key", async () => {
    const keystore = pbkdf2Keystore(generatePrivateKey(), "pw");
    keystore.address = privateKeyToAddress(generatePrivateKey()).slice(2);
    await assert.rejects(decryptKeystore({ keystore, password: "pw" }), /different address/);
  });

  it("names what is wrong with a malformed keystore", async () => {
    const keystore = pbkdf2Keystore(generatePrivateKey(), "pw");
    const tampered = { ...keystore, crypto: { ...keystore.crypto, cipher: "aes-256-gcm" } };
    await assert.rejects(decryptKeystore({ keystore: tampered, password: "pw" }), /crypto\.cipher/);
    await assert.rejects(decryptKeystore({ keystore: "{not json", password: "pw" }), /not JSON/);
    const huge = {
      ...keystore,
      crypto: {
        ...keystore.crypto,
        kdf: "scrypt",
        kdfparams: { n: 2 ** 30, r: 8, p: 1, dklen: 32, salt: bytesToHex(randomBytes(32)) },
      },
    };
    await assert.rejects(decryptKeystore({ keystore: huge, password: "pw" }), /kdfparams\.n/);
  });
});
