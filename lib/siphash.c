// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "siphash.h"

#define SIP_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline void sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = SIP_ROTL(v[1], 13);
	v[1] ^= v[0];
	v[0] = SIP_ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = SIP_ROTL(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = SIP_ROTL(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = SIP_ROTL(v[1], 17);
	v[1] ^= v[2];
	v[2] = SIP_ROTL(v[2], 32);
}

static inline uint64_t sip_load_le64(const uint8_t *p)
{
	uint64_t x = 0;

	for (int i = 7; i >= 0; i--)
		x = x << 8 | p[i];
	return x;
}

/* SipHash-2-4 as in Aumasson and Bernstein's paper: 2 compression rounds
 * per 8-byte word, 4 finalization rounds, words little-endian. */
uint64_t netobs_siphash24(const uint64_t key[2], const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t v[4] = {
		key[0] ^ 0x736f6d6570736575ULL,
		key[1] ^ 0x646f72616e646f6dULL,
		key[0] ^ 0x6c7967656e657261ULL,
		key[1] ^ 0x7465646279746573ULL,
	};
	uint64_t last = (uint64_t)len << 56;
	size_t tail = len & 7;

	for (const uint8_t *end = p + (len - tail); p < end; p += 8) {
		uint64_t m = sip_load_le64(p);

		v[3] ^= m;
		sip_round(v);
		sip_round(v);
		v[0] ^= m;
	}
	for (size_t i = 0; i < tail; i++)
		last |= (uint64_t)p[i] << (8 * i);
	v[3] ^= last;
	sip_round(v);
	sip_round(v);
	v[0] ^= last;
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
