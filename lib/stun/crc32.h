/* crc32.h: CRC-32 (ISO-HDLC, the one of IEEE 802.3 and zlib), table driven.
 *
 * Used by STUN's FINGERPRINT attribute (RFC 8489 §14.7), which takes this
 * CRC and XORs it with 0x5354554e.  Pure functions, no state, no heap.
 */
#ifndef WF_STUN_CRC32_H
#define WF_STUN_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 of n bytes at p: reflected polynomial 0xEDB88320, initial value and
 * final XOR 0xFFFFFFFF.  wf_crc32("123456789", 9) == 0xCBF43926. */
uint32_t wf_crc32(const uint8_t *p, size_t n);

/* Continues a CRC over more bytes: wf_crc32_update(wf_crc32(a, n), b, m) is
 * the CRC of a followed by b.  Start from 0 for an empty prefix. */
uint32_t wf_crc32_update(uint32_t crc, const uint8_t *p, size_t n);

#endif
