/* num: strict whole numbers (see num.h). */
#include "core/num.h"

int num_parse(const char *s, int64_t min, int64_t max, int64_t *out)
{
	int64_t v = 0;

	if (s == 0 || s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
