/* fuzz_body.c — libFuzzer target: a request body through the server's own path, dj_json_parse_body
 * (strict JSON, limits), then dj_model_unpack for every entity in dj_schema_entities, as a create
 * and as an update.
 *
 * Properties (checked from the descriptor, not from the unpacker's code): a result is DJ_OK or
 * DJ_ERR_INVALID; a refusal names a field and gives a reason. What is accepted holds only the
 * entity's own client-writable fields, every key present is marked set and nothing else is; each
 * set value has the field's type and limits — text valid UTF-8 without NUL or control characters
 * and within max_len characters, dates real YYYY-MM-DD, codes in their code list, code sets
 * ",a,b," of distinct listed codes, integers in [min, max], references ≥ 1, booleans 0/1 — and a
 * create carries every required field. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dj/alloc.h"
#include "dj/codes.h"
#include "dj/date.h"
#include "dj/json.h"
#include "dj/model.h"
#include "dj/schema.h"
#include "dj/slice.h"
#include "dj/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const struct dj_entity *e, const char *field, const char *what)
{
	fprintf(stderr, "fuzz_body: entity %s, field %s: %s\n", e->name, field ? field : "-", what);
	abort();
}

static size_t chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void check_value(const struct dj_entity *e, const struct dj_field *f, const struct dj_value *v)
{
	struct dj_date d;
	switch (f->type) {
	case DJ_FT_TEXT: {
		if (!v->s || !*v->s)
			fail(e, f->name, "empty text not stored as null");
		size_t n = strlen(v->s);
		if (!dj_utf8_valid(v->s, n))
			fail(e, f->name, "text is not valid UTF-8");
		if (chars(v->s) > (size_t)(f->max_len ? f->max_len : 200))
			fail(e, f->name, "text longer than max_len");
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)v->s[i] < 0x20 && v->s[i] != '\n' && v->s[i] != '\t')
				fail(e, f->name, "control character in text");
		break;
	}
	case DJ_FT_DATE:
		if (!v->s || dj_date_parse(v->s, strlen(v->s), &d) != DJ_OK)
			fail(e, f->name, "not a real YYYY-MM-DD date");
		break;
	case DJ_FT_CODE:
		if (!v->s || !dj_codes_label(f->codes, v->s))
			fail(e, f->name, "code not in its list");
		break;
	case DJ_FT_CODES: {
		size_t n = v->s ? strlen(v->s) : 0;
		if (n < 3 || v->s[0] != ',' || v->s[n - 1] != ',')
			fail(e, f->name, "code set not stored as \",a,b,\"");
		char buf[4096];
		if (n >= sizeof(buf))
			fail(e, f->name, "code set longer than its list allows");
		memcpy(buf, v->s, n + 1);
		for (char *p = buf + 1; *p;) {
			char *comma = strchr(p, ',');
			*comma = '\0';
			if (!*p || !dj_codes_label(f->codes, p))
				fail(e, f->name, "code set holds a code not in its list");
			char probe[160];
			snprintf(probe, sizeof(probe), ",%s,", p);
			const char *first = strstr(v->s, probe);
			if (!first || strstr(first + 1, probe))
				fail(e, f->name, "code set holds a code twice");
			p = comma + 1;
		}
		break;
	}
	case DJ_FT_INT:
	case DJ_FT_MONEY:
		if (v->i < f->min || v->i > f->max)
			fail(e, f->name, "integer out of [min, max]");
		break;
	case DJ_FT_REF:
		if (v->i < 1)
			fail(e, f->name, "reference id below 1");
		break;
	case DJ_FT_BOOL:
		if (v->i != 0 && v->i != 1)
			fail(e, f->name, "boolean not 0/1");
		break;
	}
}

static void one(const struct dj_entity *e, const json_t *obj, bool create)
{
	struct dj_arena a = DJ_ARENA_INIT;
	struct dj_value *vals = dj_calloc(e->nfields ? e->nfields : 1, sizeof(*vals));
	struct dj_model_err err;
	memset(&err, 0, sizeof(err));
	dj_rc rc = dj_model_unpack(e, obj, create, &a, vals, &err);
	if (rc != DJ_OK && rc != DJ_ERR_INVALID)
		fail(e, NULL, "result is neither DJ_OK nor DJ_ERR_INVALID");
	if (rc) {
		if (!err.field || !err.msg[0])
			fail(e, err.field, "a refusal without a field or a reason");
		goto out;
	}
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)(uintptr_t)obj, k, x) {
		int i = dj_model_field(e, k);
		if (i < 0)
			fail(e, k, "unknown key accepted");
		if (e->fields[i].flags & DJ_FF_SERVER)
			fail(e, k, "server-set field accepted from a client");
	}
	for (size_t i = 0; i < e->nfields; i++) {
		const struct dj_field *f = &e->fields[i];
		const struct dj_value *v = &vals[i];
		if (v->set != (json_object_get(obj, f->name) != NULL))
			fail(e, f->name, "set flag does not match the body");
		if (!v->set)
			continue;
		if (v->null) {
			if (f->flags & DJ_FF_REQUIRED)
				fail(e, f->name, "required field accepted as null");
			continue;
		}
		check_value(e, f, v);
	}
	if (create)
		for (size_t i = 0; i < e->nfields; i++) {
			const struct dj_field *f = &e->fields[i];
			if ((f->flags & DJ_FF_REQUIRED) && !(f->flags & DJ_FF_SERVER) && (!vals[i].set || vals[i].null))
				fail(e, f->name, "create accepted without a required field");
		}
out:
	dj_free(vals);
	dj_arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *obj = NULL;
	char err[256];
	if (dj_json_parse_body((const char *)data, size, &obj, err, sizeof(err)) != DJ_OK)
		return 0;
	if (!json_is_object(obj))
		abort(); /* the body parser promises an object */
	for (const struct dj_entity *const *e = dj_schema_entities; *e; e++) {
		one(*e, obj, true);
		one(*e, obj, false);
	}
	json_decref(obj);
	return 0;
}
