"""The benchmark's questions as psutil answers them (Debian's python3-psutil, /usr/bin/python3).

    psutil_q.py files          open regular files of every process (psutil lists no other kind)
    psutil_q.py listen         TCP listeners with their pids
    psutil_q.py tcp            every TCP socket with its pid
    psutil_q.py one PID FD     one descriptor of one process (regular files only)
    psutil_q.py port PORT      TCP sockets with PORT at either end, with their pids
"""
import sys

import psutil


def tcp(keep):
    for c in psutil.net_connections("tcp"):
        if keep(c):
            print(c.pid, c.fd, c.laddr, c.raddr, c.status)


def main(argv):
    q = argv[1]
    if q == "files":
        for p in psutil.process_iter():
            try:
                for f in p.open_files():
                    print(p.pid, f.fd, f.path, f.position, f.mode)
            except psutil.Error:
                pass
    elif q == "listen":
        tcp(lambda c: c.status == psutil.CONN_LISTEN)
    elif q == "tcp":
        tcp(lambda c: True)
    elif q == "one":
        fd = int(argv[3])
        for f in psutil.Process(int(argv[2])).open_files():
            if f.fd == fd:
                print(f.fd, f.path, f.position, f.mode)
    elif q == "port":
        port = int(argv[2])
        tcp(lambda c: (c.laddr and c.laddr.port == port) or (c.raddr and c.raddr.port == port))
    else:
        sys.exit("usage: psutil_q.py files|listen|tcp | one PID FD | port PORT")


main(sys.argv)
