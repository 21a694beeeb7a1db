/* base64.h: strict base64 (RFC 4648 §4, standard alphabet, '=' padding).
 *
 * Used for SRTP master keys in the configuration (SDES inline keys,
 * RFC 4568 §6.1, are base64 of key || salt).  The decoder rejects anything
 * that is not the canonical encoding: characters outside the alphabet
 * (blanks and line breaks included), a length that is not a multiple of 4,
 * '=' anywhere but the last one or two places, and non-zero bits in the
 * unused low bits of the last symbol (RFC 4648 §3.5), so one key has
 * exactly one spelling.
 */
#ifndef WF_CONF_BASE64_H
#define WF_CONF_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of output for len bytes of input: encoded length (without NUL) and
 * the most a decode of len characters can produce. */
#define WF_BASE64_ENC_LEN(len)	((((len) + 2) / 3) * 4)
#define WF_BASE64_DEC_MAX(len)	(((len) / 4) * 3)

/* Decodes in[0..len) into out (cap bytes).  Returns 0 with *out_len set,
 * -EINVAL when the input is not canonical base64, -ENOSPC when the result
 * does not fit in cap (nothing beyond out[cap - 1] is written). */
int wf_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* Encodes in[0..len) into out, NUL-terminated; cap must be at least
 * WF_BASE64_ENC_LEN(len) + 1.  Returns 0 or -ENOSPC. */
int wf_base64_encode(const uint8_t *in, size_t len, char *out, size_t cap);

#endif
