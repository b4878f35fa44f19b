// What the stack tells a browser about itself at `GET /config.json`: where the chain, the
// GraphQL and the API are, what is deployed, and (on a local chain only) the demo accounts.
//
//   const config = parseStackConfig(await (await fetch("/config.json")).json());
//
// Browser-safe. URLs may be relative to the page's origin ("/rpc") or absolute.
import { z } from "zod";

import { DEMO_ROLES } from "./accounts.ts";
import { deploymentSchema } from "./deployment-schema.ts";

const hex = (bytes: number) => z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`));

export const stackConfigSchema = z.object({
  chainId: z.number().int().positive(),
  /** Human name of the chain ("CCEX local" on the dev node). */
  chainName: z.string().min(1),
  /** JSON-RPC for reads and for raw transactions signed in the page; "/rpc" when the stack proxies it. */
  rpcUrl: z.string().min(1),
  graphqlUrl: z.string().min(1),
  apiUrl: z.string().min(1),
  deployment: deploymentSchema,
  /** A dev chain whose keys are public: the page may offer demo accounts and the token faucet. */
  local: z.boolean(),
  /** Demo menu: one account per role on a local chain (seeded market or not), empty otherwise. Dev mnemonic keys, play money only. */
  demoAccounts: z.array(z.object({ role: z.enum(DEMO_ROLES), address: hex(20), privateKey: hex(32) })),
  /** A block explorer's transaction page with `{hash}`, or null: the web market then shows its own /tx/<hash> page. */
  explorerTxUrl: z.string().nullable(),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;

export function parseStackConfig(json: unknown): StackConfig {
  const result = stackConfigSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new Error(`/config.json is not a CCEX stack config: ${problems}`);
  }
  return result.data;
}
