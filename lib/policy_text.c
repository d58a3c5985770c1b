// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Policy file text to JSON documents: JSON through jansson, YAML through
 * libyaml's event parser. YAML scalars follow the YAML 1.2 core schema
 * (plain true/false, null, integers become those types; quoted scalars stay
 * strings; "yes"/"on" stay strings, unlike YAML 1.1), so `port: 80` and
 * `port: "80"` reach the policy parser as Cilium's Go decoder sees them.
 * Anchors, aliases and tags are refused: policies have no use for them and
 * aliases are how a small YAML file grows into a huge one.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "policy.h"

#define YAML_DEPTH_MAX 64

static void text_error(struct policy_error *err, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void text_error(struct policy_error *err, const char *file, const char *fmt, ...)
{
	int n = snprintf(err->message, sizeof(err->message), "%s: ", file);
	va_list ap;

	if (n < 0 || (size_t)n >= sizeof(err->message))
		return;
	va_start(ap, fmt);
	vsnprintf(err->message + n, sizeof(err->message) - (size_t)n, fmt, ap);
	va_end(ap);
}

static bool is_one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

static bool all_digits(const char *s, int base)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		bool ok = base == 16 ? (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
					       (*s >= 'A' && *s <= 'F')
			  : base == 8 ? *s >= '0' && *s <= '7'
				      : *s >= '0' && *s <= '9';
		if (!ok)
			return false;
	}
	return true;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_core_float(const char *s)
{
	size_t digits = 0;

	if (*s == '-' || *s == '+')
		s++;
	while (*s >= '0' && *s <= '9')
		s++, digits++;
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9')
			s++, digits++;
	}
	if (!digits)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/*
 * A plain scalar as the YAML 1.2 core schema resolves it. NULL with *why
 * set when it is a number JSON cannot hold, NULL with *why NULL when out of
 * memory or not UTF-8.
 */
static json_t *plain_scalar(const char *s, size_t len, const char **why)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const trues[] = {"true", "True", "TRUE", NULL};
	static const char *const falses[] = {"false", "False", "FALSE", NULL};
	static const char *const specials[] = {".inf",	".Inf",	 ".INF",  "+.inf", "+.Inf",
					       "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
					       ".NaN",	".NAN",	 NULL};
	const char *digits = s;
	int base = 10;

	*why = NULL;
	if (is_one_of(s, nulls))
		return json_null();
	if (is_one_of(s, trues))
		return json_true();
	if (is_one_of(s, falses))
		return json_false();
	if (is_one_of(s, specials)) {
		*why = "infinity and NaN have no JSON form";
		return NULL;
	}
	if (strncmp(s, "0x", 2) == 0)
		base = 16, digits = s + 2;
	else if (strncmp(s, "0o", 2) == 0)
		base = 8, digits = s + 2;
	else if (*s == '-' || *s == '+')
		digits = s + 1;
	if (all_digits(digits, base)) {
		long long v;
		char *end;

		errno = 0;
		v = strtoll(base == 10 ? s : digits, &end, base);
		if (errno == ERANGE || *end) {
			*why = "integer out of range";
			return NULL;
		}
		return json_integer(v);
	}
	if (is_core_float(s)) {
		double d = strtod(s, NULL);

		if (!isfinite(d)) {
			*why = "number out of range";
			return NULL;
		}
		return json_real(d);
	}
	return json_stringn(s, len);
}

struct yaml_frame {
	json_t *node;
	char *key; /* a mapping's key waiting for its value */
};

struct yaml_builder {
	const char *file;
	struct policy_error *err;
	json_t *documents;
	json_t *root; /* the current document's value */
	struct yaml_frame stack[YAML_DEPTH_MAX];
	int depth;
};

static void builder_clear_stack(struct yaml_builder *b)
{
	while (b->depth > 0) {
		b->depth--;
		json_decref(b->stack[b->depth].node);
		free(b->stack[b->depth].key);
	}
}

/* Attach a complete value (stolen) to its parent, or make it the document. */
static int builder_add(struct yaml_builder *b, json_t *value, const yaml_mark_t *mark)
{
	struct yaml_frame *top;

	if (b->depth == 0) {
		b->root = value;
		return 0;
	}
	top = &b->stack[b->depth - 1];
	if (json_is_array(top->node)) {
		if (json_array_append_new(top->node, value))
			return -ENOMEM;
		return 0;
	}
	if (!top->key) {
		const char *k = json_string_value(value);

		/* Keys: any scalar is its text, as a JSON key; the caller made it a string. */
		if (!k) {
			json_decref(value);
			text_error(b->err, b->file, "line %zu: a mapping key must be a scalar",
				   mark->line + 1);
			return -EINVAL;
		}
		top->key = strdup(k);
		json_decref(value);
		return top->key ? 0 : -ENOMEM;
	}
	if (json_object_get(top->node, top->key)) {
		text_error(b->err, b->file, "line %zu: duplicate key '%.64s'", mark->line + 1,
			   top->key);
		json_decref(value);
		return -EINVAL;
	}
	if (json_object_set_new(top->node, top->key, value))
		return -ENOMEM;
	free(top->key);
	top->key = NULL;
	return 0;
}

static bool expecting_key(const struct yaml_builder *b)
{
	const struct yaml_frame *top = b->depth ? &b->stack[b->depth - 1] : NULL;

	return top && json_is_object(top->node) && !top->key;
}

static int builder_scalar(struct yaml_builder *b, const yaml_event_t *ev)
{
	const char *text = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *why = NULL;
	json_t *value;

	/*
	 * A NUL ("\0" in a double-quoted scalar) would cut the value short for
	 * every C string check after this one: no policy value has a use for it.
	 */
	if (strlen(text) != len) {
		text_error(b->err, b->file, "line %zu: a scalar holds a NUL character (\\0)",
			   ev->start_mark.line + 1);
		return -EINVAL;
	}
	if (expecting_key(b) || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		value = json_stringn(text, len);
	else
		value = plain_scalar(text, len, &why);
	if (!value) {
		if (why)
			text_error(b->err, b->file, "line %zu: '%.64s': %s",
				   ev->start_mark.line + 1, text, why);
		else
			text_error(b->err, b->file, "line %zu: a scalar is not valid UTF-8",
				   ev->start_mark.line + 1);
		return -EINVAL;
	}
	return builder_add(b, value, &ev->start_mark);
}

static int builder_open(struct yaml_builder *b, const yaml_event_t *ev, bool mapping)
{
	json_t *node;

	if (expecting_key(b)) {
		text_error(b->err, b->file, "line %zu: a mapping key must be a scalar",
			   ev->start_mark.line + 1);
		return -EINVAL;
	}
	if (b->depth == YAML_DEPTH_MAX) {
		text_error(b->err, b->file, "line %zu: nested deeper than %d levels",
			   ev->start_mark.line + 1, YAML_DEPTH_MAX);
		return -EINVAL;
	}
	node = mapping ? json_object() : json_array();
	if (!node)
		return -ENOMEM;
	b->stack[b->depth].node = node;
	b->stack[b->depth].key = NULL;
	b->depth++;
	return 0;
}

static int builder_close(struct yaml_builder *b, const yaml_event_t *ev)
{
	struct yaml_frame top = b->stack[--b->depth];

	free(top.key); /* a key without a value is a parser error libyaml reports first */
	return builder_add(b, top.node, &ev->start_mark);
}

/* Anchors, aliases and explicit tags: refused, see the top of the file. */
static int refuse_yaml_features(struct yaml_builder *b, const yaml_event_t *ev)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		text_error(b->err, b->file, "line %zu: YAML aliases (*%.32s) are not supported",
			   ev->start_mark.line + 1, (const char *)ev->data.alias.anchor);
		return -EINVAL;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor, tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor, tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor, tag = ev->data.mapping_start.tag;
		break;
	default:
		return 0;
	}
	if (anchor) {
		text_error(b->err, b->file, "line %zu: YAML anchors (&%.32s) are not supported",
			   ev->start_mark.line + 1, (const char *)anchor);
		return -EINVAL;
	}
	if (tag) {
		text_error(b->err, b->file, "line %zu: YAML tags (%.32s) are not supported",
			   ev->start_mark.line + 1, (const char *)tag);
		return -EINVAL;
	}
	return 0;
}

static int builder_event(struct yaml_builder *b, const yaml_event_t *ev)
{
	int err = refuse_yaml_features(b, ev);

	if (err)
		return err;
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		b->root = NULL;
		return 0;
	case YAML_DOCUMENT_END_EVENT:
		/* An empty document (a stray `---`) holds no policy: skip it. */
		if (b->root && !json_is_null(b->root)) {
			if (json_array_append_new(b->documents, b->root)) {
				b->root = NULL;
				return -ENOMEM;
			}
		} else {
			json_decref(b->root);
		}
		b->root = NULL;
		return 0;
	case YAML_SCALAR_EVENT:
		return builder_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return builder_open(b, ev, false);
	case YAML_MAPPING_START_EVENT:
		return builder_open(b, ev, true);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return builder_close(b, ev);
	default:
		return 0;
	}
}

static json_t *yaml_to_json(const char *file, const char *text, size_t len,
			    struct policy_error *err)
{
	struct yaml_builder b = {.file = file, .err = err};
	yaml_parser_t parser;
	bool done = false;
	int ret = 0;

	if (!yaml_parser_initialize(&parser))
		return NULL;
	b.documents = json_array();
	if (!b.documents)
		goto out_parser;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && !ret) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&parser, &ev)) {
			/* libyaml's reader (bad UTF-8, a control character) has no mark, an offset. */
			if (parser.error == YAML_READER_ERROR) {
				text_error(err, file, "byte %zu: YAML: %s", parser.problem_offset,
					   parser.problem ? parser.problem : "unreadable input");
				ret = -EINVAL;
				break;
			}
			text_error(err, file, "line %zu column %zu: YAML: %s%s%s",
				   parser.problem_mark.line + 1, parser.problem_mark.column + 1,
				   parser.problem ? parser.problem : "syntax error",
				   parser.context ? " " : "", parser.context ? parser.context : "");
			ret = -EINVAL;
			break;
		}
		ret = builder_event(&b, &ev);
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	builder_clear_stack(&b);
	if (ret) {
		if (ret == -ENOMEM)
			text_error(err, file, "out of memory");
		json_decref(b.root);
		json_decref(b.documents);
		b.documents = NULL;
	}
out_parser:
	yaml_parser_delete(&parser);
	return b.documents;
}

static json_t *json_text_to_json(const char *file, const char *text, size_t len,
				 struct policy_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *docs;

	if (!root) {
		text_error(err, file, "line %d column %d: JSON: %s", jerr.line, jerr.column,
			   jerr.text);
		return NULL;
	}
	if (json_is_array(root))
		return root;
	docs = json_array();
	if (!docs || json_array_append_new(docs, root)) {
		json_decref(docs);
		text_error(err, file, "out of memory");
		return NULL;
	}
	return docs;
}

json_t *policy_text_to_json(const char *file, const char *text, size_t len,
			    struct policy_error *err)
{
	size_t i = 0, bom = 0;

	if (len > POLICY_TEXT_MAX) {
		text_error(err, file, "%zu bytes: larger than the %u bytes a policy file may have",
			   len, POLICY_TEXT_MAX);
		return NULL;
	}
	/* A UTF-8 byte order mark: libyaml skips it, jansson would not. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		i = bom = 3;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	/* JSON is one object or an array; anything else is YAML (which may be JSON-like). */
	if (i < len && (text[i] == '{' || text[i] == '['))
		return json_text_to_json(file, text + bom, len - bom, err);
	return yaml_to_json(file, text, len, err);
}
