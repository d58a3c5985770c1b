/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A small JSON Schema subset, enough to hold the record encoder to
 * docs/schema/record.schema.json. A header of static functions so the one
 * test file that includes it stays under the size the project keeps files at.
 */
#pragma once

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

static json_t *schema_root;

static void load_schema(void)
{
	/* __FILE__ is .../tests/unit/record_schema.h; the schema is .../docs/schema/ */
	char path[4096];
	const char *tail = strstr(__FILE__, "tests/unit/");
	json_error_t jerr;

	if (schema_root)
		return;
	ck_assert_ptr_nonnull(tail);
	snprintf(path, sizeof(path), "%.*sdocs/schema/record.schema.json", (int)(tail - __FILE__),
		 __FILE__);
	schema_root = json_load_file(path, 0, &jerr);
	ck_assert_msg(schema_root, "cannot load %s: %s", path, jerr.text);
}

static json_t *schema_resolve(json_t *node)
{
	const char *ref;

	while ((ref = json_string_value(json_object_get(node, "$ref")))) {
		ck_assert_msg(!strncmp(ref, "#/$defs/", 8), "unsupported $ref %s", ref);
		node = json_object_get(json_object_get(schema_root, "$defs"), ref + 8);
		ck_assert_msg(node, "dangling $ref %s", ref);
	}
	return node;
}

static bool schema_type_ok(const char *type, const json_t *value)
{
	if (!strcmp(type, "object"))
		return json_is_object(value);
	if (!strcmp(type, "array"))
		return json_is_array(value);
	if (!strcmp(type, "string"))
		return json_is_string(value);
	if (!strcmp(type, "integer"))
		return json_is_integer(value);
	if (!strcmp(type, "boolean"))
		return json_is_boolean(value);
	return false;
}

/*
 * Checks $ref, oneOf, anyOf, allOf, not, if/then/else, type, const, enum,
 * required, properties, additionalProperties:false, items.
 */
static bool schema_check(json_t *node, json_t *value, char *why, size_t whylen)
{
	json_t *one_of, *type, *allowed, *props, *items, *sub;
	const char *key;
	size_t i;

	node = schema_resolve(node);
	if ((one_of = json_object_get(node, "oneOf"))) {
		size_t passed = 0;

		json_array_foreach (one_of, i, sub)
			passed += schema_check(sub, value, why, whylen);
		if (passed != 1)
			return snprintf(why, whylen, "%zu oneOf branches match", passed), false;
	}
	if ((sub = json_object_get(node, "anyOf"))) {
		size_t passed = 0;
		json_t *branch;

		json_array_foreach (sub, i, branch)
			passed += schema_check(branch, value, why, whylen);
		if (!passed)
			return snprintf(why, whylen, "no anyOf branch matches"), false;
	}
	json_array_foreach (json_object_get(node, "allOf"), i, sub)
		if (!schema_check(sub, value, why, whylen))
			return false;
	if ((sub = json_object_get(node, "not")) && schema_check(sub, value, why, whylen))
		return snprintf(why, whylen, "matches a \"not\" schema"), false;
	if ((sub = json_object_get(node, "if"))) {
		json_t *branch = json_object_get(
			node, schema_check(sub, value, why, whylen) ? "then" : "else");

		if (branch && !schema_check(branch, value, why, whylen))
			return false;
	}
	if ((type = json_object_get(node, "type")) &&
	    !schema_type_ok(json_string_value(type), value))
		return snprintf(why, whylen, "not of type %s", json_string_value(type)), false;
	if ((sub = json_object_get(node, "const")) && !json_equal(sub, value))
		return snprintf(why, whylen, "not the const value"), false;
	if ((allowed = json_object_get(node, "enum"))) {
		bool found = false;

		json_array_foreach (allowed, i, sub)
			found |= json_equal(sub, value);
		if (!found)
			return snprintf(why, whylen, "'%s' not in enum", json_string_value(value)),
			       false;
	}
	json_array_foreach (json_object_get(node, "required"), i, sub)
		if (!json_object_get(value, json_string_value(sub)))
			return snprintf(why, whylen, "missing %s", json_string_value(sub)), false;
	props = json_object_get(node, "properties");
	if (json_is_object(value) && props) {
		json_object_foreach (value, key, sub) {
			json_t *prop = json_object_get(props, key);

			if (!prop) {
				if (json_is_false(json_object_get(node, "additionalProperties")))
					return snprintf(why, whylen, "'%s' not in schema", key),
					       false;
				continue;
			}
			if (!schema_check(prop, sub, why, whylen))
				return false;
		}
	}
	if (json_is_array(value) && (items = json_object_get(node, "items")))
		json_array_foreach (value, i, sub)
			if (!schema_check(items, sub, why, whylen))
				return false;
	return true;
}

static void assert_matches_schema(json_t *obj, const char *what)
{
	char why[256] = "";
	char *text;

	load_schema();
	if (schema_check(schema_root, obj, why, sizeof(why)))
		return;
	text = json_dumps(obj, JSON_COMPACT);
	ck_abort_msg("%s: output does not match docs/schema/record.schema.json (%s): %s", what, why,
		     text);
}
