/* fuzz-sirene-csv: libFuzzer target for SIRENE CSV files: the streaming CSV reader
 * (csv_next) and the import's own row mapping (src/sirene/sirene-import.c, included here
 * to reach its static map_header, fill_record and check_parts), then
 * validate_establishment or validate_legal_unit on each mapped row. The first byte picks
 * the file kind and small reader limits, so that the limit paths are reached too. No
 * store is opened: nothing is written. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sirene/sirene-import.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sirene_report rep = {0};
	struct import im = {0};
	struct csv_limits lim = {0};
	struct csv_reader *r = NULL;
	struct csv_row row;
	struct err e = {0};
	int have_header = 0;
	FILE *f;

	if (size == 0)
		return 0;
	im.kind = (data[0] & 1) ? SIRENE_LEGAL_UNITS : SIRENE_ESTABLISHMENTS;
	im.cols = im.kind == SIRENE_ESTABLISHMENTS ? sirene_est_columns : sirene_lu_columns;
	im.n_cols = im.kind == SIRENE_ESTABLISHMENTS ? SIRENE_EST_COLUMNS : SIRENE_LU_COLUMNS;
	im.path = "fuzz.csv";
	im.rep = &rep;
	if (data[0] & 2) {
		lim.max_field = 1 + (data[0] >> 4);
		lim.max_fields = 64;
		lim.max_record = 4096;
	}
	/* fmemopen refuses a zero-sized buffer: an input of one byte is an empty file. */
	f = size > 1 ? fmemopen((void *)(data + 1), size - 1, "r") : fopen("/dev/null", "r");
	if (f == NULL)
		return 0;
	if (csv_open(f, &lim, &r, &e) != ERR_OK)
		goto out;
	for (int i = 0; i < 100000; i++) {
		enum err_code rc = csv_next(r, &row, &e);

		if (rc != ERR_OK) {
			if (csv_failed(r))
				break;
			continue;
		}
		if (row.n == 0)
			break;
		for (size_t k = 0; k < row.n; k++)
			if (strlen(row.fields[k]) > row.lens[k])
				abort();
		if (!have_header) {
			if (map_header(&im, &row, &e) != ERR_OK)
				break;
			have_header = 1;
			continue;
		}
		if (row.n != im.n_header)
			continue;
		if (im.kind == SIRENE_ESTABLISHMENTS) {
			struct establishment est = {0};

			if (fill_record(&im, &row, &est, &e) == ERR_OK &&
			    check_parts(&est, &e) == ERR_OK)
				(void)validate_establishment(&est, &e);
		} else {
			struct legal_unit u = {0};

			if (fill_record(&im, &row, &u, &e) == ERR_OK && u.siren != NULL)
				(void)validate_legal_unit(&u, &e);
		}
	}
out:
	csv_free(r);
	fclose(f);
	return 0;
}
