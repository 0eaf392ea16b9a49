/* sirene-import: streams INSEE's StockEtablissement / StockUniteLegale CSV files into the
 * store by column name, row by row, in batched transactions (docs/SIRENE.md). */
#include "sirene/sirene.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "sirene/sirene-columns.h"
#include "domain/model.h"
#include "domain/validate.h"
#include "store/store.h"

#define SIRENE_BATCH_ROWS 20000 /* rows per transaction */
#define SIRENE_MAX_COLUMNS 256  /* INSEE's files have about 50 */

/* Every column of sirene-columns.h is required: a file without one of them would blank
 * that value in every record it upserts. */

/* ---- One import ------------------------------------------------------------------- */

struct import {
	struct store *s;
	enum sirene_kind kind;
	const char *path;
	FILE *rejects;
	const struct sirene_column *cols;
	size_t n_cols;
	size_t idx[SIRENE_EST_COLUMNS > SIRENE_LU_COLUMNS ? SIRENE_EST_COLUMNS : SIRENE_LU_COLUMNS];
	size_t n_header;         /* fields in the header row */
	struct sirene_report *rep;
	int64_t committed;       /* rows imported and committed */
	int64_t in_batch;        /* rows processed since the batch began */
	int64_t imported_batch;  /* rows imported since the batch began */
};

/* Writes "FILE:LINE: field: reason" on the rejects stream. */
static void reject(struct import *im, long line, const struct err *re)
{
	im->rep->rejected++;
	if (im->rejects == NULL)
		return;
	if (re->field[0])
		fprintf(im->rejects, "%s:%ld: %s: %s\n", im->path, line, re->field, re->msg);
	else
		fprintf(im->rejects, "%s:%ld: %s\n", im->path, line, re->msg);
}

/* Finds each column of the map in the header. Returns ERR_INVALID naming every missing
 * column. */
static enum err_code map_header(struct import *im, const struct csv_row *h, struct err *e)
{
	char missing[ERR_MSG_MAX];
	size_t ml = 0, n_missing = 0;

	missing[0] = '\0';
	im->n_header = h->n;
	for (size_t c = 0; c < im->n_cols; c++) {
		size_t i;

		for (i = 0; i < h->n; i++)
			if (strcasecmp(h->fields[i], im->cols[c].name) == 0)
				break;
		im->idx[c] = i;
		if (i == h->n) {
			int w = snprintf(missing + ml, sizeof missing - ml, "%s%s", n_missing ? ", " : "",
			                 im->cols[c].name);

			if (w > 0 && (size_t)w < sizeof missing - ml)
				ml += (size_t)w;
			n_missing++;
		}
	}
	if (n_missing > 0)
		return err_set(e, ERR_INVALID, "header", "%s: %s %s missing (a %s file needs %s)",
		               im->path, missing, n_missing > 1 ? "are" : "is",
		               im->kind == SIRENE_ESTABLISHMENTS ? "StockEtablissement"
		                                                 : "StockUniteLegale",
		               n_missing > 1 ? "them" : "it");
	return ERR_OK;
}

/* The value of column c in row: NULL when empty or "[ND]" (not diffusible). */
static const char *value(const struct import *im, const struct csv_row *row, size_t c)
{
	const char *v = row->fields[im->idx[c]];

	if (v[0] == '\0' || (v[0] == '[' && strcmp(v, "[ND]") == 0))
		return NULL;
	return v;
}

/* Fills the record (a struct establishment or struct legal_unit) from the row. */
static enum err_code fill_record(const struct import *im, const struct csv_row *row, void *rec,
                                 struct err *e)
{
	for (size_t c = 0; c < im->n_cols; c++) {
		const struct sirene_column *col = &im->cols[c];
		const char *v = value(im, row, c);

		if (col->type == SIRENE_COL_TEXT) {
			memcpy((char *)rec + col->offset, &v, sizeof v);
		} else {
			int b;

			if (v == NULL || strcmp(v, "false") == 0)
				b = 0;
			else if (strcmp(v, "true") == 0)
				b = 1;
			else
				return err_set(e, ERR_INVALID, col->name, "expected true or false, not '%.40s'",
				               v);
			memcpy((char *)rec + col->offset, &b, sizeof b);
		}
	}
	return ERR_OK;
}

/* Checks that siren and nic, when given, are the parts of the siret. */
static enum err_code check_parts(const struct establishment *est, struct err *e)
{
	if (est->siret == NULL)
		return err_set(e, ERR_INVALID, "siret", "is required");
	if (strlen(est->siret) != 14)
		return err_set(e, ERR_INVALID, "siret", "expected 14 digits");
	if (est->siren && (strlen(est->siren) != 9 || memcmp(est->siren, est->siret, 9) != 0))
		return err_set(e, ERR_INVALID, "siren", "expected the first 9 digits of the siret (%.9s)",
		               est->siret);
	if (est->nic && strcmp(est->nic, est->siret + 9) != 0)
		return err_set(e, ERR_INVALID, "nic", "expected the last 5 digits of the siret (%s)",
		               est->siret + 9);
	return ERR_OK;
}

/* Commits the batch under way, if any; e is required. */
static enum err_code commit_batch(struct import *im, struct err *e)
{
	if (im->in_batch == 0)
		return ERR_OK;
	if (store_commit(im->s, e) != ERR_OK) {
		im->in_batch = 0;
		im->imported_batch = 0;
		return e->code;
	}
	im->committed += im->imported_batch;
	im->in_batch = 0;
	im->imported_batch = 0;
	return ERR_OK;
}

/* Validates and upserts one data row. Returns ERR_OK when the row was imported or
 * rejected (reported), or the store's error (in e, required) when the import must stop. */
static enum err_code import_row(struct import *im, const struct csv_row *row, struct err *e)
{
	struct err re = {0};
	enum err_code rc;

	if (row->n != im->n_header) {
		err_set(&re, ERR_INVALID, "record", "expected %zu fields as in the header, found %zu",
		        im->n_header, row->n);
		reject(im, row->line, &re);
		return ERR_OK;
	}
	if (im->kind == SIRENE_ESTABLISHMENTS) {
		struct establishment est = {0};

		rc = fill_record(im, row, &est, &re);
		if (rc == ERR_OK)
			rc = check_parts(&est, &re);
		if (rc == ERR_OK)
			rc = validate_establishment(&est, &re);
		if (rc == ERR_OK)
			rc = store_establishment_upsert(im->s, &est, &re);
	} else {
		struct legal_unit u = {0};

		rc = fill_record(im, row, &u, &re);
		if (rc == ERR_OK && u.siren == NULL)
			rc = err_set(&re, ERR_INVALID, "siren", "is required");
		if (rc == ERR_OK)
			rc = validate_legal_unit(&u, &re);
		if (rc == ERR_OK)
			rc = store_legal_unit_upsert(im->s, &u, &re);
	}
	if (rc == ERR_OK) {
		im->rep->imported++;
		im->imported_batch++;
		return ERR_OK;
	}
	if (rc == ERR_INVALID || rc == ERR_CONFLICT || rc == ERR_TOO_BIG) {
		/* A refused value (ours, the validator's or a constraint of the store, which
		 * undoes only that statement): the row is rejected and the import goes on. */
		reject(im, row->line, &re);
		return ERR_OK;
	}
	*e = re;
	return rc;
}

/* Turns a csv error "line N: reason" into a reject "FILE:N: record: reason". */
static void reject_csv(struct import *im, long line, const struct err *ce)
{
	char prefix[40];
	const char *reason = ce->msg;
	struct err re = {0};
	int n = snprintf(prefix, sizeof prefix, "line %ld: ", line);

	if (n > 0 && strncmp(reason, prefix, (size_t)n) == 0)
		reason += n;
	err_set(&re, ce->code, "record", "%s", reason);
	reject(im, line, &re);
}

static enum err_code run(struct import *im, struct csv_reader *r, struct err *e)
{
	struct csv_row row;
	struct err ce = {0}, de = {0};
	enum err_code rc;

	rc = csv_next(r, &row, &ce);
	if (rc == ERR_OK && row.n == 0)
		return err_set(e, ERR_INVALID, "header", "%s: empty file (expected a header row)",
		               im->path);
	if (rc != ERR_OK)
		return err_set(e, rc, "header", "%s: %s", im->path, ce.msg);
	if ((rc = map_header(im, &row, e)) != ERR_OK)
		return rc;
	for (;;) {
		rc = csv_next(r, &row, &ce);
		if (rc == ERR_OK && row.n == 0)
			break;
		if (rc != ERR_OK) {
			if (csv_failed(r)) {
				/* The rows before are whole and valid: keep them. */
				if (commit_batch(im, &de) != ERR_OK) {
					im->rep->imported = im->committed;
					return err_set(e, de.code, "db", "%s: commit failed (%s); %lld rows "
					               "committed", im->path, de.msg, (long long)im->committed);
				}
				return err_set(e, rc, "file", "%s: %s; stopped there, %lld rows committed",
				               im->path, ce.msg, (long long)im->committed);
			}
			im->rep->rows++;
			reject_csv(im, row.line, &ce);
			continue;
		}
		if (row.n == 1 && row.lens[0] == 0)
			continue; /* a blank line */
		im->rep->rows++;
		if (im->in_batch == 0 && (rc = store_begin(im->s, &de)) != ERR_OK)
			return err_set(e, rc, "db", "%s:%ld: %s; %lld rows committed", im->path, row.line,
			               de.msg, (long long)im->committed);
		im->in_batch++;
		if ((rc = import_row(im, &row, &de)) != ERR_OK) {
			store_rollback(im->s);
			im->rep->imported = im->committed;
			return err_set(e, rc, "db",
			               "%s:%ld: %s; the batch under way was rolled back, %lld rows "
			               "committed", im->path, row.line, de.msg, (long long)im->committed);
		}
		if (im->in_batch >= SIRENE_BATCH_ROWS && (rc = commit_batch(im, &de)) != ERR_OK) {
			im->rep->imported = im->committed;
			return err_set(e, rc, "db", "%s:%ld: commit failed (%s); %lld rows committed",
			               im->path, row.line, de.msg, (long long)im->committed);
		}
	}
	if ((rc = commit_batch(im, &de)) != ERR_OK) {
		im->rep->imported = im->committed;
		return err_set(e, rc, "db", "%s: commit failed (%s); %lld rows committed", im->path,
		               de.msg, (long long)im->committed);
	}
	return ERR_OK;
}

enum err_code sirene_import(struct store *s, enum sirene_kind kind, const char *path,
                            FILE *rejects, struct sirene_report *report, struct err *e)
{
	struct csv_limits lim = {.max_field = 4096, .max_fields = SIRENE_MAX_COLUMNS,
	                         .max_record = 256 * 1024};
	struct sirene_report dummy;
	struct import im = {0};
	struct csv_reader *r = NULL;
	FILE *f = NULL;
	enum err_code rc;

	if (report == NULL)
		report = &dummy;
	*report = (struct sirene_report){0};
	im.s = s;
	im.kind = kind;
	im.path = path;
	im.rejects = rejects;
	im.rep = report;
	im.cols = kind == SIRENE_ESTABLISHMENTS ? sirene_est_columns : sirene_lu_columns;
	im.n_cols = kind == SIRENE_ESTABLISHMENTS ? SIRENE_EST_COLUMNS : SIRENE_LU_COLUMNS;
	if ((f = fopen(path, "rb")) == NULL) {
		rc = err_set(e, ERR_IO, "file", "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	if ((rc = csv_open(f, &lim, &r, e)) != ERR_OK)
		goto out;
	rc = run(&im, r, e);
	if (rejects)
		fflush(rejects);
out:
	csv_free(r);
	if (f)
		fclose(f);
	return rc;
}
