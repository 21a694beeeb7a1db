/* base64.c: strict RFC 4648 §4 base64 (see base64.h). */
#include "conf/base64.h"

#include <errno.h>

static const char wf_b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of c, or -1 when c is not in the alphabet ('=' too). */
static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int wf_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t pad = 0, n = 0, i;

	if (len % 4 != 0)
		return -EINVAL;	/* RFC 4648 §3.2: padding is required */
	if (len >= 1 && in[len - 1] == '=')
		pad++;
	if (len >= 2 && in[len - 2] == '=')
		pad++;
	if (pad == 1 && len >= 2 && in[len - 2] == '=')
		return -EINVAL;
	if (WF_BASE64_DEC_MAX(len) - pad > cap)
		return -ENOSPC;
	for (i = 0; i < len; i += 4) {
		int v[4], k, last = (i + 4 == len);
		uint32_t bits;

		for (k = 0; k < 4; k++) {
			v[k] = b64_value(in[i + k]);
			if (v[k] < 0 && !(last && in[i + k] == '=' && k >= 4 - (int)pad))
				return -EINVAL;
		}
		bits = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12;
		if (last && pad == 2) {
			if (v[1] & 0x0f)
				return -EINVAL;	/* RFC 4648 §3.5: non-canonical */
			out[n++] = (uint8_t)(bits >> 16);
			break;
		}
		bits |= (uint32_t)v[2] << 6;
		if (last && pad == 1) {
			if (v[2] & 0x03)
				return -EINVAL;	/* RFC 4648 §3.5 */
			out[n++] = (uint8_t)(bits >> 16);
			out[n++] = (uint8_t)(bits >> 8);
			break;
		}
		bits |= (uint32_t)v[3];
		out[n++] = (uint8_t)(bits >> 16);
		out[n++] = (uint8_t)(bits >> 8);
		out[n++] = (uint8_t)bits;
	}
	*out_len = n;
	return 0;
}

int wf_base64_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	size_t i, o = 0;

	if (cap < WF_BASE64_ENC_LEN(len) + 1)
		return -ENOSPC;
	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t b = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = wf_b64_alphabet[b >> 18];
		out[o++] = wf_b64_alphabet[(b >> 12) & 63];
		out[o++] = wf_b64_alphabet[(b >> 6) & 63];
		out[o++] = wf_b64_alphabet[b & 63];
	}
	if (len - i == 1) {
		uint32_t b = (uint32_t)in[i] << 16;

		out[o++] = wf_b64_alphabet[b >> 18];
		out[o++] = wf_b64_alphabet[(b >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		uint32_t b = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		out[o++] = wf_b64_alphabet[b >> 18];
		out[o++] = wf_b64_alphabet[(b >> 12) & 63];
		out[o++] = wf_b64_alphabet[(b >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return 0;
}
