/* fuzz_csv.c: libFuzzer target for the CSV importer's reader (csv_read in
 * server/csv_import.c, on libcsv): any bytes must give either an error
 * message or a document whose rows are consistent with its header, whose
 * fields are valid UTF-8 without NULs, and whose lines never go back. */
#include "csv_import.h"
#include "validate.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = { 0 };
	struct csv_doc doc;
	const char *err = NULL;
	if (csv_read(&a, data, size, &doc, &err) != 0) {
		if (err == NULL || *err == '\0')
			__builtin_trap();   /* a failure must say why */
		arena_free(&a);
		return 0;
	}
	for (size_t c = 0; c < doc.ncols; c++) {
		if (doc.header[c] == NULL || csv_column(&doc, doc.header[c]) < 0)
			__builtin_trap();
	}
	unsigned last = 0;
	for (size_t i = 0; i < doc.nrows; i++) {
		const struct csv_row *r = &doc.rows[i];
		if (r->line < last)
			__builtin_trap();
		last = r->line;
		if (r->error != NULL)
			continue;
		if (r->n != doc.ncols)
			__builtin_trap();
		for (size_t f = 0; f < r->n; f++)
			if (r->f[f] == NULL || !valid_utf8(r->f[f], (size_t)-1))
				__builtin_trap();
	}
	arena_free(&a);
	return 0;
}
