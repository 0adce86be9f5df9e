/* test_proto_recursion.c: protobuf-c 1.4.1 unpacks nested messages by
 * recursion with no depth limit, so a message type that can contain
 * itself (directly or through others) would let a peer crash the server
 * with a deeply nested frame. Walk every message reachable from Request
 * and ServerFrame and fail if any can reach itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "planboard.pb-c.h"

#define MAX_TYPES 512

struct walk {
	const ProtobufCMessageDescriptor *seen[MAX_TYPES];
	size_t n_seen;
	const ProtobufCMessageDescriptor *path[MAX_TYPES];
	size_t depth;
	char cycle[1024];
};

static bool in_path(const struct walk *w, const ProtobufCMessageDescriptor *d)
{
	for (size_t i = 0; i < w->depth; i++)
		if (w->path[i] == d)
			return true;
	return false;
}

static bool seen(struct walk *w, const ProtobufCMessageDescriptor *d)
{
	for (size_t i = 0; i < w->n_seen; i++)
		if (w->seen[i] == d)
			return true;
	assert_true(w->n_seen < MAX_TYPES);
	w->seen[w->n_seen++] = d;
	return false;
}

/* Depth-first over message-typed fields; a type already on the path is a
 * cycle. Returns false (with the cycle described) on the first one. */
static bool acyclic(struct walk *w, const ProtobufCMessageDescriptor *d)
{
	if (in_path(w, d)) {
		size_t len = 0;
		for (size_t i = 0; i < w->depth; i++)
			len += (size_t)snprintf(w->cycle + len, sizeof w->cycle - len, "%s -> ", w->path[i]->name);
		snprintf(w->cycle + len, sizeof w->cycle - len, "%s", d->name);
		return false;
	}
	if (seen(w, d))
		return true;   /* already proven acyclic from here */
	w->path[w->depth++] = d;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if (f->type == PROTOBUF_C_TYPE_MESSAGE && !acyclic(w, f->descriptor))
			return false;
	}
	w->depth--;
	return true;
}

static void test_request_is_acyclic(void **state)
{
	struct walk w = { .n_seen = 0 };
	bool ok = acyclic(&w, &pb__request__descriptor);
	if (!ok)
		fail_msg("self-containing message: %s", w.cycle);
	/* The walk did reach the request bodies. */
	assert_true(w.n_seen > 20);
}

static void test_server_frame_is_acyclic(void **state)
{
	struct walk w = { .n_seen = 0 };
	if (!acyclic(&w, &pb__server_frame__descriptor))
		fail_msg("self-containing message: %s", w.cycle);
	assert_true(w.n_seen > 20);
}

/* The checker itself finds a cycle: a fake descriptor whose only field is
 * of its own type. */
static void test_detects_a_cycle(void **state)
{
	static ProtobufCFieldDescriptor field;
	static ProtobufCMessageDescriptor self;
	field.name = "child";
	field.type = PROTOBUF_C_TYPE_MESSAGE;
	field.descriptor = &self;
	self.name = "Tree";
	self.n_fields = 1;
	self.fields = &field;
	struct walk w = { .n_seen = 0 };
	assert_false(acyclic(&w, &self));
	assert_string_equal(w.cycle, "Tree -> Tree");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_is_acyclic),
		cmocka_unit_test(test_server_frame_is_acyclic),
		cmocka_unit_test(test_detects_a_cycle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
