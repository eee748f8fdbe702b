#!/usr/bin/env python3
"""The project's structural rules, checked by `make check` (docs/architecture.md states them).

  layers    each folder of ext/ includes only the folders below it (the table LAYERS); only
            ext/tables, ext/vtab and ext/sqlsof.c see the SQLite API; shell/ sees only
            ext/sqlsof.h of the extension
  cycles    no call cycle between files: the graph "A calls a function B defines", read from
            the objects' symbols with nm, has no cycle
  comments  a block comment that opens with a lone "/*" keeps "**" at the start of every line
  sizes     no C file of ext/ or shell/ is over MAX_LINES lines: one file, one job

Usage: structure.py CC CPPFLAGS... -- OBJECTS...
Prints one line per violation and exits 1 when there is any.
"""
import os
import re
import subprocess
import sys

# What each folder of ext/ may include, besides itself. Readers (all but tables and vtab)
# compile without the SQLite header.
LAYERS = {
    "util": set(),
    "proc": {"util"},
    "fd": {"util", "proc"},
    "diag": {"util"},
    "container": {"util", "proc"},
    "sock": {"util", "proc", "fd", "diag"},
    "vtab": {"util", "proc", "sqlite"},
    "tables": {"util", "proc", "fd", "diag", "container", "sock", "vtab", "sqlite"},
}

MAX_LINES = 500

problems = []


def sources(top, exts=(".c", ".h")):
    for root, _, files in os.walk(top):
        for f in sorted(files):
            if f.endswith(exts):
                yield os.path.join(root, f)


def included(cc, flags, path):
    """The headers PATH includes, directly or not, as the compiler resolves them."""
    out = subprocess.run(cc + flags + ["-M", "-MG", path], capture_output=True, text=True)
    if out.returncode != 0:
        problems.append(f"{path}: cannot list its headers: {out.stderr.strip()[:200]}")
        return []
    return out.stdout.replace("\\\n", " ").split(":", 1)[1].split()[1:]


def layerOf(header):
    if re.search(r"(^|/)sqlite3(ext)?\.h$", header):
        return "sqlite"
    m = re.match(r"(?:\./)?ext/([a-z_]+)/", header)
    return m.group(1) if m else None


def checkLayers(cc, flags):
    for folder, allowed in LAYERS.items():
        for path in sources(f"ext/{folder}", (".c",)):
            for h in included(cc, flags, path):
                layer = layerOf(h)
                if layer and layer != folder and layer not in allowed:
                    problems.append(f"{path}: includes {h} ({layer}), which {folder}/ may not")
    for path in sources("shell", (".c",)):
        for h in included(cc, flags + ["-Ishell"], path):
            if h.startswith("ext/") and h != "ext/sqlsof.h":
                problems.append(f"{path}: includes {h}: the command sees only ext/sqlsof.h")


def checkCycles(objects):
    defined, uses = {}, {}  # functions only: a call graph (sqlite3_api is data)
    for path in objects:
        name = path[:-2]
        out = subprocess.run(["nm", path], capture_output=True, text=True, check=True).stdout
        uses[name] = set()
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "U":
                uses[name].add(parts[1])
            elif len(parts) == 3 and parts[1] == "T":
                defined[parts[2]] = name
    graph = {f: {defined[s] for s in syms if s in defined and defined[s] != f}
             for f, syms in uses.items()}
    # Tarjan's strongly connected components: any with two files or more is a cycle.
    index, low, stack, onStack, counter = {}, {}, [], set(), [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        onStack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in onStack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                onStack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                problems.append("call cycle between files: " + " ".join(sorted(group)))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)


def checkComments():
    for top in ("ext", "shell", "tests"):
        for path in sources(top):
            inBlock = False
            with open(path, encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    s = line.strip()
                    if not inBlock:
                        inBlock = s == "/*"
                        continue
                    if s.startswith("*/"):
                        inBlock = False
                        continue
                    if not s.startswith("**"):
                        problems.append(f"{path}:{n}: comment line without its '**': {s[:60]}")
                    if s.endswith("*/"):
                        inBlock = False


def checkSizes():
    for top in ("ext", "shell"):
        for path in sources(top, (".c",)):
            with open(path, encoding="utf-8", errors="replace") as f:
                n = sum(1 for _ in f)
            if n > MAX_LINES:
                problems.append(f"{path}: {n} lines, over {MAX_LINES}: split it by what it does")


def main():
    args = sys.argv[1:]
    sep = args.index("--")
    cc, flags, objects = args[:1], args[1:sep], args[sep + 1:]
    checkLayers(cc, flags)
    checkCycles(objects)
    checkComments()
    checkSizes()
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
