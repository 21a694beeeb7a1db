/* log.c: the whepfan log type (log.h). */
#include "core/log.h"

RTE_LOG_REGISTER(wf_logtype, whepfan, INFO);
