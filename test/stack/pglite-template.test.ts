// The prestart build's empty PGlite cluster (stack/pglite-template.ts): a fresh database named
// PGLITE_TEMPLATE starts as a copy of it instead of running initdb, and one that exists is left as it is.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { PGlite } from "@electric-sql/pglite";

import { openDatabase } from "../../indexer/db/driver.ts";

describe("the PGlite template", () => {
  let dir: string;
  let template: string;
  const saved = process.env.PGLITE_TEMPLATE;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ccex-pglite-template-"));
    // A marked cluster: a database copied from it has the mark, one made by initdb has not.
    const marked = await PGlite.create();
    await marked.exec("CREATE TABLE made_from_template (mark text); INSERT INTO made_from_template VALUES ('yes');");
    template = path.join(dir, "template.tar");
    await writeFile(template, Buffer.from(await (await marked.dumpDataDir("none")).arrayBuffer()));
    await marked.close();
  });
  after(async () => {
    if (saved === undefined) delete process.env.PGLITE_TEMPLATE;
    else process.env.PGLITE_TEMPLATE = saved;
    await rm(dir, { recursive: true, force: true });
  });

  const marks = async (dataDir: string) => {
    const db = await openDatabase({ kind: "pglite", dataDir });
    try {
      return await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'made_from_template'",
      );
    } finally {
      await db.close();
    }
  };

  it("starts a fresh database as a copy of the template, and keeps what it then holds", async () => {
    process.env.PGLITE_TEMPLATE = template;
    const dataDir = path.join(dir, "fresh");
    assert.deepEqual(await marks(dataDir), [{ n: 1 }]);
    const db = await openDatabase({ kind: "pglite", dataDir });
    await db.exec("DROP TABLE made_from_template");
    await db.close();
    // Opened again, it is the database it became, not a new copy.
    assert.deepEqual(await marks(dataDir), [{ n: 0 }]);
  });

  it("runs initdb when no template is named or the file is missing", async () => {
    process.env.PGLITE_TEMPLATE = path.join(dir, "missing.tar");
    assert.deepEqual(await marks(path.join(dir, "no-file")), [{ n: 0 }]);
    delete process.env.PGLITE_TEMPLATE;
    assert.deepEqual(await marks(path.join(dir, "unnamed")), [{ n: 0 }]);
  });
});
