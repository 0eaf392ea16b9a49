/* store-internal: what the SQLite backend's other files (store-stats.c...) share with
 * store-sqlite.c. Only files under src/store/ include it; it is the one other place
 * where sqlite3.h appears. */
#ifndef STORE_STORE_INTERNAL_H
#define STORE_STORE_INTERNAL_H

#include <sqlite3.h>

#include "core/err.h"
#include "store/store.h"

/* The connection of a handle; borrowed. */
sqlite3 *store_sqlite_db(struct store *s);
/* Turns the connection's last error into an err_code with a message ("what: ..."). */
enum err_code store_sqlite_error(struct store *s, struct err *e, const char *what);
/* Prepares sql on the handle's connection into *st (the caller finalises it); a failure
 * names what. */
enum err_code store_sqlite_prepare(struct store *s, const char *sql, sqlite3_stmt **st,
                                   const char *what, struct err *e);
/* Ends a walk over st: finalises it; ERR_OK when the last step was SQLITE_DONE, else the
 * connection's error naming what. */
enum err_code store_sqlite_walk_end(struct store *s, sqlite3_stmt *st, int step,
                                    const char *what, struct err *e);

#endif
