const Database = require("better-sqlite3");

const db = new Database(":memory:");
db.loadExtension(process.argv[2]); // e.g. /usr/local/lib/sqlsof
const query = db.prepare(require("fs").readFileSync(0, "utf8")).raw().safeIntegers();
for (const row of query.iterate()) {
  console.log(row.map((v) => (v === null ? "" : String(v))).join("|"));
}
