/* test_whep_2w.c: the WHEP end-to-end test with two worker lcores (three
 * lcores floating on CPUs 0-1: idle workers sleep), so viewers sit on both
 * workers and are removed in every order (tests/common/e2e_whep.c). */
#include "common/e2e_whep.h"

int main(int argc, char **argv)
{
	return wf_e2e_whep_run(argc, argv, "(0-2)@(0-1)", 2);
}
