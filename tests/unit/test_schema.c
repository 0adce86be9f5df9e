/* test_schema.c: rules of proto/planboard.proto that keep the decoder and
 * the user-facing names safe, checked on the generated descriptors.
 *
 * 1. No message may contain itself, directly or through others: protobuf-c
 *    unpacks nested messages recursively with no depth limit, so a
 *    recursive schema would let a small hostile frame overflow the stack.
 * 2. Every enum reachable from the wire follows the naming rule (value 0
 *    is PREFIX_UNSPECIFIED and every value starts with PREFIX, except
 *    Status), and enum_name/enum_value round-trip every value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "enums.h"
#include "planboard.pb-c.h"

#define MAX_SEEN 512

/* ------------------------------------------------------------ the walk */

enum colour { WHITE, GREY, BLACK };

struct walk {
	const ProtobufCMessageDescriptor *msgs[MAX_SEEN];
	enum colour colour[MAX_SEEN];
	size_t n_msgs;
	const ProtobufCEnumDescriptor *enums[MAX_SEEN];
	size_t n_enums;
	/* The path to the message being visited, to name a cycle. */
	const char *path[MAX_SEEN];
	size_t depth, max_depth;
	char cycle[2048];   /* empty if none found */
};

static size_t msg_index(struct walk *w, const ProtobufCMessageDescriptor *d)
{
	for (size_t i = 0; i < w->n_msgs; i++)
		if (w->msgs[i] == d)
			return i;
	assert_true(w->n_msgs < MAX_SEEN);
	w->msgs[w->n_msgs] = d;
	w->colour[w->n_msgs] = WHITE;
	return w->n_msgs++;
}

static void add_enum(struct walk *w, const ProtobufCEnumDescriptor *d)
{
	for (size_t i = 0; i < w->n_enums; i++)
		if (w->enums[i] == d)
			return;
	assert_true(w->n_enums < MAX_SEEN);
	w->enums[w->n_enums++] = d;
}

static void name_cycle(struct walk *w, const char *again)
{
	size_t len = 0;
	for (size_t i = 0; i < w->depth && len < sizeof w->cycle; i++)
		len += (size_t)snprintf(w->cycle + len, sizeof w->cycle - len, "%s -> ", w->path[i]);
	if (len < sizeof w->cycle)
		snprintf(w->cycle + len, sizeof w->cycle - len, "%s", again);
}

/* Depth-first search: a message met again while it is still on the path
 * (grey) closes a cycle. */
static void visit(struct walk *w, const ProtobufCMessageDescriptor *d)
{
	size_t i = msg_index(w, d);
	if (w->colour[i] == GREY) {
		if (w->cycle[0] == '\0')
			name_cycle(w, d->name);
		return;
	}
	if (w->colour[i] == BLACK)
		return;
	w->colour[i] = GREY;
	assert_true(w->depth < MAX_SEEN);
	w->path[w->depth++] = d->name;
	if (w->depth > w->max_depth)
		w->max_depth = w->depth;
	for (unsigned f = 0; f < d->n_fields; f++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[f];
		if (fd->type == PROTOBUF_C_TYPE_MESSAGE)
			visit(w, fd->descriptor);
		else if (fd->type == PROTOBUF_C_TYPE_ENUM)
			add_enum(w, fd->descriptor);
	}
	w->depth--;
	w->colour[i] = BLACK;
}

static void walk_roots(struct walk *w)
{
	memset(w, 0, sizeof *w);
	visit(w, &pb__request__descriptor);
	visit(w, &pb__server_frame__descriptor);
}

/* ------------------------------------------------------------ no self-containment */

static void test_no_message_contains_itself(void **state)
{
	(void)state;
	struct walk *w = calloc(1, sizeof *w);
	assert_non_null(w);
	walk_roots(w);
	if (w->cycle[0] != '\0')
		fail_msg("a message contains itself: %s", w->cycle);
	/* The walk really went through the schema. */
	assert_true(w->n_msgs > 50);
	assert_true(w->max_depth >= 4); /* ServerFrame > Response > ActionReply > Action */
	print_message("%zu messages, %zu enums, deepest nesting %zu\n", w->n_msgs, w->n_enums,
		      w->max_depth);
	free(w);
}

/* The checker itself finds cycles: hand-made descriptors A -> B -> A and
 * C -> C (the generated ones have none to find). */
static const ProtobufCMessageDescriptor fake_a, fake_b, fake_c, fake_d;
static const ProtobufCFieldDescriptor fake_a_fields[] = {
	{ .name = "b", .id = 1, .type = PROTOBUF_C_TYPE_MESSAGE, .descriptor = &fake_b },
};
static const ProtobufCFieldDescriptor fake_b_fields[] = {
	{ .name = "n", .id = 1, .type = PROTOBUF_C_TYPE_INT32 },
	{ .name = "a", .id = 2, .type = PROTOBUF_C_TYPE_MESSAGE, .descriptor = &fake_a },
};
static const ProtobufCFieldDescriptor fake_c_fields[] = {
	{ .name = "c", .id = 1, .label = PROTOBUF_C_LABEL_REPEATED, .type = PROTOBUF_C_TYPE_MESSAGE,
	  .descriptor = &fake_c },
};
/* D holds B twice: a diamond is not a cycle. */
static const ProtobufCFieldDescriptor fake_d_fields[] = {
	{ .name = "x", .id = 1, .type = PROTOBUF_C_TYPE_MESSAGE, .descriptor = &pb__action__descriptor },
	{ .name = "y", .id = 2, .type = PROTOBUF_C_TYPE_MESSAGE, .descriptor = &pb__action__descriptor },
};
static const ProtobufCMessageDescriptor fake_a = { .name = "A", .n_fields = 1, .fields = fake_a_fields };
static const ProtobufCMessageDescriptor fake_b = { .name = "B", .n_fields = 2, .fields = fake_b_fields };
static const ProtobufCMessageDescriptor fake_c = { .name = "C", .n_fields = 1, .fields = fake_c_fields };
static const ProtobufCMessageDescriptor fake_d = { .name = "D", .n_fields = 2, .fields = fake_d_fields };

static void test_checker_finds_cycles(void **state)
{
	(void)state;
	struct walk *w = calloc(1, sizeof *w);
	assert_non_null(w);
	visit(w, &fake_a);
	assert_string_equal(w->cycle, "A -> B -> A");

	memset(w, 0, sizeof *w);
	visit(w, &fake_c);
	assert_string_equal(w->cycle, "C -> C");

	memset(w, 0, sizeof *w);
	visit(w, &fake_d);
	assert_string_equal(w->cycle, "");
	free(w);
}

/* ------------------------------------------------------------ enums */

static bool is_status(const ProtobufCEnumDescriptor *d)
{
	return d == &pb__status__descriptor;
}

/* Value 0 is PREFIX_UNSPECIFIED and every value is PREFIX_NAME. */
static void check_enum_naming(const ProtobufCEnumDescriptor *d)
{
	const ProtobufCEnumValue *zero = protobuf_c_enum_descriptor_get_value(d, 0);
	if (zero == NULL)
		fail_msg("enum %s has no value 0", d->name);
	if (is_status(d)) {
		assert_string_equal(zero->name, "OK");
		return;
	}
	const char *suffix = "UNSPECIFIED";
	size_t n = strlen(zero->name), sl = strlen(suffix);
	if (n <= sl + 1 || strcmp(zero->name + n - sl, suffix) != 0 || zero->name[n - sl - 1] != '_')
		fail_msg("enum %s: value 0 is %s, not PREFIX_UNSPECIFIED", d->name, zero->name);
	size_t prefix = n - sl;
	for (unsigned i = 0; i < d->n_values; i++) {
		const char *name = d->values[i].name;
		if (strncmp(name, zero->name, prefix) != 0 || strlen(name) == prefix)
			fail_msg("enum %s: value %s does not start with %.*s", d->name, name, (int)prefix,
				 zero->name);
	}
}

/* enum_name gives NAME in lower case (Status: as is), and enum_value
 * gives the value back, also in upper case and with '-' for '_'. */
static void check_enum_round_trip(const ProtobufCEnumDescriptor *d)
{
	size_t prefix = 0;
	if (!is_status(d))
		prefix = strlen(protobuf_c_enum_descriptor_get_value(d, 0)->name) - strlen("UNSPECIFIED");
	for (unsigned i = 0; i < d->n_values; i++) {
		int value = d->values[i].value;
		const char *name = enum_name(d, value);
		if (name == NULL)
			fail_msg("enum %s: no name for %d", d->name, value);
		const char *wire = d->values[i].name + prefix;
		if (strcasecmp(name, wire) != 0)
			fail_msg("enum %s: name of %d is '%s', expected '%s'", d->name, value, name, wire);
		if (!is_status(d)) {
			for (const char *p = name; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					fail_msg("enum %s: name '%s' is not lower case", d->name, name);
		}
		if (value == 0 && !is_status(d)) {
			/* "Not given" is never accepted from a user. */
			assert_string_equal(name, "unspecified");
			assert_int_equal(enum_value(d, name), -1);
			assert_null(strstr(enum_choices(d), "unspecified"));
			continue;
		}
		if (enum_value(d, name) != value)
			fail_msg("enum %s: enum_value('%s') is %d, expected %d", d->name, name,
				 enum_value(d, name), value);
		char variant[64];
		snprintf(variant, sizeof variant, "%s", wire);
		for (char *p = variant; *p; p++)
			if (*p == '_')
				*p = '-';
		assert_int_equal(enum_value(d, variant), value);
		/* Listed in the choices shown in help and errors. */
		const char *choices = enum_choices(d);
		size_t len = strlen(name);
		const char *hit = choices;
		bool found = false;
		while ((hit = strstr(hit, name)) != NULL) {
			bool starts = hit == choices || hit[-1] == '|';
			bool ends = hit[len] == '\0' || hit[len] == '|';
			if (starts && ends)
				found = true;
			hit += len;
		}
		if (!found)
			fail_msg("enum %s: '%s' missing from choices '%s'", d->name, name, choices);
	}
	assert_null(enum_name(d, 9999));
	assert_int_equal(enum_value(d, "no_such_value"), -1);
	assert_int_equal(enum_value(d, ""), -1);
	assert_int_equal(enum_value(d, NULL), -1);
}

static void test_enums_follow_rules(void **state)
{
	(void)state;
	struct walk *w = calloc(1, sizeof *w);
	assert_non_null(w);
	walk_roots(w);
	bool saw_status = false, saw_rag = false;
	for (size_t i = 0; i < w->n_enums; i++) {
		check_enum_naming(w->enums[i]);
		check_enum_round_trip(w->enums[i]);
		saw_status |= is_status(w->enums[i]);
		saw_rag |= w->enums[i] == &pb__rag__descriptor;
	}
	assert_true(saw_status);
	assert_true(saw_rag);
	free(w);
}

/* Names users type: spot checks of the rule on enums with shared
 * prefixes inside their names. */
static void test_enum_examples(void **state)
{
	(void)state;
	assert_string_equal(enum_name(&pb__action_status__descriptor,
				      PB__ACTION_STATUS__ACTION_STATUS_IN_PROGRESS), "in_progress");
	assert_int_equal(enum_value(&pb__action_status__descriptor, "In-Progress"),
			 PB__ACTION_STATUS__ACTION_STATUS_IN_PROGRESS);
	assert_string_equal(enum_name(&pb__rag__descriptor, PB__RAG__RAG_BLUE), "blue");
	assert_string_equal(enum_choices(&pb__rag__descriptor), "red|amber|green|blue");
	assert_string_equal(enum_name(&pb__status__descriptor, PB__STATUS__NOT_FOUND), "NOT_FOUND");
	assert_int_equal(enum_value(&pb__status__descriptor, "ok"), PB__STATUS__OK);
	assert_string_equal(enum_name(&pb__criterion_kind__descriptor,
				      PB__CRITERION_KIND__CRITERION_KIND_VALUE_AT_LEAST), "value_at_least");
	/* Longer than any name: refused, not truncated into a match. */
	char longname[200];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_int_equal(enum_value(&pb__rag__descriptor, longname), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_message_contains_itself),
		cmocka_unit_test(test_checker_finds_cycles),
		cmocka_unit_test(test_enums_follow_rules),
		cmocka_unit_test(test_enum_examples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
