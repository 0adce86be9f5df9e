/* enums.c: strip the common prefix of an enum's value names and lower-case
 * the rest; computed once per enum and cached. */
#include "enums.h"
#include "util.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

struct enum_names {
	const ProtobufCEnumDescriptor *desc;
	char **names;     /* parallel to desc->values */
	char *choices;
};

static struct enum_names cache[48];
static size_t cache_len;

static size_t common_prefix(const ProtobufCEnumDescriptor *d)
{
	if (d->n_values < 2)
		return 0;
	size_t n = strlen(d->values[0].name);
	for (unsigned i = 1; i < d->n_values; i++) {
		size_t j = 0;
		while (j < n && d->values[i].name[j] == d->values[0].name[j])
			j++;
		n = j;
	}
	/* Cut back to just after an underscore: "RAG_" not "RAG_B" for BLUE/BLACK. */
	while (n > 0 && d->values[0].name[n - 1] != '_')
		n--;
	return n;
}

static struct enum_names *names_for(const ProtobufCEnumDescriptor *d)
{
	for (size_t i = 0; i < cache_len; i++)
		if (cache[i].desc == d)
			return &cache[i];
	if (cache_len == ARRAY_LEN(cache))
		fatal("enum name cache full");
	struct enum_names *e = &cache[cache_len++];
	e->desc = d;
	e->names = xcalloc(d->n_values, sizeof(char *));
	size_t prefix = common_prefix(d);
	struct buf choices = { 0 };
	for (unsigned i = 0; i < d->n_values; i++) {
		char *s = xstrdup(d->values[i].name + prefix);
		if (prefix > 0)
			for (char *p = s; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		e->names[i] = s;
		if (d->values[i].value == 0 && prefix > 0)
			continue;
		if (choices.len)
			buf_append(&choices, "|", 1);
		buf_append(&choices, s, strlen(s));
	}
	buf_append(&choices, "", 1);
	e->choices = (char *)choices.data;
	return e;
}

const char *enum_name(const ProtobufCEnumDescriptor *d, int value)
{
	struct enum_names *e = names_for(d);
	for (unsigned i = 0; i < d->n_values; i++)
		if (d->values[i].value == value)
			return e->names[i];
	return NULL;
}

int enum_value(const ProtobufCEnumDescriptor *d, const char *name)
{
	if (name == NULL)
		return -1;
	struct enum_names *e = names_for(d);
	char norm[64];
	size_t n = strlen(name);
	if (n == 0 || n >= sizeof norm)
		return -1;
	for (size_t i = 0; i <= n; i++)
		norm[i] = name[i] == '-' ? '_' : name[i];
	for (unsigned i = 0; i < d->n_values; i++) {
		if (strcasecmp(e->names[i], norm) != 0)
			continue;
		if (strcmp(e->names[i], "unspecified") == 0)
			return -1;
		return d->values[i].value;
	}
	return -1;
}

const char *enum_choices(const ProtobufCEnumDescriptor *d)
{
	return names_for(d)->choices;
}
