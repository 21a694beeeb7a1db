/* literal.c: the integer-literal scan behind literal.h. */
#include "conf/literal.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

static bool is_name_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '*';
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads the rest of a number whose first digit is c.  Returns true when it
 * is an integer literal (no '.', exponent or L suffix) that does not fit
 * in 32 bits.  *next receives the first character after it. */
static bool scan_number(FILE *f, int c, int *next)
{
	uint64_t v = 0;
	bool wide = false, hex = false, is_int = true;
	int d;

	if (c == '0') {
		d = getc(f);
		if (d == 'x' || d == 'X') {
			hex = true;
			c = getc(f);
		} else {
			c = d;
			v = 0;
		}
	}
	for (;;) {
		int val = hex ? hex_value(c) : (c >= '0' && c <= '9' ? c - '0' : -1);

		if (val < 0)
			break;
		v = v * (hex ? 16 : 10) + (uint64_t)val;
		if (v > (hex ? 0xffffffffull : 2147483647ull))
			wide = true;
		if (v > 0xffffffffffull)
			v = 0xffffffffffull;	/* saturate: stays wide, cannot overflow */
		c = getc(f);
	}
	if (c == 'L') {
		is_int = false;		/* 64-bit literal: libconfig keeps it */
		c = getc(f);
	}
	while (c == '.' || c == 'e' || c == 'E' || (c >= '0' && c <= '9') ||
	       c == '+' || c == '-') {
		is_int = false;		/* a float */
		c = getc(f);
	}
	*next = c;
	return is_int && wide;
}

int wf_conf_find_wide_ints(FILE *f, unsigned *lines, unsigned max)
{
	unsigned line = 1, n = 0, last = 0;
	int c = getc(f);

	while (c != EOF) {
		int next = 0;

		if (c == '\n') {
			line++;
		} else if (c == '#' || (c == '/' && (next = getc(f)) == '/')) {
			while (c != EOF && c != '\n')
				c = getc(f);
			continue;
		} else if (c == '/' && next == '*') {
			int prev = 0;

			while ((c = getc(f)) != EOF && !(prev == '*' && c == '/')) {
				if (c == '\n')
					line++;
				prev = c;
			}
		} else if (c == '/') {
			c = next;
			continue;
		} else if (c == '"') {
			while ((c = getc(f)) != EOF && c != '"') {
				if (c == '\\')
					c = getc(f);
				if (c == '\n')
					line++;
				if (c == EOF)
					break;
			}
		} else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*') {
			while (c != EOF && is_name_char(c))
				c = getc(f);
			continue;
		} else if (c >= '0' && c <= '9') {
			if (scan_number(f, c, &next) && line != last) {
				if (n < max)
					lines[n] = line;
				n++;
				last = line;
			}
			c = next;
			continue;
		}
		if (c == EOF)
			break;
		c = getc(f);
	}
	if (ferror(f))
		return -EIO;
	return (int)n;
}
