/* literal.h: finds integer literals that libconfig 1.5 silently truncates.
 *
 * libconfig 1.5 stores an integer without the L suffix in a 32-bit int and
 * keeps only its low 32 bits: "udp_port = 4294975485;" reads as 8189, a
 * valid port.  The loader therefore scans the file text itself (skipping
 * comments and strings as libconfig's scanner does) and notes the lines
 * holding a decimal literal above 2147483647 or a hex literal above
 * 0xffffffff without the L suffix; an integer setting on such a line is
 * then reported instead of trusted.
 */
#ifndef WF_CONF_LITERAL_H
#define WF_CONF_LITERAL_H

#include <stdio.h>

/* Scans f from its current position to the end.  Writes up to max line
 * numbers (ascending, each once) to lines.  Returns how many lines hold
 * such a literal (may exceed max), or -EIO on a read error. */
int wf_conf_find_wide_ints(FILE *f, unsigned *lines, unsigned max);

#endif
