/* text.c: strict parsers for configuration values (see text.h). */
#include "conf/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* strtoul needs a NUL-terminated string and accepts blanks and a sign:
 * the digits are checked here first, then copied to a bounded buffer. */
int wf_text_u32(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	char buf[16];
	char *end;
	unsigned long v;
	size_t i;

	if (len == 0)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return -EINVAL;
	if (len >= sizeof(buf))
		return -ERANGE;	/* all digits, more than 15 of them */
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (errno == ERANGE || v > max)
		return -ERANGE;
	if (errno != 0 || end != buf + len)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int wf_text_ipv4(const char *s, size_t len, uint32_t *addr)
{
	uint32_t a = 0;
	size_t pos = 0;
	int octet;

	for (octet = 0; octet < 4; octet++) {
		size_t start = pos;
		uint32_t v;

		while (pos < len && is_digit(s[pos]))
			pos++;
		if (pos == start || pos - start > 3)
			return -EINVAL;
		if (pos - start > 1 && s[start] == '0')
			return -EINVAL;	/* "010" could be read as octal elsewhere */
		if (wf_text_u32(s + start, pos - start, 255, &v) != 0)
			return -EINVAL;
		a = a << 8 | v;
		if (octet < 3) {
			if (pos >= len || s[pos] != '.')
				return -EINVAL;
			pos++;
		}
	}
	if (pos != len)
		return -EINVAL;
	*addr = a;
	return 0;
}

int wf_text_cidr4(const char *s, uint32_t *addr, uint8_t *prefix_len)
{
	const char *slash = strchr(s, '/');
	uint32_t a, n;

	if (!slash)
		return -EINVAL;
	if (wf_text_ipv4(s, (size_t)(slash - s), &a) != 0)
		return -EINVAL;
	if (wf_text_u32(slash + 1, strlen(slash + 1), 32, &n) != 0 || n == 0)
		return -EINVAL;
	if (slash[1] == '0')
		return -EINVAL;	/* "/024" */
	*addr = a;
	*prefix_len = (uint8_t)n;
	return 0;
}

int wf_text_ipv4_port(const char *s, uint32_t *addr, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	uint32_t a, p;

	if (!colon)
		return -EINVAL;
	if (wf_text_ipv4(s, (size_t)(colon - s), &a) != 0)
		return -EINVAL;
	if (wf_text_u32(colon + 1, strlen(colon + 1), 65535, &p) != 0 || p == 0)
		return -EINVAL;
	if (colon[1] == '0')
		return -EINVAL;	/* ":0080" */
	*addr = a;
	*port = (uint16_t)p;
	return 0;
}

uint32_t wf_text_netmask(uint8_t prefix_len)
{
	if (prefix_len == 0)
		return 0;
	if (prefix_len >= 32)
		return 0xffffffffu;
	return ~((1u << (32 - prefix_len)) - 1);
}

void wf_text_ipv4_fmt(uint32_t addr, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
}
