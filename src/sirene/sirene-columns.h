/* sirene-columns: the columns of INSEE's stock files that Constat keeps, and the member of
 * the model each one fills; shared by the import and the export, so that both speak the
 * same file. */
#ifndef SIRENE_SIRENE_COLUMNS_H
#define SIRENE_SIRENE_COLUMNS_H

#include <stddef.h>

enum sirene_col_type { SIRENE_COL_TEXT, SIRENE_COL_BOOL };

struct sirene_column {
	const char *name;     /* INSEE's column name */
	enum sirene_col_type type;
	size_t offset;        /* of the const char * (TEXT) or int (BOOL) member */
};

#define SIRENE_EST_COLUMNS 22
#define SIRENE_LU_COLUMNS 9

/* In the relative order of INSEE's files. */
extern const struct sirene_column sirene_est_columns[SIRENE_EST_COLUMNS];
extern const struct sirene_column sirene_lu_columns[SIRENE_LU_COLUMNS];

#endif
