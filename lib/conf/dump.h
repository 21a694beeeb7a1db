/* dump.h: writes a struct wf_config back out as a libconfig file.
 *
 * The output is the effective configuration: every setting, defaults
 * included, in the syntax wf_config_load() reads (for `whepfan
 * --check-config -v`).  Secrets (stream and publish tokens, SRTP keys)
 * are written as "<redacted>" unless WF_CONF_DUMP_SECRETS is given; a
 * redacted dump does not load again (the loader refuses those values), so
 * it can never be mistaken for a working configuration without its keys.
 */
#ifndef WF_CONF_DUMP_H
#define WF_CONF_DUMP_H

#include <stdio.h>

#include "conf/conf.h"

#define WF_CONF_DUMP_SECRETS	0x1u

/* Writes cfg to f.  Returns 0, -EINVAL (NULL argument) or -EIO. */
int wf_config_dump(const struct wf_config *cfg, FILE *f, unsigned flags);

#endif
