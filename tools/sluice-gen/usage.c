/* --help and --version text. The help is the reference for what the
 * summary numbers mean, so keep it in step with send.c, sink.c, stats.c.
 */
#include "gen.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "unknown"
#endif

static const char top_help[] =
"usage: sluice-gen send --dst ADDR --port N [options]   generate UDP traffic\n"
"       sluice-gen sink --port N [options]              count UDP traffic\n"
"       sluice-gen xdp --dev DEV --src A --dst A --port N [options]\n"
"                                                       UDP at line rate (XDP)\n"
"       sluice-gen --help | send --help | sink --help | xdp --help | --version\n"
"\n"
"Both print a one-line summary when done (or one JSON object with --json):\n"
"packets, bytes (UDP payload), seconds, pps, bps (UDP payload bits per\n"
"second), errors.\n"
"\n"
"Exit status: 0 success, 1 runtime failure (socket, bind, send),\n"
"2 bad command line (xdp: also a kernel without XDP live frames).\n";

static const char send_help[] =
"usage: sluice-gen send --dst ADDR --port N [--size B] [--batch N] [--gso SEG]\n"
"                       [--rate PPS] [--count N | --duration S] [--src ADDR]\n"
"                       [--sport-range A-B] [--cpu N] [--json]\n"
"\n"
"Send UDP datagrams to ADDR:N (IPv4 or IPv6, unicast or multicast) with\n"
"sendmmsg(2), without connect(2).\n"
"\n"
"  --dst ADDR         destination address; a scope may follow IPv6 (fe80::1%eth0)\n"
"                     multicast: loopback on, TTL/hop limit 1. A list A,B,...\n"
"                     (one family, at most 16): message k of each batch goes\n"
"                     to the k-th, round-robin; counts per destination\n"
"  --port N           destination port, 1..65535\n"
"  --size B           UDP payload bytes per message, 1..65507 (default 64)\n"
"  --batch N          messages per sendmmsg call, 1..1024 (default 64);\n"
"                     1 uses plain sendmsg, one syscall per message\n"
"  --gso SEG          UDP GSO: each message is a --size byte buffer that the\n"
"                     kernel cuts into SEG-byte datagrams (UDP_SEGMENT). Packets\n"
"                     are counted as datagrams on the wire: ceil(size/SEG) per\n"
"                     message; --count, --rate and pps all use that unit\n"
"  --rate PPS         pace to PPS packets per second (0 = as fast as possible);\n"
"                     paced per batch against absolute CLOCK_MONOTONIC\n"
"                     deadlines, so each batch leaves as one burst\n"
"  --count N          stop after N packets (sent + errors)\n"
"  --duration S       stop after S seconds, decimals allowed (0.5)\n"
"                     without --count or --duration: run until SIGINT/SIGTERM\n"
"  --src ADDR         bind this source address; for a multicast --dst it also\n"
"                     selects the outgoing interface\n"
"  --sport-range A-B  source ports A..B, one socket per port (at most 1024),\n"
"                     used round-robin, one batch each\n"
"  --cpu N            pin the sending thread to CPU N\n"
"  --json             print the summary as one JSON object\n"
"\n"
"errors counts packets the kernel refused with ENOBUFS, EAGAIN,\n"
"ECONNREFUSED or EPERM (a policy denied that message: sendmmsg returns the\n"
"messages sent before it, the next call from it fails); the run goes on\n"
"past it. Any other send error stops it (exit 1).\n"
"JSON keys: mode, packets, bytes, seconds, pps, bps, errors, batch, gso,\n"
"size, rate, sockets; with a --dst list, destinations: [{dst, sent,\n"
"failed}]. bps = UDP payload bits per second.\n";

static const char sink_help[] =
"usage: sluice-gen sink --port N [--bind ADDR] [--duration S] [--count N]\n"
"                       [--rcvbuf B] [--ready-file PATH] [--batch N] [--no-gro]\n"
"                       [--json]\n"
"       sluice-gen sink --hold --port N [--bind ADDR] [--duration S]\n"
"                       [--rcvbuf B] [--ready-file PATH] [--json]\n"
"\n"
"Receive UDP datagrams with recvmmsg(2), 64 per call, with UDP_GRO on (a\n"
"message may hold several datagrams of one sender: its segment size says\n"
"how many), and count them, per source address too (JSON: sources: [{src,\n"
"packets}], the first 64 sources).\n"
"\n"
"  --port N           port to listen on, 1..65535\n"
"  --bind ADDR        local address (default :: with IPV6_V6ONLY off, which\n"
"                     receives IPv4 too; 0.0.0.0 if IPv6 is unavailable);\n"
"                     a multicast ADDR is joined and bound to\n"
"  --duration S       stop after S seconds, decimals allowed (0.5)\n"
"  --count N          stop after N packets (whichever of the two comes first)\n"
"                     with neither: run until SIGINT/SIGTERM\n"
"  --hold             bind, never read: once the receive buffer is full the\n"
"                     kernel drops every further datagram (UDP RcvbufErrors);\n"
"                     runs until --duration or SIGINT/SIGTERM, then reports\n"
"                     packets 0 and the drops; not with --count\n"
"  --rcvbuf B         SO_RCVBUF bytes, 1..2147483647 (default 4194304, with\n"
"                     --hold 4096); the kernel doubles it, raises it to its\n"
"                     minimum and caps it at net.core.rmem_max\n"
"  --ready-file PATH  create PATH (empty) once the socket is bound and any\n"
"                     group joined, so a script can wait for it instead of\n"
"                     sleeping; remove it before starting, it is not removed\n"
"                     at exit\n"
"  --batch N          messages per recvmmsg call, 1..64 (default 64); 1 uses\n"
"                     plain recvmsg, one syscall per message\n"
"  --no-gro           leave UDP_GRO off: every datagram is its own message\n"
"  --json             print the summary as one JSON object\n"
"\n"
"seconds, pps and bps cover first to last packet received, so idle time\n"
"before and after the traffic does not dilute the rate; wall_seconds (JSON)\n"
"is the whole run. drops are the socket's receive-queue overflows\n"
"(SO_MEMINFO SK_MEMINFO_DROPS).\n"
"JSON keys: mode, packets, bytes, seconds, pps, bps, errors, drops,\n"
"wall_seconds. bps = UDP payload bits per second.\n";

static const char xdp_help[] =
"usage: sluice-gen xdp --dev DEV --src RANGE --dst RANGE --port N[-M]\n"
"                      [--dst-mac MAC] [--sport-range A-B] [--size B] [--batch N]\n"
"                      [--rate PPS] [--count N | --duration S]\n"
"                      [--threads N | --cpu LIST] [--json]\n"
"\n"
"Transmit UDP frames out of DEV with BPF_PROG_RUN in live-frames mode\n"
"(BPF_F_TEST_XDP_LIVE_FRAMES, kernel 5.18): no socket, no skb. An XDP\n"
"program writes each frame's addresses, ports and checksums and returns\n"
"XDP_TX. A veth peer takes the frames only with an XDP program or GRO on.\n"
"\n"
"  --dev DEV          the device the frames leave\n"
"  --src RANGE        source addresses: A, A-B or A+N (N addresses from A);\n"
"                     only the low 32 bits may vary. Frame n of a thread has\n"
"                     the (n mod count)-th of each range\n"
"  --dst RANGE        destination addresses, likewise (one family with --src)\n"
"  --port N[-M]       destination port or port range\n"
"  --dst-mac MAC      destination MAC (default: for a multicast --dst, its\n"
"                     group MAC, 01:00:5e:.. or 33:33:..; else the neighbour\n"
"                     entry of the first --dst on DEV)\n"
"  --sport-range A-B  source ports (default: the first destination port)\n"
"  --size B           UDP payload bytes, 1..1472 (IPv6: 1452) (default 64)\n"
"  --batch N          frames per kernel batch, 1..256 (default 64)\n"
"  --rate PPS         pace to PPS frames per second, split between threads\n"
"  --count N          stop after N frames, over all threads\n"
"  --duration S       stop after S seconds, decimals allowed (0.5)\n"
"  --threads N        N sending threads, 1..64 (default 1)\n"
"  --cpu LIST         one thread pinned to each CPU of LIST (0,2-3)\n"
"  --json             print the summary as one JSON object\n"
"\n"
"packets is what of the program's frames DEV passed on (its ethtool\n"
"*_xdp_xmit counters), errors the rest (veth: the peer's ring was full, or\n"
"the peer takes no XDP frames at all).\n"
"JSON keys: mode, packets, bytes, seconds, pps, bps, errors, batch, size,\n"
"rate, threads. bps = UDP payload bits per second.\n";

void gen_usage(enum gen_mode mode, FILE *out)
{
	switch (mode) {
	case GEN_MODE_SEND:
		fputs(send_help, out);
		break;
	case GEN_MODE_SINK:
		fputs(sink_help, out);
		break;
	case GEN_MODE_XDP:
		fputs(xdp_help, out);
		break;
	default:
		fputs(top_help, out);
	}
}

void gen_version(FILE *out)
{
	fprintf(out, "%s %s\n", GEN_NAME, SLUICE_VERSION);
}
