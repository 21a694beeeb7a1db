/* e2e_static.h: the end-to-end test of static outputs, run by
 * tests/e2e/test_static_output (one worker lcore) and
 * tests/e2e/test_static_output_2w (two workers, so that the stream's owner
 * hands media, retransmissions and replays to the other worker's output,
 * and viewers' RTCP and ingest packets cross between workers).
 */
#ifndef WF_TESTS_E2E_STATIC_H
#define WF_TESTS_E2E_STATIC_H

/* Runs every check against <build>/whepfan started with EAL option
 * --lcores "lcores" (e.g. "0-1": the main lcore and one worker, or
 * "(0-2)@(0-1)": three lcores floating on two CPUs), which must give
 * exactly "workers" worker lcores.  argv[0] locates the build directory.
 * Returns the test binary's exit status (wf_test_done()). */
int wf_e2e_static_run(int argc, char **argv, const char *lcores, unsigned workers);

#endif
