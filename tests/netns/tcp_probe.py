#!/usr/bin/python3
"""One TCP connection's initial windows, read from the kernel (TCP_INFO).

  tcp_probe.py serve ADDR PORT READY_FILE [--hold] [--size N] [--bind ADDR]
      accept one connection; print the server's cwnd and the window the
      client advertised (snd_wnd) before any data; read the client's one
      request byte; with --hold, drop every packet from the client (an nft
      rule in this namespace: its ACKs never return), send N bytes (64 kB)
      without blocking and wait for the first retransmission timeout: then
      every segment the first flight could send has gone, and tcpi_unacked
      is the number of data segments sent before any ACK returned. The rule
      goes, the rest of the response follows, the connection closes.
      --bind: listen there instead (:: is dual-stack: IPv4 clients are
      IPv4-mapped IPv6 addresses to the accepted socket).
  tcp_probe.py connect ADDR PORT [--hold] [--size N]
      connect; print the client's cwnd and the SYN-ACK's window (snd_wnd:
      a SYN-ACK's window is never scaled) before any data; send one byte
      and read the response to its end. With --hold, the client is the
      sender: it drops every packet from the server, sends N bytes (64 kB)
      instead of the byte and reports its own first flight the same way.

  tcp_probe.py bulk-serve ADDR PORT READY_FILE SIZE
      accept one connection, send SIZE bytes, print the connection's cc
      and cwnd at the end
  tcp_probe.py bulk-recv ADDR PORT
      connect, read to the end, print the byte count

Prints one line of key=value. Waits on conditions, never on a fixed time
(the retransmission timeout is the kernel's, at least 200 ms)."""
import os
import socket
import struct
import subprocess
import sys
import time

TCP_INFO = 11


def cc(s):
    return s.getsockopt(socket.IPPROTO_TCP, 13, 16).split(b"\0")[0].decode()


def info(s):
    b = s.getsockopt(socket.IPPROTO_TCP, TCP_INFO, 232)
    return {
        "unacked": struct.unpack_from("I", b, 24)[0],
        "cwnd": struct.unpack_from("I", b, 80)[0],
        "total_retrans": struct.unpack_from("I", b, 100)[0],
        "snd_wnd": struct.unpack_from("I", b, 228)[0],
    }


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def nft(*args):
    subprocess.run(["nft"] + list(args), check=True)


def hold_and_send(c, local_port, peer, fam_name, size):
    """drop the peer's packets to local_port, send size bytes without
    blocking, wait for the first retransmission timeout: the first flight
    is tcpi_unacked then; the rest follows once the rule is gone"""
    nft("add", "table", "inet", "sl_hold")
    nft("add", "chain", "inet", "sl_hold", "in", "{ type filter hook input priority 0; }")
    nft("add", "rule", "inet", "sl_hold", "in", fam_name, "saddr", peer, "tcp", "dport", str(local_port), "drop")
    data = b"x" * size
    sent = c.send(data, socket.MSG_DONTWAIT)
    deadline = time.monotonic() + 20
    while info(c)["total_retrans"] == 0:
        if time.monotonic() > deadline:
            sys.exit("no retransmission within 20 s")
        time.sleep(0.01)
    flight = info(c)["unacked"]
    nft("delete", "table", "inet", "sl_hold")
    c.settimeout(20)
    c.sendall(data[sent:])
    return flight


def serve(addr, port, ready, hold, size):
    if addr == "::":
        ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    else:
        ls = socket.socket(family(addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(20)
    with open(ready, "w") as f:
        f.write("ready\n")
    c, peer = ls.accept()
    c.settimeout(20)
    first = info(c)
    out = "cwnd=%d peer_wnd=%d cc=%s" % (first["cwnd"], first["snd_wnd"], cc(c))
    c.recv(1)
    if hold:
        fam = "ip6" if family(peer[0]) == socket.AF_INET6 and not peer[0].startswith("::ffff:") else "ip"
        who = peer[0][7:] if peer[0].startswith("::ffff:") else peer[0]
        out += " flight=%d" % hold_and_send(c, port, who, fam, size)
    print(out, flush=True)
    c.shutdown(socket.SHUT_WR)
    while c.recv(4096):
        pass
    c.close()


def connect(addr, port, hold, size):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect((addr, port))
    i = info(s)
    out = "cwnd=%d peer_wnd=%d cc=%s" % (i["cwnd"], i["snd_wnd"], cc(s))
    if hold:
        # no byte before the hold: its ACK could come back first or not
        fam = "ip6" if family(addr) == socket.AF_INET6 else "ip"
        out += " flight=%d" % hold_and_send(s, s.getsockname()[1], addr, fam, size)
        s.shutdown(socket.SHUT_WR)
    else:
        s.send(b"?")
    print(out, flush=True)
    n = 0
    while True:
        b = s.recv(65536)
        if not b:
            break
        n += len(b)
    s.close()


def bulk_serve(addr, port, ready, size):
    ls = socket.socket(family(addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(20)
    with open(ready, "w") as f:
        f.write("ready\n")
    c, _ = ls.accept()
    c.settimeout(30)
    c.sendall(b"x" * size)
    print("cc=%s cwnd=%d" % (cc(c), info(c)["cwnd"]), flush=True)
    c.close()


def bulk_recv(addr, port):
    s = socket.create_connection((addr, port), timeout=30)
    n = 0
    while True:
        b = s.recv(65536)
        if not b:
            break
        n += len(b)
    print("bytes=%d" % n, flush=True)


def main():
    a = sys.argv[1:]
    if len(a) >= 4 and a[0] == "serve":
        size = int(a[a.index("--size") + 1]) if "--size" in a else 65536
        bind = a[a.index("--bind") + 1] if "--bind" in a else a[1]
        serve(bind, int(a[2]), a[3], "--hold" in a, size)
    elif len(a) >= 3 and a[0] == "connect":
        size = int(a[a.index("--size") + 1]) if "--size" in a else 65536
        connect(a[1], int(a[2]), "--hold" in a, size)
    elif len(a) == 5 and a[0] == "bulk-serve":
        bulk_serve(a[1], int(a[2]), a[3], int(a[4]))
    elif len(a) == 3 and a[0] == "bulk-recv":
        bulk_recv(a[1], int(a[2]))
    else:
        sys.exit(__doc__)


main()
