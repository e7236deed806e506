#!/usr/bin/python3
"""Send IPv6 UDP datagrams with a chain of Destination Options headers,
as raw Ethernet frames on one interface (AF_PACKET, so they pass the
sender's tc egress like any frame).

  send_ip6_ext.py IFACE SRC_MAC DST_MAC SRC6 DST6 PORT NEXT_HEADERS COUNT [SRC4 DST4]

With SRC4 DST4, one plain IPv4 UDP datagram to PORT follows, a marker:
sent from the same CPU behind the others, once the receiver has counted
it, it has handled every frame before it too.

Prints "sent N refused R": R the frames the sender's own tc egress
dropped (the kernel answers those with ENOBUFS). The receiver's stack accepts any number of such headers, while sluice's
parser walks a bounded number: this makes the frames a parser gives up on
from traffic the kernel still delivers. Only Python's standard library."""
import errno
import socket
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(smac, dmac, src, dst, port, nexts, seq):
    payload = b"sluice-unparsed-%08d" % seq
    udp_len = 8 + len(payload)
    pseudo = src + dst + struct.pack("!IxxxB", udp_len, socket.IPPROTO_UDP)
    udp = struct.pack("!HHHH", 40000 + seq % 1000, port, udp_len, 0) + payload
    csum = checksum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", csum) + udp[8:]
    # each header: next header, length 0 (8 bytes), PadN of 4 bytes
    ext = b""
    for i in range(nexts):
        nh = socket.IPPROTO_UDP if i == nexts - 1 else 60
        ext += struct.pack("!BBBB4x", nh, 0, 1, 4)
    first = 60 if nexts else socket.IPPROTO_UDP
    ip6 = struct.pack("!IHBB", 6 << 28, len(ext) + udp_len, first, 64) + src + dst
    return dmac + smac + struct.pack("!H", 0x86DD) + ip6 + ext + udp


def marker(smac, dmac, src, dst, port):
    udp = struct.pack("!HHHH", 40000, port, 8, 0)  # no checksum: allowed in IPv4
    ip4 = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0x4000, 64, socket.IPPROTO_UDP, 0, src, dst)
    ip4 = ip4[:10] + struct.pack("!H", checksum(ip4)) + ip4[12:]
    return dmac + smac + struct.pack("!H", 0x0800) + ip4 + udp


def main(argv):
    if len(argv) not in (9, 11):
        sys.exit(__doc__)
    iface, smac, dmac, src, dst, port, nexts, count = argv[1:9]
    mac = lambda m: bytes.fromhex(m.replace(":", ""))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    a, b = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
    refused = 0
    for seq in range(int(count)):
        try:
            s.send(frame(mac(smac), mac(dmac), a, b, int(port), int(nexts), seq))
        except OSError as e:
            # a drop in the sender's own tc egress comes back as ENOBUFS
            if e.errno != errno.ENOBUFS:
                raise
            refused += 1
    if len(argv) == 11:
        s.send(marker(mac(smac), mac(dmac), socket.inet_aton(argv[9]), socket.inet_aton(argv[10]), int(port)))
    print("sent %s refused %d" % (count, refused))


if __name__ == "__main__":
    main(sys.argv)
