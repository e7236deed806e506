#!/usr/bin/python3
"""Send policy probes with real sockets (tests/netns/test_send_policy.sh).

  batch PORT ADDR...   one sendmmsg(2) of one message per ADDR (to PORT);
                       after a short return or an error, the next call
                       starts at the first message not sent, past a refused
                       one, as an application would. Prints each call's
                       result: {"calls": [[returned, errno name], ...]}
  echo PORT N          answer N datagrams on PORT (any address) to their
                       sender, then exit; prints "ready" once bound
  ask ADDR PORT MODE   one datagram to ADDR:PORT and its answer, with an
                       unconnected socket (MODE sendto) or a connected one
                       (MODE connect); prints the answer's source address
                       as recvfrom gives it, and for connect the peer as
                       getpeername gives it: {"from": "ADDR:PORT", "peer": ...}

Python has no sendmmsg: it is called through ctypes, so the return values
are the kernel's, not a library's.
"""
import ctypes
import errno
import json
import socket
import sys

libc = ctypes.CDLL(None, use_errno=True)


class Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class Msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
                ("iov", ctypes.POINTER(Iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


class Mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", Msghdr), ("len", ctypes.c_uint)]


def sockaddr(family, addr, port):
    """the struct sockaddr bytes of addr:port"""
    if family == socket.AF_INET:
        return (socket.AF_INET.to_bytes(2, "little") + port.to_bytes(2, "big") +
                socket.inet_pton(family, addr) + bytes(8))
    return (socket.AF_INET6.to_bytes(2, "little") + port.to_bytes(2, "big") + bytes(4) +
            socket.inet_pton(family, addr) + bytes(4))


def batch(port, addrs):
    family = socket.AF_INET6 if ":" in addrs[0] else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    n = len(addrs)
    names = [ctypes.create_string_buffer(sockaddr(family, a, port)) for a in addrs]
    payload = ctypes.create_string_buffer(b"x" * 32)
    iovs = (Iovec * n)()
    msgs = (Mmsghdr * n)()
    for i in range(n):
        iovs[i].base = ctypes.cast(payload, ctypes.c_void_p)
        iovs[i].len = 32
        msgs[i].hdr.name = ctypes.cast(names[i], ctypes.c_void_p)
        msgs[i].hdr.namelen = len(names[i].raw) - 1
        msgs[i].hdr.iov = ctypes.pointer(iovs[i])
        msgs[i].hdr.iovlen = 1
    calls, at = [], 0
    while at < n:
        ret = libc.sendmmsg(sock.fileno(), ctypes.byref(msgs, at * ctypes.sizeof(Mmsghdr)),
                            n - at, 0)
        if ret < 0:
            calls.append([ret, errno.errorcode.get(ctypes.get_errno(), "?")])
            at += 1  # past the refused message
        else:
            calls.append([ret, ""])
            at += ret
    print(json.dumps({"calls": calls}))


def echo(port, count):
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::", port))
    print("ready", flush=True)
    for _ in range(count):
        data, peer = sock.recvfrom(2048)
        sock.sendto(data, peer)


def ask(addr, port, mode):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.settimeout(10)
    if mode == "connect":
        sock.connect((addr, port))
        sock.send(b"ping")
    else:
        sock.sendto(b"ping", (addr, port))
    _, peer = sock.recvfrom(2048)
    out = {"from": name_of(family, peer)}
    if mode == "connect":
        out["peer"] = name_of(family, sock.getpeername())
    print(json.dumps(out))


def name_of(family, addr):
    return "%s:%d" % (addr[0], addr[1]) if family == socket.AF_INET else "[%s]:%d" % (addr[0], addr[1])


def main():
    cmd = sys.argv[1]
    if cmd == "batch":
        batch(int(sys.argv[2]), sys.argv[3:])
    elif cmd == "echo":
        echo(int(sys.argv[2]), int(sys.argv[3]))
    elif cmd == "ask":
        ask(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit("usage: send_batch.py batch|echo|ask ...")


if __name__ == "__main__":
    main()
