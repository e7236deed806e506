/* SCTP frames for fixtures: a common header and chunks after Ethernet and
 * IPv4 or IPv6, spelled as a struct per frame so that a table reads like
 * the packets of an association (INIT, INIT-ACK, COOKIE-ECHO, DATA, ...).
 * Malformed chunks and parameters come from a chunk's raw bytes and its
 * length override. The CRC32c checksum stays 0: the programs observe,
 * they do not verify it. */
#ifndef SLUICE_TEST_SCTP_FX_H
#define SLUICE_TEST_SCTP_FX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

#define SCTPFX_CHUNKS 40

struct sctpfx_chunk {
	uint8_t type, flags;
	uint32_t tag;              /* INIT, INIT-ACK: the initiate tag */
	const char *addrs;         /* INIT, INIT-ACK: address parameters, "10.0.0.1 2001:db8::1";
				    * ASCONF: "+ADDR" adds, "-ADDR" deletes, after the sender's address */
	const uint8_t *raw;        /* bytes after the fixed part and the address parameters */
	size_t raw_len;
	uint16_t data_len;         /* DATA: payload bytes */
	uint16_t len;              /* the length field; 0: the real one */
	bool len_zero;             /* the length field 0 */
};

struct sctpfx_frame {
	const char *src, *dst;     /* "10.0.0.1" or "2001:db8::1": the family follows */
	uint16_t sport, dport;
	uint32_t vtag;
	struct sctpfx_chunk chunk[SCTPFX_CHUNKS]; /* up to the first with type 0xff, or all */
	int nchunks;               /* 0: one */
	const uint8_t *tail;       /* bytes in the datagram after the last chunk */
	size_t tail_len;
	size_t cut;                /* > 0: truncate the frame there */
	const uint8_t *pad;        /* Ethernet padding after the datagram (NULL: zeroes) */
	size_t pad_len;
};

/* an fx_case builder; arg: a struct sctpfx_frame */
void sctpfx_build(struct pkt *p, const void *arg);

#endif
