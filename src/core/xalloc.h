/* xalloc: allocation that aborts on failure (as Redis and tmux do). Every buffer that
 * grows with input must still have a cap: see buf.h. */
#ifndef CORE_XALLOC_H
#define CORE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Returns new memory holding a copy of s (NULL gives NULL); caller frees. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
