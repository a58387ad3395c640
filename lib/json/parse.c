/* parse.c — strict request-body parsing: jansson plus the limits of DJ_MAX_JSON_* checked first. */
#include <stdio.h>
#include <string.h>
#include "dj/json.h"
#include "dj/slice.h"
#include "dj/banned.h"

/* A pre-scan that bounds nesting depth before jansson builds a tree, so a
 * "[[[[..." body cannot exhaust the stack or memory. Strings are skipped. */
static dj_rc prescan(const char *s, size_t n, char *err, size_t errlen)
{
	int depth = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '"') {
			size_t start = ++i;
			while (i < n && s[i] != '"') {
				if (s[i] == '\\')
					i++;
				i++;
			}
			if (i - start > DJ_MAX_JSON_STRING) {
				snprintf(err, errlen, "JSON 字符串过长（上限 %d 字节）", DJ_MAX_JSON_STRING);
				return DJ_ERR_TOOBIG;
			}
		} else if (c == '{' || c == '[') {
			if (++depth > DJ_MAX_JSON_DEPTH) {
				snprintf(err, errlen, "JSON 嵌套层数过深（上限 %d 层）", DJ_MAX_JSON_DEPTH);
				return DJ_ERR_BADREQ;
			}
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return DJ_OK;
}

static dj_rc check_arrays(const json_t *v, char *err, size_t errlen)
{
	size_t i;
	const char *k;
	json_t *x;
	if (json_is_array(v)) {
		if (json_array_size(v) > DJ_MAX_JSON_ARRAY) {
			snprintf(err, errlen, "JSON 数组过长（上限 %d 项）", DJ_MAX_JSON_ARRAY);
			return DJ_ERR_TOOBIG;
		}
		json_array_foreach(v, i, x) {
			dj_rc rc = check_arrays(x, err, errlen);
			if (rc)
				return rc;
		}
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)(uintptr_t)v, k, x) {
			dj_rc rc = check_arrays(x, err, errlen);
			if (rc)
				return rc;
		}
	}
	return DJ_OK;
}

dj_rc dj_json_parse_body(const char *body, size_t len, json_t **out, char *err, size_t errlen)
{
	json_error_t je;
	*out = NULL;
	if (!body || len == 0) {
		snprintf(err, errlen, "请求体为空，应为 JSON 对象");
		return DJ_ERR_BADREQ;
	}
	if (!dj_utf8_valid(body, len)) {
		snprintf(err, errlen, "请求体不是有效的 UTF-8 编码");
		return DJ_ERR_BADREQ;
	}
	dj_rc rc = prescan(body, len, err, errlen);
	if (rc)
		return rc == DJ_ERR_TOOBIG ? DJ_ERR_TOOBIG : DJ_ERR_BADREQ;
	json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!v) {
		snprintf(err, errlen, "JSON 格式错误（第 %d 行第 %d 列）：%s", je.line, je.column, je.text);
		return DJ_ERR_BADREQ;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		snprintf(err, errlen, "请求体应为 JSON 对象");
		return DJ_ERR_BADREQ;
	}
	rc = check_arrays(v, err, errlen);
	if (rc) {
		json_decref(v);
		return rc;
	}
	*out = v;
	return DJ_OK;
}

dj_rc dj_json_only_keys(const json_t *obj, const char *const *allowed, const char **bad_key)
{
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)(uintptr_t)obj, k, x) {
		int ok = 0;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, k) == 0) {
				ok = 1;
				break;
			}
		if (!ok) {
			*bad_key = k;
			return DJ_ERR_INVALID;
		}
	}
	return DJ_OK;
}
