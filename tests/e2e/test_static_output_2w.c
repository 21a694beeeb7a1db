/* test_static_output_2w.c: the static-output end-to-end test with two
 * worker lcores (three lcores floating on CPUs 0-1: idle workers sleep).
 * The stream's owner is worker 0 and the second output lands on worker 1,
 * so media by reference, NACK and PLI answers, viewers' RTCP and ingest
 * cross the handoff rings (tests/common/e2e_static.c holds the checks). */
#include "common/e2e_static.h"

int main(int argc, char **argv)
{
	return wf_e2e_static_run(argc, argv, "(0-2)@(0-1)", 2);
}
