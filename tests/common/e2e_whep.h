/* e2e_whep.h: the end-to-end test of WHEP sessions, run by
 * tests/e2e/test_whep (one worker lcore) and tests/e2e/test_whep_2w (two
 * workers: viewers are placed on both, so control messages, their replies
 * and the peer table are exercised across workers, and viewers are ended
 * in every order).
 */
#ifndef WF_TESTS_E2E_WHEP_H
#define WF_TESTS_E2E_WHEP_H

/* Runs every check against <build>/whepfan started with EAL option
 * --lcores "lcores" ("0-1": the main lcore and one worker; "(0-2)@(0-1)":
 * three lcores floating on two CPUs), which must give exactly "workers"
 * worker lcores.  argv[0] locates the build directory.  Returns the test
 * binary's exit status (wf_test_done()). */
int wf_e2e_whep_run(int argc, char **argv, const char *lcores, unsigned workers);

#endif
