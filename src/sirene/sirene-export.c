/* sirene-export: writes the store's registry as StockEtablissement.csv and
 * StockUniteLegale.csv with INSEE's column names, each through a temporary file renamed
 * into place at the end (docs/SIRENE.md). */
#include "sirene/sirene.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/csv.h"
#include "sirene/sirene-columns.h"
#include "domain/model.h"
#include "store/store.h"

#define EXPORT_PATH_MAX 4096
#define EXPORT_BUFFER (1024 * 1024)

/* One output file being written. */
struct out_file {
	char path[EXPORT_PATH_MAX];   /* the final name */
	char tmp[EXPORT_PATH_MAX];    /* the temporary name, "" once renamed or removed */
	FILE *f;
	char *vbuf;
};

struct export {
	struct out_file est, lu;
	char last_siren[10];          /* the legal unit written last */
	enum err_code rc;             /* first write error */
};

static enum err_code write_header(FILE *f, const struct sirene_column *cols, size_t n)
{
	const char *names[SIRENE_EST_COLUMNS];

	for (size_t i = 0; i < n; i++)
		names[i] = cols[i].name;
	return csv_write_row(f, names, n);
}

static enum err_code write_record(FILE *f, const struct sirene_column *cols, size_t n, const void *rec)
{
	const char *v[SIRENE_EST_COLUMNS];

	for (size_t i = 0; i < n; i++) {
		if (cols[i].type == SIRENE_COL_TEXT) {
			memcpy(&v[i], (const char *)rec + cols[i].offset, sizeof v[i]);
		} else {
			int b;

			memcpy(&b, (const char *)rec + cols[i].offset, sizeof b);
			v[i] = b ? "true" : "false";
		}
	}
	return csv_write_row(f, v, n);
}

/* Opens DIR/NAME through a temporary file in DIR, with the header written. */
static enum err_code out_open(struct out_file *o, const char *dir, const char *name,
                              const struct sirene_column *cols, size_t n, struct err *e)
{
	int fd, w1, w2;

	w1 = snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
	w2 = snprintf(o->tmp, sizeof o->tmp, "%s/.%s.XXXXXX", dir, name);
	if (w1 < 0 || w2 < 0 || (size_t)w1 >= sizeof o->path || (size_t)w2 >= sizeof o->tmp) {
		o->tmp[0] = '\0';
		return err_set(e, ERR_INVALID, "dir", "directory name too long");
	}
	if ((fd = mkstemp(o->tmp)) < 0) {
		int err = errno;

		o->tmp[0] = '\0';
		return err_set(e, ERR_IO, "dir", "cannot create a file in %s: %s", dir, strerror(err));
	}
	if ((o->f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return err_set(e, ERR_IO, "dir", "cannot write %s: %s", o->tmp, strerror(errno));
	}
	o->vbuf = malloc(EXPORT_BUFFER);
	if (o->vbuf)
		setvbuf(o->f, o->vbuf, _IOFBF, EXPORT_BUFFER);
	if (write_header(o->f, cols, n) != ERR_OK)
		return err_set(e, ERR_IO, "dir", "cannot write %s: %s", o->tmp, strerror(errno));
	return ERR_OK;
}

/* Flushes, syncs and closes the temporary file. */
static enum err_code out_finish(struct out_file *o, struct err *e)
{
	int bad = ferror(o->f) || fflush(o->f) != 0 || fsync(fileno(o->f)) != 0;
	int err = errno;

	if (fclose(o->f) != 0 && !bad) {
		bad = 1;
		err = errno;
	}
	o->f = NULL;
	if (bad)
		return err_set(e, ERR_IO, "dir", "cannot write %s: %s", o->tmp, strerror(err));
	return ERR_OK;
}

/* Closes and removes the temporary file, if any. */
static void out_abandon(struct out_file *o)
{
	if (o->f) {
		fclose(o->f);
		o->f = NULL;
	}
	if (o->tmp[0]) {
		unlink(o->tmp);
		o->tmp[0] = '\0';
	}
	free(o->vbuf);
	o->vbuf = NULL;
}

/* Establishments come in siret order. A siret starts with its siren, so the
 * establishments of one legal unit are adjacent, and comparing with the siren written
 * last is enough to write each legal unit once. */
static int each_establishment(void *ctx, const struct establishment *est,
                              const struct legal_unit *u)
{
	struct export *x = ctx;

	if (write_record(x->est.f, sirene_est_columns, SIRENE_EST_COLUMNS, est) != ERR_OK) {
		x->rc = ERR_IO;
		return 1;
	}
	if (u != NULL && u->siren != NULL && strcmp(u->siren, x->last_siren) != 0) {
		if (write_record(x->lu.f, sirene_lu_columns, SIRENE_LU_COLUMNS, u) != ERR_OK) {
			x->rc = ERR_IO;
			return 1;
		}
		snprintf(x->last_siren, sizeof x->last_siren, "%s", u->siren);
	}
	return 0;
}

enum err_code sirene_export(struct store *s, const char *dir, struct err *e)
{
	struct export x = {0};
	enum err_code rc;

	if (dir == NULL || dir[0] == '\0')
		return err_set(e, ERR_INVALID, "dir", "an output directory is required");
	/* The folder is created when missing (not its parents). */
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return err_set(e, ERR_IO, "dir", "cannot create the folder %s: %s", dir,
		               strerror(errno));
	if ((rc = out_open(&x.est, dir, "StockEtablissement.csv", sirene_est_columns, SIRENE_EST_COLUMNS, e)) !=
	        ERR_OK ||
	    (rc = out_open(&x.lu, dir, "StockUniteLegale.csv", sirene_lu_columns, SIRENE_LU_COLUMNS, e)) !=
	        ERR_OK)
		goto out;
	if ((rc = store_establishment_each(s, each_establishment, &x, e)) != ERR_OK)
		goto out;
	if (x.rc != ERR_OK) {
		rc = err_set(e, x.rc, "dir", "cannot write in %s: %s", dir, strerror(errno));
		goto out;
	}
	if ((rc = out_finish(&x.est, e)) != ERR_OK || (rc = out_finish(&x.lu, e)) != ERR_OK)
		goto out;
	if (rename(x.lu.tmp, x.lu.path) != 0 || rename(x.est.tmp, x.est.path) != 0) {
		rc = err_set(e, ERR_IO, "dir", "cannot rename into %s: %s", dir, strerror(errno));
		goto out;
	}
	x.lu.tmp[0] = '\0';
	x.est.tmp[0] = '\0';
out:
	out_abandon(&x.est);
	out_abandon(&x.lu);
	return rc;
}
