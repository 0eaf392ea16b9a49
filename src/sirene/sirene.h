/* sirene: INSEE's SIRENE stock files (StockEtablissement.csv, StockUniteLegale.csv):
 * streaming import into the store by column name, and export of the store's registry
 * with the official column names. */
#ifndef SIRENE_SIRENE_H
#define SIRENE_SIRENE_H

#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

struct store;

struct sirene_report {
	int64_t rows;          /* data rows read */
	int64_t imported;      /* rows upserted */
	int64_t rejected;      /* rows refused (each reported on the reject stream) */
};

/* Streams a StockEtablissement (kind "establishments") or StockUniteLegale (kind
 * "legal_units") CSV file into the store, upserting in batches. Columns are found by
 * header name (any order, extra columns ignored). Each rejected row is reported on
 * rejects as "FILE:LINE: field: reason" and the import goes on. Fails only on I/O,
 * a missing required column, or a database error. */
enum sirene_kind { SIRENE_ESTABLISHMENTS, SIRENE_LEGAL_UNITS };
enum err_code sirene_import(struct store *s, enum sirene_kind kind, const char *path,
                            FILE *rejects, struct sirene_report *report, struct err *e);

/* Writes DIR/StockEtablissement.csv and DIR/StockUniteLegale.csv from the store, with
 * INSEE's column names, so that import-sirene reads them back unchanged. */
enum err_code sirene_export(struct store *s, const char *dir, struct err *e);

#endif
