// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Runs the one check suite a test file defines. */
#include <check.h>
#include <stdlib.h>

Suite *netobs_test_suite(void);

int main(void)
{
	SRunner *runner = srunner_create(netobs_test_suite());
	int failed;

	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
