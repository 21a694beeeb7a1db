/* xff.h: the client of a request forwarded by trusted proxies
 * (X-Forwarded-For), as the key the per-address limits count it by.
 *
 * Each proxy appends the address it got the request from, so the list is
 * read right to left: the answer is the first element that is not itself
 * a trusted proxy.  What is left of it was written by the client (or by
 * proxies we do not trust) and is never read: a client cannot pick its
 * bucket by prepending addresses.  When every element is a trusted proxy
 * the leftmost is the client.
 *
 * Client keys (uint64_t): an IPv4 address is its own value (below 2^32);
 * an IPv6 address is keyed by its /64 (one host gets a whole /64 and can
 * rotate through it), the 64 bits taken as a number, and admission cuts
 * that to http.ipv6_prefix_len bits (wf_xff_key_prefix()).  That number is
 * 2^32 or more, so never an IPv4 key, unless the first 32 bits are zero
 * (::/32: loopback, unspecified, IPv4-compatible): those get the tag
 * WF_XFF_V6_TAG (ffff:ffff::/32, multicast, which no client has) in their
 * upper half.  So no two real /64s share a key and the key reads back as
 * the /64 (a single tag bit, as first planned, would fold 0::/1 onto
 * 8000::/1).  An IPv4-mapped address (::ffff:a.b.c.d, what a dual-stack
 * proxy writes for IPv4 clients) is the IPv4 key.
 *
 * Elements accepted (RFC 7239 §6 forms without the quotes, and what
 * proxies write): "a.b.c.d", "a.b.c.d:port", an IPv6 address, with a
 * zone ("fe80::1%eth0", the zone dropped), "[v6]" and "[v6]:port".
 * Blanks (space, tab) around an element are allowed, empty elements are
 * skipped (RFC 9110 §5.6.1).  Anything else before the answer makes the
 * whole header malformed: the caller refuses the request rather than
 * counting every client as the proxy.
 *
 * Pure functions of their arguments: no state, no allocation.
 */
#ifndef WF_XFF_H
#define WF_XFF_H

#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

#define WF_XFF_MAX_LINES	8	/* X-Forwarded-For header lines read */
#define WF_XFF_MAX_HOPS		32	/* addresses read, right to left */
#define WF_XFF_ELEM_MAX		64	/* characters of one element, blanks trimmed */
#define WF_XFF_V6_TAG		0xffffffff00000000ull	/* ::/32 moved here */
#define WF_XFF_KEY_STR		64	/* wf_xff_key_fmt() output, NUL included */

/* The key of IPv4 address addr (host order). */
uint64_t wf_xff_key_v4(uint32_t addr);

/* The key of the IPv6 address a (network order). */
uint64_t wf_xff_key_v6(const uint8_t a[16]);

/* Whether key is an IPv4 address (then it is the address, host order). */
static inline int wf_xff_key_is_v4(uint64_t key)
{
	return key < (1ull << 32);
}

/* Parses one element s[0..len) (blanks already trimmed) into *key; an
 * IPv4 address (also IPv4-mapped) is in *v4 too, else *v4 = 0 with
 * *is_v4 false.  Returns 0 or -EINVAL. */
int wf_xff_elem(const char *s, size_t len, uint64_t *key, uint32_t *v4, int *is_v4);

/* The client of the X-Forwarded-For lines v[0..n) (in the order they
 * came) for a request from a trusted proxy, trusted[0..n_trusted) being
 * the trusted networks.  Returns 0 with *key, -EINVAL (an element up to
 * the answer is malformed or too long, or there is no element), -E2BIG
 * (more than WF_XFF_MAX_HOPS addresses up to the answer, or more than
 * WF_XFF_MAX_LINES lines). */
int wf_xff_client(const char *const *v, unsigned n, const struct wf_conf_cidr *trusted,
		  unsigned n_trusted, uint64_t *key);

/* The key admission counts an IPv6 client by: key (wf_xff_key_v6(), a
 * /64) cut to its first prefix_len bits (32-64; http.ipv6_prefix_len).
 * A /64 is one host's, but one holder gets a /56 or /48 (an ISP's home
 * allocation, a free tunnel broker's): counted by /64 it would have 256
 * or 65,536 addresses' worth of every per-address limit.  IPv4 keys are
 * returned as they are; the upper 32 bits are kept, so a cut IPv6 key is
 * never an IPv4 one. */
uint64_t wf_xff_key_prefix(uint64_t key, unsigned prefix_len);

/* key as text into out[WF_XFF_KEY_STR]: "198.18.0.1" or
 * "2001:db8:1:2::/64". */
void wf_xff_key_fmt(uint64_t key, char out[WF_XFF_KEY_STR]);

/* The same for a key cut by wf_xff_key_prefix(): "2001:db8::/48". */
void wf_xff_key_fmt_prefix(uint64_t key, unsigned prefix_len, char out[WF_XFF_KEY_STR]);

#endif
