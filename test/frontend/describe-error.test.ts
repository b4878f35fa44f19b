import { readFileSync } from "node:fs";
import i18next, { type TFunction } from "i18next";
import {
  BaseError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  UserRejectedRequestError,
} from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { CUSTOM_ERRORS, decodeContractError, describeError } from "../../frontend/src/lib/tx/describe-error.ts";
import { greenCertificatesAbi, marketAbi } from "../../protocol/generated/abis.ts";
import { repoFile } from "./paths.ts";

const texts = (lang: string) => JSON.parse(readFileSync(repoFile("frontend/src/i18n", lang, "errors.json"), "utf8"));

let en: TFunction;
let zh: TFunction;
beforeAll(async () => {
  const make = async (lng: string) => {
    const instance = i18next.createInstance();
    await instance.init({ lng, resources: { [lng]: { errors: texts(lng) } }, interpolation: { escapeValue: false } });
    return instance.t;
  };
  en = await make("en");
  zh = await make("zh-CN");
});

/** What viem throws when a simulated call reverts with `data`. */
function revert(abi: typeof marketAbi | typeof greenCertificatesAbi, data: `0x${string}`, functionName: string) {
  const cause = new ContractFunctionRevertedError({ abi, data, functionName });
  return new ContractFunctionExecutionError(cause, { abi, functionName, args: [] });
}

describe("describeError", () => {
  it("has a sentence for every custom error of every deployed contract, in both languages", () => {
    const missing = ["en", "zh-CN"].flatMap((lang) =>
      CUSTOM_ERRORS.filter((e) => !texts(lang).contract?.[e.name]?.trim()).map((e) => `${lang}:${e.name}`),
    );
    expect(missing).toEqual([]);
    expect(CUSTOM_ERRORS.length).toBeGreaterThan(60);
  });

  it("uses every argument of the exchange's own errors in their sentences", () => {
    // OpenZeppelin's signature internals (a signature's s value) mean nothing to a person; CCEX's own errors carry only explaining values.
    for (const error of CUSTOM_ERRORS.filter((e) => /^(Market|Certificates|Credits|SettlementToken)/.test(e.name))) {
      for (const lang of ["en", "zh-CN"]) {
        const sentence: string = texts(lang).contract[error.name];
        for (const input of error.inputs)
          expect(sentence, `${lang}:${error.name}.${input.name}`).toContain(`{{${input.name}}}`);
      }
    }
  });

  it("decodes an encoded MarketInvalidWindow revert and says it with the times as dates", () => {
    const data = encodeErrorResult({
      abi: marketAbi,
      errorName: "MarketInvalidWindow",
      args: [1_900_000_000, 1_899_996_400],
    });
    const error = revert(marketAbi, data, "postBid");
    expect(decodeContractError(error)).toEqual({
      name: "MarketInvalidWindow",
      args: { windowStart: 1_900_000_000, windowEnd: 1_899_996_400 },
    });
    const text = describeError(error, en, { locale: "en" });
    expect(text).toMatch(/^The window must start before it ends \(start .*2030.*, end .*2030.*\)\.$/);
    expect(describeError(error, zh, { locale: "zh-CN" })).toMatch(
      /^时段的开始须早于结束（开始 2030.*，结束 2030.*）。$/,
    );
  });

  it("shows certificate amounts in energy units, hours as times and device states in words", () => {
    const exceeds = encodeErrorResult({
      abi: greenCertificatesAbi,
      errorName: "CertificatesExceedsCapacity",
      args: [3n, 1_900_000_800, 2_500_000n, 2_000_000n],
    });
    expect(describeError(revert(greenCertificatesAbi, exceeds, "issue"), en, { locale: "en" })).toMatch(
      /^Device 3 cannot have generated 2\.5 MWh in the hour from .*2030.*: its capacity allows at most 2 MWh\.$/,
    );
    const offered = encodeErrorResult({
      abi: marketAbi,
      errorName: "MarketHourOverCapacity",
      args: [3n, 1_900_000_800, 2_500_000n, 2_000_000n],
    });
    expect(describeError(revert(marketAbi, offered, "postEnergyOffer"), en, { locale: "en" })).toMatch(
      /^Device 3 would have 2\.5 MWh on offer for the hour from .*2030.*, more than it can generate in an hour \(2 MWh\)\.$/,
    );
    const offHour = encodeErrorResult({ abi: marketAbi, errorName: "MarketTimeNotOnHour", args: [1_900_000_860] });
    expect(describeError(revert(marketAbi, offHour, "postBid"), zh, { locale: "zh-CN" })).toMatch(
      /^2030.* 不是整点：时段、任务和绿证均以整小时计。$/,
    );
    const status = encodeErrorResult({
      abi: greenCertificatesAbi,
      errorName: "CertificatesInvalidDeviceStatus",
      args: [7n, 1, 2],
    });
    expect(describeError(revert(greenCertificatesAbi, status, "issue"), en, { locale: "en" })).toBe(
      "Device 7 is pending approval; this needs it approved.",
    );
  });

  it("decodes raw revert data a wallet reports in its own error shape", () => {
    const data = encodeErrorResult({ abi: marketAbi, errorName: "MarketOrderNotOpen", args: [0, 12n] });
    const walletError = new BaseError("execution reverted", {
      cause: Object.assign(new Error("reverted"), { data }) as unknown as BaseError,
    });
    expect(describeError(walletError, en, { locale: "en" })).toBe("Bid 12 is no longer open (filled or cancelled).");
  });

  it("says when the person declined in the wallet", () => {
    expect(describeError(new UserRejectedRequestError(new Error("denied")), en, { locale: "en" })).toBe(
      "You declined the request in your wallet.",
    );
  });
});
