/* test_static_output.c: the static-output end-to-end test with one worker
 * lcore (tests/common/e2e_static.c holds the checks). */
#include "common/e2e_static.h"

int main(int argc, char **argv)
{
	return wf_e2e_static_run(argc, argv, "0-1", 1);
}
