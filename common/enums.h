/* enums.h: user-facing names of wire enumerations.
 * Every enum value is PREFIX_NAME; its user-facing name is NAME in lower
 * case ("ACTION_STATUS_IN_PROGRESS" -> "in_progress"). The same names are
 * stored in the database, guarded by CHECK constraints. */
#ifndef PLANBOARD_ENUMS_H
#define PLANBOARD_ENUMS_H

#include <protobuf-c/protobuf-c.h>

/* Name of value, or NULL if the value is not in the enum. Value 0 (the
 * UNSPECIFIED of every enum but Status) has a name too: "unspecified". */
const char *enum_name(const ProtobufCEnumDescriptor *d, int value);
/* Value of a name (case-insensitive, '-' accepted for '_'); -1 if none.
 * "unspecified" is refused for every enum. */
int enum_value(const ProtobufCEnumDescriptor *d, const char *name);
/* Names joined with "|", for help and error messages ("red|amber|..."). */
const char *enum_choices(const ProtobufCEnumDescriptor *d);

#endif
