/* test_csv_import.c: the CSV reader: line numbers, BOM, CRLF, quoted
 * commas, quotes and newlines, blank lines, ragged rows, bad quoting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "csv_import.h"

static struct arena a;

static int teardown(void **state)
{
	arena_free(&a);
	return 0;
}

static int read_str(const char *s, struct csv_doc *d, const char **err)
{
	*err = NULL;
	return csv_read(&a, s, strlen(s), d, err);
}

static void simple(void **state)
{
	struct csv_doc d;
	const char *err;
	assert_int_equal(read_str("a,b\n1,2\n3,4\n", &d, &err), 0);
	assert_int_equal(d.ncols, 2);
	assert_int_equal(d.nrows, 2);
	assert_string_equal(d.rows[1].f[0], "3");
	assert_int_equal(d.rows[0].line, 2);
	assert_int_equal(d.rows[1].line, 3);
	assert_int_equal(csv_column(&d, "B"), 1);
	assert_int_equal(csv_column(&d, "c"), -1);
}

/* BOM, CRLF, no final newline. */
static void bom_crlf(void **state)
{
	struct csv_doc d;
	const char *err;
	assert_int_equal(read_str("\xEF\xBB\xBFmetric,value\r\ncp,1\r\ncp,2", &d, &err), 0);
	assert_string_equal(d.header[0], "metric");
	assert_int_equal(d.nrows, 2);
	assert_string_equal(d.rows[1].f[1], "2");
	assert_int_equal(d.rows[1].line, 3);
}

/* A quoted field holding a comma, a doubled quote and two newlines: the
 * next record's line number counts the newlines inside it. */
static void quoted_newlines(void **state)
{
	struct csv_doc d;
	const char *err;
	assert_int_equal(read_str("a,b\n\"x, \"\"y\"\"\nz\nw\",2\nlast,3\n", &d, &err), 0);
	assert_int_equal(d.nrows, 2);
	assert_string_equal(d.rows[0].f[0], "x, \"y\"\nz\nw");
	assert_int_equal(d.rows[0].line, 2);
	assert_int_equal(d.rows[1].line, 5);
}

/* Blank lines in the middle and at the end are skipped, not rows. */
static void blank_lines(void **state)
{
	struct csv_doc d;
	const char *err;
	assert_int_equal(read_str("a,b\n\n1,2\r\n\r\n\n3,4\n\n\n", &d, &err), 0);
	assert_int_equal(d.nrows, 2);
	assert_int_equal(d.rows[0].line, 3);
	assert_int_equal(d.rows[1].line, 6);
}

static void ragged_row(void **state)
{
	struct csv_doc d;
	const char *err;
	assert_int_equal(read_str("a,b\n1,2,3\n4\n5,6\n", &d, &err), 0);
	assert_int_equal(d.nrows, 3);
	assert_non_null(d.rows[0].error);
	assert_non_null(strstr(d.rows[0].error, "3 fields"));
	assert_non_null(d.rows[1].error);
	assert_null(d.rows[2].error);
}

static void bad_utf8(void **state)
{
	struct csv_doc d;
	const char *err;
	assert_int_equal(read_str("a,b\n\xff\xfe,2\n", &d, &err), 0);
	assert_non_null(strstr(d.rows[0].error, "UTF-8"));
}

static void embedded_nul(void **state)
{
	struct csv_doc d;
	const char *err = NULL;
	static const char s[] = "a,b\n\"x\0y\",2\n";
	assert_int_equal(csv_read(&a, s, sizeof s - 1, &d, &err), 0);
	assert_non_null(strstr(d.rows[0].error, "NUL"));
}

static void unclosed_quote(void **state)
{
	struct csv_doc d;
	const char *err;
	assert_int_equal(read_str("a,b\n1,2\n\"open,3\n4,5\n", &d, &err), -1);
	assert_non_null(strstr(err, "line 3"));
}

static void stray_quote(void **state)
{
	struct csv_doc d;
	const char *err;
	assert_int_equal(read_str("a,b\n1,2\n\"x\"y,3\n", &d, &err), -1);
	assert_non_null(strstr(err, "line 3"));
}

static void header_problems(void **state)
{
	struct csv_doc d;
	const char *err;
	assert_int_equal(read_str("", &d, &err), -1);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(read_str("\n\n", &d, &err), -1);
	assert_int_equal(read_str("a,A\n1,2\n", &d, &err), -1);
	assert_non_null(strstr(err, "twice"));
	assert_int_equal(read_str("a,,c\n1,2,3\n", &d, &err), -1);
	assert_non_null(strstr(err, "no name"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(simple, teardown),
		cmocka_unit_test_teardown(bom_crlf, teardown),
		cmocka_unit_test_teardown(quoted_newlines, teardown),
		cmocka_unit_test_teardown(blank_lines, teardown),
		cmocka_unit_test_teardown(ragged_row, teardown),
		cmocka_unit_test_teardown(bad_utf8, teardown),
		cmocka_unit_test_teardown(embedded_nul, teardown),
		cmocka_unit_test_teardown(unclosed_quote, teardown),
		cmocka_unit_test_teardown(stray_quote, teardown),
		cmocka_unit_test_teardown(header_problems, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
