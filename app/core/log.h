/* log.h: whepfan's RTE_LOG type ("whepfan"), levels set from the
 * configuration (dpdk.log_level) or the command line (--log-level). */
#ifndef WF_LOG_H
#define WF_LOG_H

#include <rte_log.h>

extern int wf_logtype;

#define WF_LOG(level, ...) rte_log(RTE_LOG_##level, wf_logtype, "whepfan: " __VA_ARGS__)

#endif
