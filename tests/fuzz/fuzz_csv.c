/* fuzz_csv.c — libFuzzer target for the CSV reader: opens the input as a table, reads every row
 * and checks the promises of dj/io.h on each (valid UTF-8 cells within the caps, consecutive row
 * numbers, no trailing empty cell). Zip input is left to fuzz_xlsx. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dj/io.h"
#include "dj/slice.h"
#include "dj/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dj_table *t;
	char err[256];
	if (size >= 2 && data[0] == 'P' && data[1] == 'K')
		return 0;
	if (dj_table_open(data, size, &t, err, sizeof(err)) != DJ_OK) {
		if (!err[0] || !dj_utf8_valid(err, strlen(err)))
			abort();
		return 0;
	}
	if (strcmp(dj_table_format(t), "csv") != 0)
		abort();
	const char *const *cells;
	size_t n, row = 0;
	dj_rc rc;
	while ((rc = dj_table_next(t, &cells, &n, err, sizeof(err))) == DJ_ROW) {
		if (dj_table_row(t) != ++row || n > DJ_MAX_IMPORT_COLS || (n && !cells[n - 1][0]))
			abort();
		for (size_t i = 0; i < n; i++) {
			size_t len = strlen(cells[i]);
			if (len > DJ_MAX_CELL_BYTES || !dj_utf8_valid(cells[i], len))
				abort();
		}
	}
	if (rc != DJ_DONE && (!err[0] || !dj_utf8_valid(err, strlen(err))))
		abort();
	dj_table_free(t);
	return 0;
}
