/* vectors.h: a small, strict reader for test vectors stored as flat JSON.
 *
 * The format (STYLE.md, "Vectors are data with their source"): a file holds
 * one flat JSON object, or a JSON array of flat objects.  A flat object maps
 * names to values; a value is a JSON string (escapes \" \\ \/ \n \t only)
 * or a non-negative decimal integer, kept as its text.  Anything else
 * (nested objects or arrays, true/false/null, floats, negative numbers,
 * \u escapes, duplicate names, trailing garbage) is refused, so a typo in a
 * vector file fails loudly instead of silently dropping a field.
 *
 *   { "source": "RFC 7714 §16.1.1", "key": "000102...", "pt": "8040f17b ..." }
 *
 * Hex values may contain spaces (wf_vec_hex skips them), so vectors can be
 * written as the RFC prints them.
 */
#ifndef WF_TEST_VECTORS_H
#define WF_TEST_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#define WF_VEC_MAX_FIELDS	24	/* fields per object */
#define WF_VEC_MAX_OBJECTS	256	/* objects per file */
#define WF_VEC_MAX_NAME		32	/* bytes of a field name, with its NUL */
#define WF_VEC_MAX_FILE		(1u << 20)

struct wf_vec_field {
	char name[WF_VEC_MAX_NAME];
	char *value;		/* NUL-terminated, points into the file's arena */
};

struct wf_vec {
	struct wf_vec_field f[WF_VEC_MAX_FIELDS];
	unsigned n;
};

struct wf_vec_file {
	struct wf_vec *v;	/* n objects */
	unsigned n;
	char *arena;		/* decoded string values */
};

/* Parses len bytes of text.  On success fills *out (free it with
 * wf_vec_free) and returns the number of objects; otherwise returns
 * -EINVAL (malformed), -E2BIG (past a WF_VEC_MAX_* limit) or -ENOMEM, and
 * *out is left empty.  Never reads outside text[0..len). */
int wf_vec_parse(const char *text, size_t len, struct wf_vec_file *out);
/* Reads and parses a file: the object count or -errno. */
int wf_vec_load(const char *path, struct wf_vec_file *out);
void wf_vec_free(struct wf_vec_file *f);

/* The value of a field, or NULL when absent. */
const char *wf_vec_str(const struct wf_vec *v, const char *name);
/* Decodes a hex field into out: the byte count, or -1 when the field is
 * absent, not hex, or longer than cap. */
int wf_vec_hex(const struct wf_vec *v, const char *name, uint8_t *out, size_t cap);
/* Reads a field as an unsigned number (decimal, or hex with 0x): 0 or -1. */
int wf_vec_u64(const struct wf_vec *v, const char *name, uint64_t *out);
/* Path of a vector file under the vector directory ($WF_VECTORS, default
 * "tests/vectors"): writes "<dir>/<rel>" into buf and returns buf. */
const char *wf_vec_path(char *buf, size_t cap, const char *rel);

#endif
