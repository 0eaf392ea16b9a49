/* arena: a capped bump allocator (see arena.h). */
#include "core/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

struct arena_block {
	struct arena_block *next;
	size_t size, pos;
	alignas(max_align_t) unsigned char data[];
};

#define ARENA_BLOCK 16384

void arena_init(struct arena *a, size_t max)
{
	a->head = NULL;
	a->used = 0;
	a->max = max;
	a->failed = 0;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;

	while (b) {
		struct arena_block *next = b->next;

		free(b);
		b = next;
	}
	arena_init(a, a->max);
}

void *arena_alloc(struct arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct arena_block *b = a->head;
	size_t need = (n + align - 1) / align * align;
	void *p;

	if (need < n || need > a->max || a->used > a->max - need) {
		a->failed = 1;
		return NULL;
	}
	if (b == NULL || b->size - b->pos < need) {
		size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;

		b = xmalloc(sizeof *b + size);
		b->size = size;
		b->pos = 0;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->pos;
	b->pos += need;
	a->used += need;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}
