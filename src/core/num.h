/* num: strict parsing of whole numbers from untrusted text (ids, limits, query
 * parameters): digits only, no sign, no space, no leading zero, within bounds. */
#ifndef CORE_NUM_H
#define CORE_NUM_H

#include <stdint.h>

/* Parses s as a whole number in [min, max] (min >= 0); returns 0 and sets *out, or -1
 * (and *out untouched) for anything else: "", "+1", " 1", "01", "1x", overflow. */
int num_parse(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
