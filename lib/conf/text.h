/* text.h: strict parsers for the textual values of the configuration:
 * decimal numbers, IPv4 addresses, IPv4/prefix and IPv4:port.
 *
 * "Strict" means the whole string is the value: no sign, no leading or
 * trailing blanks, no trailing garbage, no leading zeros in address octets.
 * Each function returns 0 or -EINVAL (malformed) / -ERANGE (a number too
 * big) and writes its outputs only on success.  Addresses are in host byte
 * order.
 */
#ifndef WF_CONF_TEXT_H
#define WF_CONF_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Parses the decimal number in s[0..len) (not NUL-terminated is fine), at
 * most max.  Returns 0, -EINVAL or -ERANGE. */
int wf_text_u32(const char *s, size_t len, uint32_t max, uint32_t *out);

/* Parses a dotted-quad IPv4 address ("198.18.0.1") in s[0..len). */
int wf_text_ipv4(const char *s, size_t len, uint32_t *addr);

/* Parses "a.b.c.d/n" with n in 1..32. */
int wf_text_cidr4(const char *s, uint32_t *addr, uint8_t *prefix_len);

/* Parses "a.b.c.d:port" with port in 1..65535. */
int wf_text_ipv4_port(const char *s, uint32_t *addr, uint16_t *port);

/* The netmask of a prefix length 0..32, host order. */
uint32_t wf_text_netmask(uint8_t prefix_len);

/* Formats addr as a dotted quad into out (at least 16 bytes). */
void wf_text_ipv4_fmt(uint32_t addr, char out[16]);

#endif
