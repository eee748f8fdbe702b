import sqlite3, sys

db = sqlite3.connect(":memory:")
db.enable_load_extension(True)
db.load_extension(sys.argv[1])  # e.g. /usr/local/lib/sqlsof
db.enable_load_extension(False)
for row in db.execute(sys.stdin.read()):
    print("|".join("" if v is None else str(v) for v in row))
