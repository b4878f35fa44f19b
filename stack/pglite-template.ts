// An empty PGlite cluster, made once by the prestart build (stack/build.ts) beside the contracts and
// the page. On a first start the indexer and the metering service each create a fresh database;
// copying this cluster saves each of them initdb in WebAssembly, seconds of CPU and disk while the
// demo seeds its history (docs/operations.md, "`npm start`"). The stack hands the file to both as
// PGLITE_TEMPLATE; it is named after the PGlite version, so a cluster of another version is never used.
//
//   node stack/pglite-template.ts          writes cache/pglite-template-<version>.tar
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const VERSION = (
  JSON.parse(readFileSync(path.join(ROOT, "node_modules", "@electric-sql", "pglite", "package.json"), "utf8")) as {
    version: string;
  }
).version;

/** Where the build leaves the empty cluster of the installed PGlite. */
export const PGLITE_TEMPLATE = path.join(ROOT, "cache", `pglite-template-${VERSION}.tar`);

if (import.meta.main) {
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create();
  const dump = await db.dumpDataDir("none");
  await db.close();
  mkdirSync(path.dirname(PGLITE_TEMPLATE), { recursive: true });
  // Written aside and renamed: a service starting meanwhile reads the old file or the new one.
  const temporary = `${PGLITE_TEMPLATE}.${process.pid}.tmp`;
  writeFileSync(temporary, Buffer.from(await dump.arrayBuffer()));
  renameSync(temporary, PGLITE_TEMPLATE);
  console.log(`wrote ${path.relative(ROOT, PGLITE_TEMPLATE)} (an empty PGlite cluster)`);
}
