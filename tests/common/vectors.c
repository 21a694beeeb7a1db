/* vectors.c: the flat-JSON vector reader behind tests/common/vectors.h. */
#include "vectors.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wf_test.h"

struct vec_parser {
	const char *p;
	const char *end;
	char *arena;		/* next free byte */
	char *arena_end;
};

static void skip_ws(struct vec_parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				   *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int expect(struct vec_parser *ps, char c)
{
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != c)
		return -EINVAL;
	ps->p++;
	return 0;
}

/* Decodes a JSON string at ps->p into the arena; *out points at it. */
static int parse_string(struct vec_parser *ps, char **out)
{
	char *dst = ps->arena;

	if (expect(ps, '"') < 0)
		return -EINVAL;
	for (;;) {
		unsigned char c;

		if (ps->p >= ps->end)
			return -EINVAL;
		c = (unsigned char)*ps->p++;
		if (c == '"')
			break;
		if (c < 0x20)
			return -EINVAL;	/* raw control characters are not JSON */
		if (c == '\\') {
			if (ps->p >= ps->end)
				return -EINVAL;
			switch (*ps->p++) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			default: return -EINVAL;
			}
		}
		if (dst >= ps->arena_end)
			return -ENOMEM;
		*dst++ = (char)c;
	}
	if (dst >= ps->arena_end)
		return -ENOMEM;
	*dst++ = '\0';
	*out = ps->arena;
	ps->arena = dst;
	return 0;
}

/* A non-negative decimal integer without leading zeros, kept as text. */
static int parse_number(struct vec_parser *ps, char **out)
{
	const char *start = ps->p;
	size_t n;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	n = (size_t)(ps->p - start);
	if (n == 0 || n > 20 || (n > 1 && start[0] == '0'))
		return -EINVAL;
	if (ps->p < ps->end && (*ps->p == '.' || *ps->p == 'e' || *ps->p == 'E'))
		return -EINVAL;
	if ((size_t)(ps->arena_end - ps->arena) < n + 1)
		return -ENOMEM;
	memcpy(ps->arena, start, n);
	ps->arena[n] = '\0';
	*out = ps->arena;
	ps->arena += n + 1;
	return 0;
}

static int parse_object(struct vec_parser *ps, struct wf_vec *v)
{
	int rc;

	v->n = 0;
	if (expect(ps, '{') < 0)
		return -EINVAL;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return 0;
	}
	for (;;) {
		char *name, *value;
		unsigned i;

		rc = parse_string(ps, &name);
		if (rc < 0)
			return rc;
		if (strlen(name) >= WF_VEC_MAX_NAME || name[0] == '\0')
			return -EINVAL;
		for (i = 0; i < v->n; i++)
			if (strcmp(v->f[i].name, name) == 0)
				return -EINVAL;	/* duplicate name */
		if (v->n >= WF_VEC_MAX_FIELDS)
			return -E2BIG;
		if (expect(ps, ':') < 0)
			return -EINVAL;
		skip_ws(ps);
		if (ps->p >= ps->end)
			return -EINVAL;
		rc = *ps->p == '"' ? parse_string(ps, &value) : parse_number(ps, &value);
		if (rc < 0)
			return rc;
		strcpy(v->f[v->n].name, name);
		v->f[v->n].value = value;
		v->n++;
		skip_ws(ps);
		if (ps->p >= ps->end)
			return -EINVAL;
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == '}') {
			ps->p++;
			return 0;
		}
		return -EINVAL;
	}
}

void wf_vec_free(struct wf_vec_file *f)
{
	if (!f)
		return;
	free(f->v);
	free(f->arena);
	f->v = NULL;
	f->arena = NULL;
	f->n = 0;
}

int wf_vec_parse(const char *text, size_t len, struct wf_vec_file *out)
{
	struct vec_parser ps;
	struct wf_vec_file f = { 0 };
	size_t arena_len;
	bool array;
	int rc = -EINVAL;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!text || len > WF_VEC_MAX_FILE)
		return text ? -E2BIG : -EINVAL;
	/* Each decoded value is no longer than its source and one NUL. */
	arena_len = len + 1;
	f.arena = malloc(arena_len);
	f.v = calloc(WF_VEC_MAX_OBJECTS, sizeof(*f.v));
	if (!f.arena || !f.v) {
		wf_vec_free(&f);
		return -ENOMEM;
	}
	ps.p = text;
	ps.end = text + len;
	ps.arena = f.arena;
	ps.arena_end = f.arena + arena_len;

	skip_ws(&ps);
	if (ps.p >= ps.end)
		goto fail;
	array = *ps.p == '[';
	if (array) {
		ps.p++;
		skip_ws(&ps);
		if (ps.p < ps.end && *ps.p == ']') {
			ps.p++;
			goto done;
		}
	}
	for (;;) {
		if (f.n >= WF_VEC_MAX_OBJECTS) {
			rc = -E2BIG;
			goto fail;
		}
		rc = parse_object(&ps, &f.v[f.n]);
		if (rc < 0)
			goto fail;
		f.n++;
		if (!array)
			break;
		rc = -EINVAL;
		skip_ws(&ps);
		if (ps.p >= ps.end)
			goto fail;
		if (*ps.p == ',') {
			ps.p++;
			continue;
		}
		if (*ps.p != ']')
			goto fail;
		ps.p++;
		break;
	}
done:
	skip_ws(&ps);
	rc = -EINVAL;
	if (ps.p != ps.end)
		goto fail;	/* trailing garbage */
	*out = f;
	return (int)f.n;
fail:
	wf_vec_free(&f);
	return rc;
}

int wf_vec_load(const char *path, struct wf_vec_file *out)
{
	FILE *fp;
	char *buf;
	size_t n;
	int rc;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	fp = fopen(path, "rb");
	if (!fp)
		return -errno;
	buf = malloc(WF_VEC_MAX_FILE + 1);
	if (!buf) {
		fclose(fp);
		return -ENOMEM;
	}
	n = fread(buf, 1, WF_VEC_MAX_FILE + 1, fp);
	rc = ferror(fp) ? -EIO : 0;
	fclose(fp);
	if (rc == 0)
		rc = n > WF_VEC_MAX_FILE ? -E2BIG : wf_vec_parse(buf, n, out);
	free(buf);
	return rc;
}

const char *wf_vec_str(const struct wf_vec *v, const char *name)
{
	unsigned i;

	for (i = 0; v && i < v->n; i++)
		if (strcmp(v->f[i].name, name) == 0)
			return v->f[i].value;
	return NULL;
}

int wf_vec_hex(const struct wf_vec *v, const char *name, uint8_t *out, size_t cap)
{
	const char *s = wf_vec_str(v, name);

	return s ? wf_test_unhex(s, out, cap) : -1;
}

int wf_vec_u64(const struct wf_vec *v, const char *name, uint64_t *out)
{
	const char *s = wf_vec_str(v, name);
	unsigned long long x;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	if ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) &&
	    (!s[2] || s[2] == '-' || s[2] == '+' || s[2] == ' '))
		return -1;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		x = strtoull(s + 2, &end, 16);
	else
		x = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = x;
	return 0;
}

const char *wf_vec_path(char *buf, size_t cap, const char *rel)
{
	const char *dir = getenv("WF_VECTORS");

	if (!dir || !*dir)
		dir = "tests/vectors";
	snprintf(buf, cap, "%s/%s", dir, rel);
	return buf;
}
