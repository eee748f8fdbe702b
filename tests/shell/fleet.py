#!/usr/bin/env python3
"""A fleet of three simulated hosts, scraped by a real Prometheus (tests/shell/test_fleet.c).

    fleet.py SQLSOF LISTENER_HOST

Each host is a pid + network + mount namespace (unshare) whose loop runs `SQLSOF --prom-dir`
into the host's own textfile directory; a prometheus-node-exporter per host, in the host
namespace on its own 127.0.0.1 port, serves that directory; a Prometheus with its own config
and storage scrapes the three every second. LISTENER_HOST also runs a listener on 3306, named
mysqld. Prints what Prometheus answers, one fact per line, for the C test to check:

    up: 3
    before: host-b=1
    listener: host=host-b protocol=tcp address=0.0.0.0 port=3306 process=mysqld user=root
    processes host-a: sh,sleep,sqlsof
    promtool: ok
    after: (none)

Bounds its own time (DEADLINE) and stops every process it started, by pid, also on failure.
Only 127.0.0.1 and the namespaces it made carry traffic.
"""
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

DEADLINE = time.monotonic() + 80
HOSTS = ["host-a", "host-b", "host-c"]

# The host's loop: loopback up, a private /run/netns (so no other namespace of the machine is
# listed), the listener if asked, then the collector every half second. Touching ../stop ends
# the listener; ../stopped appears once the collector has run after it exited.
HOST_SH = r"""
base=$1 sqlsof=$2 listen=$3
ip link set lo up
[ -d /run/netns ] && mount -t tmpfs none /run/netns
L=
if [ "$listen" = 1 ]; then
    python3 -c '
import ctypes, signal, socket
ctypes.CDLL(None).prctl(15, b"mysqld", 0, 0, 0)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 3306))
s.listen()
signal.pause()' &
    L=$!
fi
while :; do
    if [ -n "$L" ] && [ -e "$base/stop" ]; then
        kill "$L"; wait "$L"; L=
        "$sqlsof" --prom-dir "$base/textfile" 2>>"$base/collector.err" && touch "$base/stopped"
    fi
    "$sqlsof" --prom-dir "$base/textfile" 2>>"$base/collector.err"
    sleep 0.5
done
"""

procs = []


def fail(msg):
    raise SystemExit("fleet: " + msg)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def die_with_parent():
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: even if we are killed


def start(argv, log):
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                         preexec_fn=die_with_parent)
    procs.append(p)
    return p


def stop_all():
    for p in procs:
        if p.poll() is None:
            p.kill()  # unshare --kill-child takes the namespace's processes with it
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


def query(port, promql):
    url = "http://127.0.0.1:%d/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": promql}))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as r:
            body = json.load(r)
    except OSError:
        return None  # not up yet
    if body.get("status") != "success":
        fail("query %s: %s" % (promql, body))
    return body["data"]["result"]


def wait_for(what, port, promql, done):
    """Polls PROMQL until DONE(result) holds; fails at the deadline."""
    while time.monotonic() < DEADLINE:
        for p in procs:
            if p.poll() is not None:
                fail("%s exited with %s while waiting for %s" % (p.args[0], p.returncode, what))
        result = query(port, promql)
        if result is not None and done(result):
            return result
        time.sleep(0.3)
    fail("timed out waiting for %s; last answer: %s" % (what, query(port, promql)))


def by_host(result):
    return ",".join(sorted("%s=%s" % (r["metric"].get("host"), r["value"][1]) for r in result))


def main():
    sqlsof, listener = os.path.abspath(sys.argv[1]), sys.argv[2]
    work = tempfile.mkdtemp(prefix="sqlsof-fleet-")
    log = open(os.path.join(work, "log"), "w")
    started = time.monotonic()
    try:
        targets = []
        for host in HOSTS:
            base = os.path.join(work, host)
            os.makedirs(os.path.join(base, "textfile"))
            port = free_port()
            start(["prometheus-node-exporter", "--web.listen-address=127.0.0.1:%d" % port,
                   "--collector.disable-defaults", "--collector.textfile",
                   "--collector.textfile.directory=" + os.path.join(base, "textfile")], log)
            start(["unshare", "--fork", "--pid", "--mount-proc", "--net", "--kill-child",
                   "sh", "-c", HOST_SH, "host", base, sqlsof, "1" if host == listener else "0"],
                  log)
            targets.append((host, port))

        prom_port = free_port()
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}\n"
                    "scrape_configs:\n  - job_name: sqlsof\n    static_configs:\n")
            for host, port in targets:
                f.write("      - targets: ['127.0.0.1:%d']\n        labels: {host: %s}\n"
                        % (port, host))
        start(["prometheus", "--config.file=" + config, "--log.level=warn",
               "--storage.tsdb.path=" + os.path.join(work, "tsdb"),
               "--web.listen-address=127.0.0.1:%d" % prom_port], log)

        up = wait_for("three targets up", prom_port, "sum(up)",
                      lambda r: r and float(r[0]["value"][1]) == 3)
        print("up: %d" % float(up[0]["value"][1]))
        before = wait_for("the 3306 listener", prom_port,
                          'count by (host) (sqlsof_listening_socket_info{port="3306"})',
                          lambda r: len(r) > 0)
        print("before: " + by_host(before))
        for r in before:
            full = query(prom_port, 'sqlsof_listening_socket_info{port="3306",host="%s"}'
                         % r["metric"]["host"])
            for x in full:
                labels = x["metric"]
                print("listener: " + " ".join("%s=%s" % (k, labels[k]) for k in (
                    "host", "protocol", "address", "port", "process", "user")))
        names = wait_for("every host's processes", prom_port,
                         "count by (host, process) (sqlsof_process_open_fds)",
                         lambda r: len({x["metric"]["host"] for x in r}) == 3)
        for host in HOSTS:
            print("processes %s: %s" % (host, ",".join(sorted(
                x["metric"]["process"] for x in names if x["metric"]["host"] == host))))

        check = subprocess.run(["promtool", "check", "metrics"], capture_output=True, text=True,
                               stdin=open(os.path.join(work, listener, "textfile",
                                                       "sqlsof.prom")))
        print("promtool: " + ("ok" if check.returncode == 0 else check.stdout + check.stderr))

        open(os.path.join(work, listener, "stop"), "w").close()
        while not os.path.exists(os.path.join(work, listener, "stopped")):
            if time.monotonic() > DEADLINE:
                fail("the collector did not run after the listener exited")
            time.sleep(0.2)
        after = wait_for("the series to go", prom_port,
                         'count by (host) (sqlsof_listening_socket_info{port="3306"})',
                         lambda r: len(r) == 0)
        print("after: " + (by_host(after) or "(none)"))
        for host in HOSTS:
            with open(os.path.join(work, host, "collector.err"), "a+") as f:
                f.seek(0)
                err = f.read()
            if err:
                fail("%s's collector said: %s" % (host, err))
        print("seconds: %.1f" % (time.monotonic() - started))
    except BaseException:
        log.flush()
        with open(os.path.join(work, "log")) as f:
            sys.stderr.write(f.read()[-3000:])
        raise
    finally:
        stop_all()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    # A SIGTERM (the test's timeout) unwinds through the finally above.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("fleet: terminated"))
    main()
