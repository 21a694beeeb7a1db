/* port.h: DPDK ports as the configuration names them. */
#ifndef WF_PORT_H
#define WF_PORT_H

#include "core/app.h"

#define WF_RX_DESC	1024	/* receive descriptors per queue */
#define WF_TX_DESC	1024	/* transmit descriptors per queue */

/* Configures and starts every configured port: one RX and one TX queue per
 * worker (the slow path transmits through worker 0's queue, frame.h;
 * some PMDs, net_tap among them, need as many RX as TX queues).  Returns 0
 * or -errno with the reason logged. */
int wf_ports_init(const struct wf_config *cfg, unsigned n_workers);

/* Stops and closes them. */
void wf_ports_close(void);

#endif
