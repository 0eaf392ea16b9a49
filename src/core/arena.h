/* arena: a bump allocator for memory that lives as long as one request or one record
 * read, freed at once with arena_release. Capped: past max bytes, allocation aborts the
 * request with ERR_TOO_BIG through arena_failed() rather than growing without bound. */
#ifndef CORE_ARENA_H
#define CORE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t used;      /* bytes handed out, all blocks together */
	size_t max;       /* cap on used */
	int failed;       /* set once an allocation was refused */
};

void arena_init(struct arena *a, size_t max);
void arena_release(struct arena *a);
/* n bytes aligned for any type, zeroed; NULL (and a->failed set) past the cap. */
void *arena_alloc(struct arena *a, size_t n);
/* Copies s (NULL gives NULL); NULL past the cap. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

#endif
