/* worker.h: the worker lcore's loop (run to completion, poll mode). */
#ifndef WF_WORKER_H
#define WF_WORKER_H

/* The lcore entry point; arg is the struct wf_lcore *. */
int wf_worker_main(void *arg);

#endif
