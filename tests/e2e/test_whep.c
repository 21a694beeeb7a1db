/* test_whep.c: the WHEP end-to-end test with one worker lcore (the checks
 * are in tests/common/e2e_whep.c). */
#include "common/e2e_whep.h"

int main(int argc, char **argv)
{
	return wf_e2e_whep_run(argc, argv, "0-1", 1);
}
