/* arena.h: a region allocator; everything is freed at once. Requests and
 * responses are built from an arena so a handler never frees piecemeal. */
#ifndef PLANBOARD_ARENA_H
#define PLANBOARD_ARENA_H

#include <stddef.h>

struct arena_chunk;
struct arena {
	struct arena_chunk *head;
};

void *arena_alloc(struct arena *a, size_t n);          /* zeroed */
char *arena_strdup(struct arena *a, const char *s);     /* NULL stays NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_free(struct arena *a);

#define arena_new(a, type) ((type *)arena_alloc((a), sizeof(type)))
#define arena_array(a, type, n) ((type *)arena_alloc((a), sizeof(type) * (n)))



/* Append a pointer to an arena-allocated array that grows by doubling:
 * ARENA_PUSH(a, r->actions, r->n_actions, cap, item). */
void arena_push(struct arena *a, void ***arr, size_t *n, size_t *cap, void *item);
#define ARENA_PUSH(a, arr, n, cap, item) arena_push((a), (void ***)&(arr), &(n), &(cap), (item))
#endif
