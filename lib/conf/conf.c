/* conf.c: loads and validates the libconfig file into struct wf_config.
 *
 * How it reads: every group of the file has a keyword table (struct wf_key
 * rows: name, expected type, handler, and for the generic handlers the
 * field's offset, size and range).  walk_group() checks the group's members
 * against its table: unknown names are errors (with a "did you mean"),
 * required ones must be there, each present one must have the expected
 * type, and then its handler stores it.  Lists of groups (ports, streams,
 * tracks, outputs) go through walk_list(), whose element function walks the
 * element's table and then runs the checks that need several settings
 * (gateway inside the subnet, codec against kind, unique names and ports).
 *
 * Errors never stop the walk: report() formats "file:line: path: text" and
 * counts it, so one run shows every problem (up to diag->max_errors).
 */
#include "conf/conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libconfig.h>

#include "conf/base64.h"
#include "conf/literal.h"
#include "conf/text.h"
#include "sdp/sdp_match.h"

#define WF_WALK_PATH_LEN	160	/* "streams[255].outputs[63].srtp_profile" fits */
#define WF_WALK_WIDE_MAX	64	/* lines with over-wide integers remembered */

struct wf_walk {
	const char *file;		/* for settings that do not know theirs */
	struct wf_config_diag *diag;
	unsigned n_errors;
	unsigned delivered;
	struct wf_config *cfg;		/* being built */
	unsigned stream_idx;		/* stream being walked */
	bool key_ok;			/* srtp_key of the output being walked decoded */
	char path[WF_WALK_PATH_LEN];
	size_t path_len;
	int n_wide;
	unsigned wide[WF_WALK_WIDE_MAX];
};

enum wf_ktype { K_INT, K_BOOL, K_STR, K_GROUP, K_LIST, K_STRS };

struct wf_key;
/* A handler stores setting s (already of the key's type) into obj.
 * Returns 0 or -EINVAL after reporting. */
typedef int (*wf_key_fn)(struct wf_walk *w, const config_setting_t *s,
			 const struct wf_key *k, void *obj);
/* Checks that need the whole group g, after its members were stored. */
typedef int (*wf_group_fn)(struct wf_walk *w, const config_setting_t *g, void *obj);

struct wf_name_value {
	const char *name;
	int value;
};

struct wf_key {
	const char *name;
	enum wf_ktype type;
	bool required;
	wf_key_fn set;
	size_t off, size;		/* field in obj (generic handlers) */
	long long min, max;		/* K_INT: range; K_STR: length */
	const char *what;		/* K_INT: "is not a UDP port" */
	const char *(*check)(const char *v);	/* K_STR: NULL or why v is refused */
	const struct wf_name_value *names;	/* enumerations */
	const struct wf_key *sub;	/* K_GROUP: the group's table */
	wf_group_fn finish;		/* K_GROUP: checks across members */
};

#define FIELD_SIZE(T, f)	sizeof(((T *)0)->f)
#define KEY_UINT(T, f, req, lo, hi, what_) \
	{ .name = #f, .type = K_INT, .required = (req), .set = set_uint, \
	  .off = offsetof(T, f), .size = FIELD_SIZE(T, f), .min = (lo), .max = (hi), \
	  .what = (what_) }
#define KEY_BOOL(T, f) \
	{ .name = #f, .type = K_BOOL, .set = set_bool, .off = offsetof(T, f) }
#define KEY_STR(T, f, req, minlen, check_) \
	{ .name = #f, .type = K_STR, .required = (req), .set = set_string, \
	  .off = offsetof(T, f), .size = FIELD_SIZE(T, f), .min = (minlen), \
	  .max = (long long)FIELD_SIZE(T, f) - 1, .check = (check_) }
#define KEY_ENUM(T, f, req, names_) \
	{ .name = #f, .type = K_STR, .required = (req), .set = set_enum, \
	  .off = offsetof(T, f), .size = FIELD_SIZE(T, f), .names = (names_) }
#define KEY_GROUP(T, f, sub_, finish_) \
	{ .name = #f, .type = K_GROUP, .set = set_group, .off = offsetof(T, f), \
	  .sub = (sub_), .finish = (finish_) }
#define KEY_CUSTOM(name_, type_, req, fn) \
	{ .name = (name_), .type = (type_), .required = (req), .set = (fn) }

/* ------------------------------------------------------------------ */
/* Reporting                                                            */

static void deliver(struct wf_walk *w, const char *msg)
{
	struct wf_config_diag *d = w->diag;
	size_t len, room;

	if (!d)
		return;
	if (d->fn)
		d->fn(d->arg, msg);
	if (!d->buf || d->buf_size == 0 || d->buf_used + 1 >= d->buf_size)
		return;
	room = d->buf_size - d->buf_used - 1;	/* keep the NUL */
	len = strlen(msg);
	if (len > room)
		len = room;
	memcpy(d->buf + d->buf_used, msg, len);
	d->buf_used += len;
	if (d->buf_used + 1 < d->buf_size)
		d->buf[d->buf_used++] = '\n';
	d->buf[d->buf_used] = '\0';
}

static unsigned max_errors(const struct wf_walk *w)
{
	return w->diag && w->diag->max_errors ? w->diag->max_errors : WF_CONF_MAX_ERRORS;
}

/* Counts one error and delivers "prefix: text" while under the limit. */
static void vreport_prefix(struct wf_walk *w, const char *prefix, const char *fmt, va_list ap)
{
	char msg[WF_CONF_MSG_LEN];
	int n;

	w->n_errors++;
	if (w->delivered >= max_errors(w))
		return;	/* counted, not formatted: 10000 bad streams cost little */
	w->delivered++;
	n = snprintf(msg, sizeof(msg), "%s: ", prefix);
	if (n >= 0 && (size_t)n < sizeof(msg))
		vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	deliver(w, msg);
}

static int report_plain(struct wf_walk *w, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int report_plain(struct wf_walk *w, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport_prefix(w, prefix, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Reports "file:line: path: text" for setting s at the current path.
 * Returns -EINVAL so handlers can `return report(...)`. */
static int report(struct wf_walk *w, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int report(struct wf_walk *w, const config_setting_t *s, const char *fmt, ...)
{
	char prefix[WF_CONF_MSG_LEN];
	const char *file = s ? config_setting_source_file(s) : NULL;
	va_list ap;

	unsigned line = s ? config_setting_source_line(s) : 0;

	/* the root group has no line: "file: ports: missing" */
	if (line)
		snprintf(prefix, sizeof(prefix), "%s:%u: %s", file ? file : w->file, line,
			 w->path_len ? w->path : "(top level)");
	else
		snprintf(prefix, sizeof(prefix), "%s: %s", file ? file : w->file,
			 w->path_len ? w->path : "(top level)");
	va_start(ap, fmt);
	vreport_prefix(w, prefix, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static size_t path_push(struct wf_walk *w, const char *name)
{
	size_t old = w->path_len;
	int n = snprintf(w->path + old, sizeof(w->path) - old, "%s%s", old ? "." : "", name);

	w->path_len = n < 0 ? old : old + (size_t)n;
	if (w->path_len >= sizeof(w->path))
		w->path_len = sizeof(w->path) - 1;	/* truncated, still a string */
	return old;
}

static size_t path_push_index(struct wf_walk *w, unsigned i)
{
	size_t old = w->path_len;
	int n = snprintf(w->path + old, sizeof(w->path) - old, "[%u]", i);

	w->path_len = n < 0 ? old : old + (size_t)n;
	if (w->path_len >= sizeof(w->path))
		w->path_len = sizeof(w->path) - 1;
	return old;
}

static void path_pop(struct wf_walk *w, size_t old)
{
	w->path_len = old;
	w->path[old] = '\0';
}

/* Reports about member `name` of group g: at the member's line when it is
 * there (a value that is wrong), else at the group's (a value missing). */
static int report_member(struct wf_walk *w, const config_setting_t *g, const char *name,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int report_member(struct wf_walk *w, const config_setting_t *g, const char *name,
			 const char *fmt, ...)
{
	const config_setting_t *m = config_setting_get_member(g, name);
	char text[WF_CONF_MSG_LEN];
	size_t old = path_push(w, name);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	report(w, m ? m : g, "%s", text);
	path_pop(w, old);
	return -EINVAL;
}

/* Writes s quoted into out for a message: at most 40 characters, others
 * as \xNN, "..." when cut.  A 1 MiB value stays a short message. */
static const char *quote(const char *s, char *out, size_t cap)
{
	size_t o = 0, i;

	if (cap < 8)
		return "";
	out[o++] = '"';
	for (i = 0; s[i] && o + 6 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == 40) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			snprintf(out + o, cap - o, "\\x%02x", c);
			o += 4;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/* ------------------------------------------------------------------ */
/* Names, codecs, enumerations                                          */

static const struct wf_conf_codec_info wf_conf_codecs[WF_CONF_CODEC_COUNT] = {
	/* RFC 6184 §8.2.1: 90 kHz */
	[WF_CONF_H264] = { .codec = WF_CONF_H264, .name = "H264", .kind = WF_CONF_VIDEO,
			   .clock_rate = 90000, .static_pt = -1 },
	/* RFC 7741 §6.1 */
	[WF_CONF_VP8] = { .codec = WF_CONF_VP8, .name = "VP8", .kind = WF_CONF_VIDEO,
			  .clock_rate = 90000, .static_pt = -1 },
	/* RFC 9628 §7.1 */
	[WF_CONF_VP9] = { .codec = WF_CONF_VP9, .name = "VP9", .kind = WF_CONF_VIDEO,
			  .clock_rate = 90000, .static_pt = -1 },
	/* AV1 RTP payload format (AOM) §7.1 */
	[WF_CONF_AV1] = { .codec = WF_CONF_AV1, .name = "AV1", .kind = WF_CONF_VIDEO,
			  .clock_rate = 90000, .static_pt = -1 },
	/* RFC 7587 §7: always opus/48000/2 in SDP */
	[WF_CONF_OPUS] = { .codec = WF_CONF_OPUS, .name = "opus", .kind = WF_CONF_AUDIO,
			   .clock_rate = 48000, .channels = 2, .static_pt = -1 },
	/* RFC 3551 §6, table 4 */
	[WF_CONF_PCMU] = { .codec = WF_CONF_PCMU, .name = "PCMU", .kind = WF_CONF_AUDIO,
			   .clock_rate = 8000, .channels = 1, .static_pt = 0 },
	[WF_CONF_PCMA] = { .codec = WF_CONF_PCMA, .name = "PCMA", .kind = WF_CONF_AUDIO,
			   .clock_rate = 8000, .channels = 1, .static_pt = 8 },
};

static const struct wf_name_value wf_codec_names[] = {
	{ "H264", WF_CONF_H264 }, { "VP8", WF_CONF_VP8 }, { "VP9", WF_CONF_VP9 },
	{ "AV1", WF_CONF_AV1 }, { "opus", WF_CONF_OPUS }, { "PCMU", WF_CONF_PCMU },
	{ "PCMA", WF_CONF_PCMA }, { NULL, 0 }
};

static const struct wf_name_value wf_kind_names[] = {
	{ "video", WF_CONF_VIDEO }, { "audio", WF_CONF_AUDIO }, { NULL, 0 }
};

static const struct wf_name_value wf_ingest_names[] = {
	{ "rtp", WF_CONF_INGEST_RTP }, { "whip", WF_CONF_INGEST_WHIP }, { NULL, 0 }
};

/* DPDK's own level names (rte_log.c), numbered as RTE_LOG_*. */
static const struct wf_name_value wf_log_names[] = {
	{ "emergency", WF_CONF_LOG_EMERG }, { "alert", WF_CONF_LOG_ALERT },
	{ "critical", WF_CONF_LOG_CRIT }, { "error", WF_CONF_LOG_ERR },
	{ "warning", WF_CONF_LOG_WARNING }, { "notice", WF_CONF_LOG_NOTICE },
	{ "info", WF_CONF_LOG_INFO }, { "debug", WF_CONF_LOG_DEBUG }, { NULL, 0 }
};

#define WF_ENGINE_MEASURE	(-1)
static const struct wf_name_value wf_engine_names[] = {
	{ "auto", WF_SRTP_ARCH_AUTO }, { "measure", WF_ENGINE_MEASURE },
	{ "sse", WF_SRTP_ARCH_SSE }, { "avx2", WF_SRTP_ARCH_AVX2 },
	{ "avx512", WF_SRTP_ARCH_AVX512 }, { NULL, 0 }
};

static const char *name_of(const struct wf_name_value *t, int v)
{
	for (; t->name; t++)
		if (t->value == v)
			return t->name;
	return NULL;
}

static int value_of(const struct wf_name_value *t, const char *name)
{
	for (; t->name; t++)
		if (strcasecmp(t->name, name) == 0)
			return t->value;
	return -EINVAL;
}

const struct wf_conf_codec_info *wf_conf_codec(enum wf_conf_codec c)
{
	if ((unsigned)c >= WF_CONF_CODEC_COUNT)
		return NULL;
	return &wf_conf_codecs[c];
}

int wf_conf_codec_by_name(const char *name)
{
	if (!name)
		return -EINVAL;
	return value_of(wf_codec_names, name);
}

const char *wf_conf_kind_name(enum wf_conf_kind k)
{
	return name_of(wf_kind_names, (int)k);
}

const char *wf_conf_ingest_name(enum wf_conf_ingest i)
{
	return name_of(wf_ingest_names, (int)i);
}

const char *wf_conf_log_level_name(enum wf_conf_log_level l)
{
	return name_of(wf_log_names, (int)l);
}

const char *wf_conf_srtp_engine_name(const struct wf_config_srtp *s)
{
	return name_of(wf_engine_names, s->measure ? WF_ENGINE_MEASURE : (int)s->arch);
}

/* ------------------------------------------------------------------ */
/* String checks: NULL when fine, else what is wrong                    */

static bool in_set(char c, const char *extra)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr(extra, c));
}

static const char *check_stream_name(const char *v)
{
	if (!strcmp(v, "metrics"))
		return "is reserved (GET /metrics serves Prometheus)";
	for (; *v; v++)
		if (!in_set(*v, "_-"))
			return "may only hold letters, digits, '_' and '-' (it is a URL path segment)";
	return NULL;
}

/* DPDK device names: "net_tap0", "0000:01:00.0", "net_af_packet0". */
static const char *check_port_name(const char *v)
{
	for (; *v; v++)
		if (!in_set(*v, "_-.:"))
			return "is not a DPDK device name (letters, digits, '_', '-', '.', ':')";
	return NULL;
}

/* RFC 6750 §2.1 b64token: what an Authorization: Bearer value may hold. */
static const char *check_token(const char *v)
{
	const char *p = v;

	while (*p && in_set(*p, "-._~+/"))
		p++;
	while (*p == '=')
		p++;
	if (*p)
		return "may only hold letters, digits and -._~+/ with '=' at the end "
		       "(RFC 6750 §2.1 b64token)";
	return NULL;
}

/* Goes into SDP (fmtp) or an HTTP header (CORS): printable ASCII only, so
 * no line break can smuggle in another line. */
static const char *check_printable(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v > 0x7e)
			return "may only hold printable ASCII characters";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Generic handlers                                                     */

static bool wide_line(const struct wf_walk *w, unsigned line)
{
	int i;

	if (w->n_wide > WF_WALK_WIDE_MAX)
		return true;	/* too many to remember: trust no plain int */
	for (i = 0; i < w->n_wide; i++)
		if (w->wide[i] == line)
			return true;
	return false;
}

static int get_int(struct wf_walk *w, const config_setting_t *s, long long *v)
{
	if (config_setting_type(s) == CONFIG_TYPE_INT &&
	    wide_line(w, config_setting_source_line(s)))
		return report(w, s, "an integer on this line does not fit in 32 bits "
			      "(libconfig 1.5 would silently truncate it)");
	*v = config_setting_get_int64(s);
	return 0;
}

static void store_uint(void *field, size_t size, unsigned long long v)
{
	switch (size) {
	case 1: *(uint8_t *)field = (uint8_t)v; break;
	case 2: *(uint16_t *)field = (uint16_t)v; break;
	case 4: *(uint32_t *)field = (uint32_t)v; break;
	default: *(uint64_t *)field = v; break;
	}
}

static int set_uint(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k, void *obj)
{
	long long v = 0;

	if (get_int(w, s, &v) != 0)
		return -EINVAL;
	if (v < k->min || v > k->max)
		return report(w, s, "%lld %s (%lld-%lld)", v, k->what ? k->what : "is out of range",
			      k->min, k->max);
	store_uint((char *)obj + k->off, k->size, (unsigned long long)v);
	return 0;
}

static int set_bool(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k, void *obj)
{
	(void)w;
	*(bool *)((char *)obj + k->off) = config_setting_get_bool(s) != 0;
	return 0;
}

/* Checks a string value against k's length limits, control characters and
 * k->check.  Secrets are not quoted back.  Returns 0 or -EINVAL. */
static int check_string(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k,
			const char *v)
{
	size_t len = strlen(v), i;
	const char *why;

	if (len < (size_t)k->min)
		return report(w, s, "must not be empty");
	if (len > (size_t)k->max)
		return report(w, s, "is too long (%zu characters; at most %lld)", len, k->max);
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return report(w, s, "holds a control character at offset %zu", i);
	why = k->check ? k->check(v) : NULL;
	if (why)
		return report(w, s, "%s", why);
	return 0;
}

static int set_string(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k, void *obj)
{
	const char *v = config_setting_get_string(s);

	if (check_string(w, s, k, v) != 0)
		return -EINVAL;
	memcpy((char *)obj + k->off, v, strlen(v) + 1);	/* fits: len <= size - 1 */
	return 0;
}

static int set_enum(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k, void *obj)
{
	const char *v = config_setting_get_string(s);
	char q[64], list[160];
	const struct wf_name_value *n;
	size_t o = 0;
	int val = value_of(k->names, v);

	if (val != -EINVAL) {
		memcpy((char *)obj + k->off, &val, sizeof(val));
		return 0;
	}
	list[0] = '\0';
	for (n = k->names; n->name && o < sizeof(list); n++) {
		int m = snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "", n->name);

		o += m > 0 ? (size_t)m : 0;
	}
	return report(w, s, "%s is not one of: %s", quote(v, q, sizeof(q)), list);
}

static void walk_group(struct wf_walk *w, const config_setting_t *g, const struct wf_key *keys,
		       void *obj);

static int set_group(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k, void *obj)
{
	unsigned before = w->n_errors;

	walk_group(w, s, k->sub, (char *)obj + k->off);
	if (k->finish && w->n_errors == before)
		return k->finish(w, s, (char *)obj + k->off);
	return w->n_errors == before ? 0 : -EINVAL;
}

/* ------------------------------------------------------------------ */
/* The walk                                                             */

static const char *const wf_ktype_desc[] = {
	[K_INT] = "an integer",
	[K_BOOL] = "a boolean (true or false)",
	[K_STR] = "a string",
	[K_GROUP] = "a group { ... }",
	[K_LIST] = "a list ( ... ) of groups",
	[K_STRS] = "an array [ ... ] of strings",
};

static const char *setting_type_desc(int t)
{
	switch (t) {
	case CONFIG_TYPE_GROUP: return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a floating-point number";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array";
	case CONFIG_TYPE_LIST: return "a list";
	default: return "nothing";
	}
}

static bool type_ok(enum wf_ktype k, int t)
{
	switch (k) {
	case K_INT: return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
	case K_BOOL: return t == CONFIG_TYPE_BOOL;
	case K_STR: return t == CONFIG_TYPE_STRING;
	case K_GROUP: return t == CONFIG_TYPE_GROUP;
	case K_LIST: return t == CONFIG_TYPE_LIST;
	case K_STRS: return t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST;
	}
	return false;
}

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent
 * transpositions), for names of at most 32 characters; 99 beyond. */
static unsigned edit_distance(const char *a, const char *b)
{
	unsigned d[34][34];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > 32 || lb > 32)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1], best = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

static const struct wf_key *find_key(const struct wf_key *keys, const char *name)
{
	for (; keys->name; keys++)
		if (strcmp(keys->name, name) == 0)
			return keys;
	return NULL;
}

static void report_unknown(struct wf_walk *w, const config_setting_t *s, const struct wf_key *keys)
{
	const char *name = config_setting_name(s), *best = NULL;
	unsigned best_d = 3;	/* suggest only within 2 edits */

	for (; keys->name; keys++) {
		size_t la = strlen(name), lk = strlen(keys->name);
		unsigned d = edit_distance(name, keys->name);

		/* "idle_sleep" for "idle_sleep_us": a cut-off name is close too */
		if (la >= 4 && lk >= 4 && strncmp(name, keys->name, la < lk ? la : lk) == 0)
			d = 1;

		if (d < best_d && d < strlen(keys->name)) {
			best_d = d;
			best = keys->name;
		}
	}
	if (best)
		report(w, s, "unknown setting (did you mean \"%s\"?)", best);
	else
		report(w, s, "unknown setting");
}

/* Checks g's members against keys and stores them into obj.  Table order
 * is processing order, so later handlers may rely on earlier settings
 * (streams come after webrtc.udp_port). */
static void walk_group(struct wf_walk *w, const config_setting_t *g, const struct wf_key *keys,
		       void *obj)
{
	const struct wf_key *k;
	int i, n = config_setting_length(g);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		size_t old;

		if (find_key(keys, config_setting_name(s)))
			continue;
		old = path_push(w, config_setting_name(s));
		report_unknown(w, s, keys);
		path_pop(w, old);
	}
	for (k = keys; k->name; k++) {
		const config_setting_t *s = config_setting_get_member(g, k->name);
		size_t old;

		if (!s) {
			if (k->required)
				report_member(w, g, k->name, "missing (required: %s)",
					      wf_ktype_desc[k->type]);
			continue;
		}
		old = path_push(w, k->name);
		if (!type_ok(k->type, config_setting_type(s)))
			report(w, s, "expected %s, got %s", wf_ktype_desc[k->type],
			       setting_type_desc(config_setting_type(s)));
		else
			k->set(w, s, k, obj);
		path_pop(w, old);
	}
}

typedef void (*wf_elem_fn)(struct wf_walk *w, const config_setting_t *g, unsigned i);

/* Walks list s of groups: between min and max elements, each a group,
 * each handed to elem with the path "...[i]".  Returns the number of
 * elements walked (0 when the count is out of bounds). */
static unsigned walk_list(struct wf_walk *w, const config_setting_t *s, unsigned min, unsigned max,
			  const char *what, wf_elem_fn elem)
{
	unsigned n = (unsigned)config_setting_length(s), i;

	if (n > max) {
		report(w, s, "%u %s; at most %u are supported", n, what, max);
		return 0;
	}
	if (n < min) {
		report(w, s, "needs at least %u of %s", min, what);
		return 0;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, i);
		size_t old = path_push_index(w, i);

		if (!config_setting_is_group(g))
			report(w, g, "expected a group { ... }, got %s",
			       setting_type_desc(config_setting_type(g)));
		else
			elem(w, g, i);
		path_pop(w, old);
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* dpdk                                                                 */

static int set_eal(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k, void *obj)
{
	static const struct wf_key arg_key = { .name = "eal", .type = K_STR, .min = 1,
					       .max = WF_CONF_EAL_ARG_LEN };
	struct wf_config_dpdk *d = obj;
	unsigned n = (unsigned)config_setting_length(s), i;
	int rc = 0;

	(void)k;
	if (n > WF_CONF_MAX_EAL_ARGS)
		return report(w, s, "%u arguments; at most %u are supported", n, WF_CONF_MAX_EAL_ARGS);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		size_t old = path_push_index(w, i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			rc = report(w, e, "expected a string, got %s",
				    setting_type_desc(config_setting_type(e)));
		else if (check_string(w, e, &arg_key, config_setting_get_string(e)) != 0)
			rc = -EINVAL;
		else
			snprintf(d->eal[i], sizeof(d->eal[i]), "%s", config_setting_get_string(e));
		path_pop(w, old);
	}
	d->n_eal = n;
	return rc;
}

static const struct wf_key wf_dpdk_keys[] = {
	KEY_CUSTOM("eal", K_STRS, false, set_eal),
	KEY_UINT(struct wf_config_dpdk, mbufs, false, 1023, 16777215, "is not a usable mbuf count"),
	KEY_ENUM(struct wf_config_dpdk, log_level, false, wf_log_names),
	{ NULL }
};

/* ------------------------------------------------------------------ */
/* ports                                                                */

static bool is_multicast(uint32_t a)
{
	return (a >> 28) == 0xe;
}

static int set_port_address(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k,
			    void *obj)
{
	struct wf_config_port *p = obj;
	const char *v = config_setting_get_string(s);
	char q[64];
	uint32_t a, mask;
	uint8_t len;

	(void)k;
	if (wf_text_cidr4(v, &a, &len) != 0)
		return report(w, s, "%s is not an IPv4 address with a prefix length "
			      "(a.b.c.d/n, n 1-32)", quote(v, q, sizeof(q)));
	mask = wf_text_netmask(len);
	if (a == 0 || is_multicast(a) || a == 0xffffffffu)
		return report(w, s, "%s is not a unicast host address", quote(v, q, sizeof(q)));
	if (len <= 30 && ((a & ~mask) == 0 || (a & ~mask) == ~mask))
		return report(w, s, "%s is the network or broadcast address of its subnet",
			      quote(v, q, sizeof(q)));
	p->addr = a;
	p->prefix_len = len;
	p->netmask = mask;
	return 0;
}

static int set_gateway(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k,
		       void *obj)
{
	struct wf_config_port *p = obj;
	const char *v = config_setting_get_string(s);
	char q[64];
	uint32_t a;

	(void)k;
	if (wf_text_ipv4(v, strlen(v), &a) != 0 || a == 0)
		return report(w, s, "%s is not an IPv4 address", quote(v, q, sizeof(q)));
	p->gateway = a;
	p->has_gateway = true;
	return 0;
}

static const struct wf_key wf_port_keys[] = {
	KEY_STR(struct wf_config_port, name, true, 1, check_port_name),
	KEY_CUSTOM("address", K_STR, true, set_port_address),
	KEY_CUSTOM("gateway", K_STR, false, set_gateway),
	{ NULL }
};

static void walk_port(struct wf_walk *w, const config_setting_t *g, unsigned i)
{
	struct wf_config_port *p = &w->cfg->ports[i];
	unsigned j;

	memset(p, 0, sizeof(*p));
	w->cfg->n_ports = i + 1;
	walk_group(w, g, wf_port_keys, p);
	if (p->has_gateway && p->prefix_len) {
		char gw[16], net[16];
		uint32_t host = p->gateway & ~p->netmask;

		wf_text_ipv4_fmt(p->gateway, gw);
		wf_text_ipv4_fmt(p->addr & p->netmask, net);
		if ((p->gateway & p->netmask) != (p->addr & p->netmask))
			report_member(w, g, "gateway", "%s is outside the subnet %s/%u", gw, net,
				      p->prefix_len);
		else if (p->gateway == p->addr)
			report_member(w, g, "gateway", "%s is the port's own address", gw);
		else if (p->prefix_len <= 30 && (host == 0 || host == ~p->netmask))
			report_member(w, g, "gateway", "%s is the network or broadcast address of "
				      "%s/%u", gw, net, p->prefix_len);
	}
	for (j = 0; j < i; j++) {
		if (p->name[0] && strcmp(p->name, w->cfg->ports[j].name) == 0)
			report_member(w, g, "name", "port \"%s\" is already ports[%u]", p->name, j);
		if (p->prefix_len && p->addr == w->cfg->ports[j].addr)
			report_member(w, g, "address", "the address is already that of ports[%u]", j);
	}
}

static int set_ports(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k, void *obj)
{
	(void)k;
	(void)obj;
	walk_list(w, s, 1, WF_CONF_MAX_PORTS, "ports", walk_port);
	return 0;
}

/* ------------------------------------------------------------------ */
/* webrtc, http, dtls, srtp, workers                                    */

static int set_announce(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k,
			void *obj)
{
	struct wf_config_webrtc *r = obj;
	const char *v = config_setting_get_string(s);
	char q[64];
	uint32_t a;

	(void)k;
	if (v[0] == '\0') {
		r->has_announce = false;	/* "" = announce the port addresses */
		return 0;
	}
	if (wf_text_ipv4(v, strlen(v), &a) != 0 || a == 0 || is_multicast(a) || a == 0xffffffffu)
		return report(w, s, "%s is not a unicast IPv4 address", quote(v, q, sizeof(q)));
	r->announce = a;
	r->has_announce = true;
	return 0;
}

static const struct wf_key wf_webrtc_keys[] = {
	KEY_UINT(struct wf_config_webrtc, udp_port, false, 1, 65535, "is not a UDP port"),
	KEY_UINT(struct wf_config_webrtc, rtcp_sr_interval_ms, false, 100, 60000, "is out of range"),
	KEY_BOOL(struct wf_config_webrtc, nack),
	KEY_UINT(struct wf_config_webrtc, nack_budget_pct, false, 1, 100, "is out of range"),
	/* a replay must hold a key frame: a 4K IDR can take a few hundred packets */
	KEY_UINT(struct wf_config_webrtc, replay_max_packets, false, 16, 65536, "is out of range"),
	KEY_UINT(struct wf_config_webrtc, replay_per_stream_per_s, false, 1, 10000, "is out of range"),
	KEY_CUSTOM("announce", K_STR, false, set_announce),
	/* RFC 7675 §5.1 uses 30 s */
	KEY_UINT(struct wf_config_webrtc, consent_timeout_s, false, 5, 300, "is out of range"),
	KEY_UINT(struct wf_config_webrtc, handshake_timeout_s, false, 2, 120, "is out of range"),
	{ NULL }
};

static int set_listen(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k, void *obj)
{
	struct wf_config_http *h = obj;
	const char *v = config_setting_get_string(s);
	char q[64];

	(void)k;
	if (wf_text_ipv4_port(v, &h->listen_addr, &h->listen_port) != 0)
		return report(w, s, "%s is not an IPv4 address and TCP port (a.b.c.d:port)",
			      quote(v, q, sizeof(q)));
	return 0;
}

/* One network of a list (http.trusted_proxies, streams[].sources):
 * "a.b.c.d/n" (n 1-32) or a bare address (/32), host bits zero.  0 or
 * -EINVAL after reporting. */
static int cidr_elem(struct wf_walk *w, const config_setting_t *e, struct wf_conf_cidr *c)
{
	const char *v;
	char q[64], net[16];
	uint32_t a;
	uint8_t len = 32;

	if (config_setting_type(e) != CONFIG_TYPE_STRING)
		return report(w, e, "expected a string, got %s",
			      setting_type_desc(config_setting_type(e)));
	v = config_setting_get_string(e);
	if (wf_text_cidr4(v, &a, &len) != 0 && wf_text_ipv4(v, strlen(v), &a) != 0)
		return report(w, e, "%s is not an IPv4 network (a.b.c.d/n, n 1-32, or a.b.c.d)",
			      quote(v, q, sizeof(q)));
	c->mask = wf_text_netmask(len);
	if (a & ~c->mask) {
		wf_text_ipv4_fmt(a & c->mask, net);
		return report(w, e, "%s has host bits set (the network is %s/%u)",
			      quote(v, q, sizeof(q)), net, len);
	}
	c->addr = a;
	c->prefix_len = len;
	return 0;
}

/* An array or list of networks into out[max]; *n is how many were given.
 * 0 or -EINVAL after reporting each bad one. */
static int cidr_list(struct wf_walk *w, const config_setting_t *s, struct wf_conf_cidr *out,
		     unsigned max, unsigned *n)
{
	unsigned len = (unsigned)config_setting_length(s), i;
	int rc = 0;

	if (len > max)
		return report(w, s, "%u networks; at most %u are supported", len, max);
	for (i = 0; i < len; i++) {
		size_t old = path_push_index(w, i);

		if (cidr_elem(w, config_setting_get_elem(s, i), &out[i]) != 0)
			rc = -EINVAL;
		path_pop(w, old);
	}
	*n = len;
	return rc;
}

static int set_trusted_proxies(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k,
			       void *obj)
{
	struct wf_config_http *h = obj;

	(void)k;
	return cidr_list(w, s, h->trusted_proxies, WF_CONF_MAX_PROXIES, &h->n_trusted_proxies);
}

/* http.max_sessions_per_ip against max_sessions: unset, it is the default
 * or max_sessions when that is lower; set, it may not be more (a cap
 * above the whole table is a mistake worth saying, not a cap). */
static int finish_http(struct wf_walk *w, const config_setting_t *g, void *obj)
{
	struct wf_config_http *h = obj;

	if (!config_setting_get_member(g, "max_sessions_per_ip")) {
		h->max_sessions_per_ip = h->max_sessions < WF_CONF_DEF_SESSIONS_PER_IP ?
					 h->max_sessions : WF_CONF_DEF_SESSIONS_PER_IP;
		return 0;
	}
	if (h->max_sessions_per_ip > h->max_sessions)
		return report_member(w, g, "max_sessions_per_ip",
				     "%u is more than max_sessions (%u): at most max_sessions, "
				     "or 0 for no per-address cap", h->max_sessions_per_ip,
				     h->max_sessions);
	return 0;
}

static const struct wf_key wf_http_keys[] = {
	KEY_CUSTOM("listen", K_STR, false, set_listen),
	KEY_STR(struct wf_config_http, cors_origin, false, 0, check_printable),
	KEY_UINT(struct wf_config_http, max_sessions, false, 1, 1000000, "is out of range"),
	KEY_UINT(struct wf_config_http, max_body, false, 1024, 16777216, "is out of range"),
	KEY_UINT(struct wf_config_http, max_pending_per_ip, false, 1, 1000000, "is out of range"),
	KEY_UINT(struct wf_config_http, max_sessions_per_ip, false, 0, 1000000, "is out of range"),
	KEY_UINT(struct wf_config_http, post_rate_per_ip, false, 1, 1000000, "is out of range"),
	KEY_UINT(struct wf_config_http, post_burst_per_ip, false, 1, 1000000, "is out of range"),
	KEY_UINT(struct wf_config_http, request_timeout_s, false, 1, 300, "is out of range"),
	KEY_UINT(struct wf_config_http, ipv6_prefix_len, false, 32, 64, "is out of range"),
	KEY_CUSTOM("trusted_proxies", K_STRS, false, set_trusted_proxies),
	{ NULL }
};

static int finish_dtls(struct wf_walk *w, const config_setting_t *g, void *obj)
{
	struct wf_config_dtls *d = obj;

	if (d->certificate[0] && !d->private_key[0])
		return report_member(w, g, "private_key", "missing (required with certificate)");
	if (!d->certificate[0] && d->private_key[0])
		return report_member(w, g, "certificate", "missing (required with private_key)");
	return 0;
}

static const struct wf_key wf_dtls_keys[] = {
	KEY_STR(struct wf_config_dtls, certificate, false, 1, NULL),
	KEY_STR(struct wf_config_dtls, private_key, false, 1, NULL),
	KEY_UINT(struct wf_config_dtls, settle_s, false, 1, 300, "is out of range"),
	{ NULL }
};

static int set_engine(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k, void *obj)
{
	struct wf_config_srtp *sr = obj;
	int v = WF_SRTP_ARCH_COUNT;
	struct wf_key ek = *k;

	ek.off = 0;
	ek.names = wf_engine_names;
	if (set_enum(w, s, &ek, &v) != 0)
		return -EINVAL;
	sr->measure = v == WF_ENGINE_MEASURE;
	sr->arch = sr->measure ? WF_SRTP_ARCH_AUTO : (enum wf_srtp_arch)v;
	return 0;
}

static const struct wf_key wf_srtp_conf_keys[] = {
	KEY_CUSTOM("engine", K_STR, false, set_engine),
	{ NULL }
};

static const struct wf_key wf_workers_keys[] = {
	KEY_UINT(struct wf_config_workers, idle_sleep_us, false, 0, 100000, "is out of range"),
	{ NULL }
};

/* ------------------------------------------------------------------ */
/* streams, tracks, outputs                                             */

static const struct wf_key wf_track_keys[] = {
	KEY_ENUM(struct wf_config_track, kind, true, wf_kind_names),
	KEY_ENUM(struct wf_config_track, codec, true, wf_codec_names),
	/* required or refused by the stream's ingest (walk_track) */
	KEY_UINT(struct wf_config_track, port, false, 1, 65535, "is not a UDP port"),
	KEY_UINT(struct wf_config_track, payload_type, false, 0, 127, "is not an RTP payload type"),
	KEY_UINT(struct wf_config_track, clock_rate, false, 1, 1000000, "is out of range"),
	KEY_UINT(struct wf_config_track, channels, false, 1, 8, "is out of range"),
	KEY_STR(struct wf_config_track, fmtp, false, 0, check_printable),
	{ NULL }
};

/* The value of key in the fmtp list of a track, as lib/sdp reads an
 * offer's (wf_sdp_fmtp_get: keys without case, spaces and empty elements
 * skipped), into out[cap]: its length; -1 when the key is absent; -2 when
 * its value does not fit; -3 when the key is there twice (readers differ
 * on which one counts, and lib/sdp refuses such an offer). */
static int fmtp_value(const char *fmtp, const char *key, char *out, size_t cap)
{
	int n;

	if (wf_sdp_fmtp_count(fmtp, key) > 1)
		return -3;
	n = wf_sdp_fmtp_get(fmtp, key, out, cap);
	return n == -ENOSPC ? -2 : n < 0 ? -1 : n;
}

/* A WHIP H.264 track: a publisher is only taken in packetization mode 1
 * with a profile the track allows (lib/sdp, WHIP role), so a track that
 * says another mode, a profile-level-id that is not six hex digits of a
 * level of Table A-1, or either key twice could never take one. */
static void check_whip_h264(struct wf_walk *w, const config_setting_t *g,
			    const struct wf_config_track *t)
{
	char v[16];
	int n = fmtp_value(t->fmtp, "packetization-mode", v, sizeof(v));

	if (n == -3) {
		report_member(w, g, "fmtp", "packetization-mode is given twice");
		return;
	}
	if (n < 0 || strcmp(v, "1") != 0) {
		report_member(w, g, "fmtp", "needs packetization-mode=1 with ingest = \"whip\" "
			      "(the only mode a publisher is taken in)");
		return;
	}
	n = fmtp_value(t->fmtp, "profile-level-id", v, sizeof(v));
	if (n == -3)
		report_member(w, g, "fmtp", "profile-level-id is given twice");
	else if (n == -2 || (n >= 0 && (n != 6 || strspn(v, "0123456789abcdefABCDEF") != 6)))
		report_member(w, g, "fmtp", "profile-level-id is not six hex digits");
	else if (n == 6 && !wf_sdp_h264_level_valid((uint8_t)strtoul(v + 4, NULL, 16)))
		report_member(w, g, "fmtp", "profile-level-id %s names no H.264 level (Table A-1)",
			      v);
}

/* Checks codec against kind, and fills or checks payload type (RTP
 * ingest only), clock rate and channels from the codec table. */
static void check_track_codec(struct wf_walk *w, const config_setting_t *g,
			      struct wf_config_track *t, enum wf_conf_ingest ingest)
{
	const struct wf_conf_codec_info *ci = wf_conf_codec(t->codec);
	bool dynamic = t->payload_type >= WF_CONF_PT_DYNAMIC_MIN;

	if (ci->kind != t->kind) {
		report_member(w, g, "codec", "%s is a%s codec, not %s", ci->name,
			      ci->kind == WF_CONF_VIDEO ? " video" : "n audio",
			      wf_conf_kind_name(t->kind));
		return;
	}
	if (ingest != WF_CONF_INGEST_RTP) {
		/* WHIP: payload_type refused by walk_track */
		if (ingest == WF_CONF_INGEST_WHIP && t->codec == WF_CONF_H264)
			check_whip_h264(w, g, t);
	} else if (!config_setting_get_member(g, "payload_type")) {
		if (ci->static_pt < 0)
			report_member(w, g, "payload_type", "missing (required for %s: the "
				      "payload type the source sends, 96-127)", ci->name);
		else
			t->payload_type = (uint8_t)ci->static_pt;
	} else if (!dynamic && (ci->static_pt < 0 || t->payload_type != ci->static_pt)) {
		if (ci->static_pt < 0)
			report_member(w, g, "payload_type", "%u is not a dynamic payload type "
				      "(96-127), which %s needs (RFC 3551 §6)", t->payload_type,
				      ci->name);
		else
			report_member(w, g, "payload_type", "%u is neither %s's static payload "
				      "type %d nor dynamic (96-127)", t->payload_type, ci->name,
				      ci->static_pt);
	}
	if (!config_setting_get_member(g, "clock_rate"))
		t->clock_rate = ci->clock_rate;
	else if (t->clock_rate != ci->clock_rate)
		report_member(w, g, "clock_rate", "%u is not the RTP clock rate of %s (%u)",
			      t->clock_rate, ci->name, ci->clock_rate);
	if (!config_setting_get_member(g, "channels"))
		t->channels = ci->channels;
	else if (t->kind == WF_CONF_VIDEO)
		report_member(w, g, "channels", "only audio tracks have channels");
	else if (t->channels != ci->channels)
		report_member(w, g, "channels", "%u is not the channel count of %s in SDP (%u)",
			      t->channels, ci->name, ci->channels);
}

/* Ingest ports are unique over all streams and are not the WebRTC port. */
static void check_track_port(struct wf_walk *w, const config_setting_t *g, unsigned ti)
{
	const struct wf_config *cfg = w->cfg;
	const struct wf_config_track *t = &cfg->streams[w->stream_idx].tracks[ti];
	unsigned si, tj;

	if (t->port == cfg->webrtc.udp_port) {
		report_member(w, g, "port", "%u is already webrtc.udp_port", t->port);
		return;
	}
	for (si = 0; si <= w->stream_idx; si++) {
		const struct wf_config_stream *st = &cfg->streams[si];
		unsigned nt = si == w->stream_idx ? ti : st->n_tracks;

		for (tj = 0; tj < nt; tj++) {
			if (st->tracks[tj].port != t->port)
				continue;
			report_member(w, g, "port", "%u is already the ingest port of "
				      "streams[%u].tracks[%u]", t->port, si, tj);
			return;
		}
	}
}

/* A WHIP publisher's media comes over its WebRTC session, with payload
 * types its SDP offer picks: a track says only what the stream carries,
 * and the settings of RTP ingest are refused, not ignored. */
static void check_track_whip(struct wf_walk *w, const config_setting_t *g)
{
	if (config_setting_get_member(g, "port"))
		report_member(w, g, "port", "not used with ingest = \"whip\": the publisher's "
			      "media arrives on webrtc.udp_port (%u)", w->cfg->webrtc.udp_port);
	if (config_setting_get_member(g, "payload_type"))
		report_member(w, g, "payload_type", "not used with ingest = \"whip\": the "
			      "publisher's SDP offer picks the payload type (RFC 3264 §6.1)");
}

static void walk_track(struct wf_walk *w, const config_setting_t *g, unsigned i)
{
	struct wf_config_stream *st = &w->cfg->streams[w->stream_idx];
	struct wf_config_track *t = &st->tracks[i];
	unsigned j, before;
	bool clean;

	memset(t, 0, sizeof(*t));
	t->kind = WF_CONF_KIND_COUNT;	/* invalid until set */
	t->codec = WF_CONF_CODEC_COUNT;
	st->n_tracks = i + 1;
	before = w->n_errors;
	walk_group(w, g, wf_track_keys, t);
	/* an ingest already refused (WF_CONF_INGEST_COUNT) decides nothing */
	if (st->ingest == WF_CONF_INGEST_WHIP)
		check_track_whip(w, g);
	else if (st->ingest == WF_CONF_INGEST_RTP && !config_setting_get_member(g, "port"))
		report_member(w, g, "port", "missing (required: %s)", "an integer");
	clean = w->n_errors == before;
	if (t->port && st->ingest == WF_CONF_INGEST_RTP)
		check_track_port(w, g, i);
	if (t->kind == WF_CONF_KIND_COUNT)
		return;
	for (j = 0; j < i; j++) {
		if (st->tracks[j].kind != t->kind)
			continue;
		report_member(w, g, "kind", "a second %s track; a stream has at most one "
			      "track per kind", wf_conf_kind_name(t->kind));
		return;
	}
	/* a value already refused would only cause follow-on errors */
	if (clean)
		check_track_codec(w, g, t, st->ingest);
}

static int set_tracks(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k, void *obj)
{
	(void)k;
	(void)obj;
	walk_list(w, s, 1, WF_CONF_MAX_TRACKS, "tracks", walk_track);
	return 0;
}

static int set_output_address(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k,
			      void *obj)
{
	struct wf_config_output *o = obj;
	const char *v = config_setting_get_string(s);
	char q[64];

	(void)k;
	if (wf_text_ipv4_port(v, &o->addr, &o->port) != 0)
		return report(w, s, "%s is not an IPv4 address and UDP port (a.b.c.d:port)",
			      quote(v, q, sizeof(q)));
	if (o->addr == 0 || o->addr == 0xffffffffu)
		return report(w, s, "%s is not a destination address", quote(v, q, sizeof(q)));
	return 0;
}

static int set_profile(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k,
		       void *obj)
{
	struct wf_config_output *o = obj;
	const char *v = config_setting_get_string(s);
	char q[64], list[160];
	size_t n = 0;
	int p = wf_srtp_profile_by_name(v), i;

	(void)k;
	if (p >= 0 && wf_srtp_suite((enum wf_srtp_profile)p)) {
		o->profile = (enum wf_srtp_profile)p;
		return 0;
	}
	list[0] = '\0';
	for (i = 0; i < WF_SRTP_PROFILE_COUNT && n < sizeof(list); i++) {
		const struct wf_srtp_suite *su = wf_srtp_suite((enum wf_srtp_profile)i);
		int m = su ? snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
				      su->name) : 0;

		n += m > 0 ? (size_t)m : 0;
	}
	return report(w, s, "%s is not an SRTP profile (one of: %s)", quote(v, q, sizeof(q)), list);
}

/* The key is a secret: messages say what is wrong, never what it is. */
static int set_key(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k, void *obj)
{
	struct wf_config_output *o = obj;
	const char *v = config_setting_get_string(s);
	uint8_t tmp[WF_SRTP_MAX_MASTER_LEN];
	size_t n = 0;
	int rc = wf_base64_decode(v, strlen(v), tmp, sizeof(tmp), &n);

	(void)k;
	if (rc == -ENOSPC) {
		explicit_bzero(tmp, sizeof(tmp));
		return report(w, s, "decodes to more than %u bytes, longer than any SRTP "
			      "master key and salt", WF_SRTP_MAX_MASTER_LEN);
	}
	if (rc != 0) {
		explicit_bzero(tmp, sizeof(tmp));
		return report(w, s, "is not valid base64 (RFC 4648 §4: A-Z a-z 0-9 + /, "
			      "'=' padding to a multiple of 4, no blanks)");
	}
	memcpy(o->key, tmp, n);
	o->key_len = (uint8_t)n;
	explicit_bzero(tmp, sizeof(tmp));
	w->key_ok = true;
	return 0;
}

static const struct wf_key wf_output_keys[] = {
	KEY_CUSTOM("address", K_STR, true, set_output_address),
	KEY_CUSTOM("srtp_profile", K_STR, false, set_profile),
	KEY_CUSTOM("srtp_key", K_STR, false, set_key),
	{ NULL }
};

static void check_output_srtp(struct wf_walk *w, const config_setting_t *g,
			      struct wf_config_output *o)
{
	bool has_profile = config_setting_get_member(g, "srtp_profile") != NULL;
	bool has_key = config_setting_get_member(g, "srtp_key") != NULL;
	const struct wf_srtp_suite *su;
	unsigned need;

	if (has_key && !has_profile) {
		report_member(w, g, "srtp_profile", "missing (required with srtp_key)");
		return;
	}
	if (has_profile && !has_key) {
		report_member(w, g, "srtp_key", "missing (required with srtp_profile)");
		return;
	}
	if (!has_profile || o->profile == WF_SRTP_PROFILE_COUNT || !w->key_ok)
		return;	/* plain RTP, or already reported */
	su = wf_srtp_suite(o->profile);
	need = (unsigned)su->master_key_len + su->master_salt_len;
	if (o->key_len != need) {
		report_member(w, g, "srtp_key", "decodes to %u bytes; %s needs %u "
			      "(%u-byte master key + %u-byte salt)", o->key_len, su->name, need,
			      su->master_key_len, su->master_salt_len);
		return;
	}
	o->srtp = true;
}

static void walk_output(struct wf_walk *w, const config_setting_t *g, unsigned i)
{
	struct wf_config_stream *st = &w->cfg->streams[w->stream_idx];
	struct wf_config_output *o = &st->outputs[i];
	unsigned j;

	memset(o, 0, sizeof(*o));
	o->profile = WF_SRTP_PROFILE_COUNT;	/* none until set */
	w->key_ok = false;
	st->n_outputs = i + 1;
	walk_group(w, g, wf_output_keys, o);
	check_output_srtp(w, g, o);
	if (!o->srtp) {
		explicit_bzero(o->key, sizeof(o->key));
		o->key_len = 0;
		o->profile = WF_SRTP_PROFILE_COUNT;
	}
	for (j = 0; o->port && j < i; j++) {
		if (st->outputs[j].addr != o->addr || st->outputs[j].port != o->port)
			continue;
		report_member(w, g, "address", "same destination as outputs[%u]", j);
		break;
	}
}

static int set_outputs(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k, void *obj)
{
	(void)k;
	(void)obj;
	walk_list(w, s, 0, WF_CONF_MAX_OUTPUTS, "outputs", walk_output);
	return 0;
}

static int set_sources(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k,
		       void *obj)
{
	struct wf_config_stream *st = obj;

	(void)k;
	return cidr_list(w, s, st->sources, WF_CONF_MAX_SOURCES, &st->n_sources);
}

/* publish_token: a secret like token, but "" is allowed and means that
 * anyone may publish (absent: nobody; conf.h enum wf_conf_publish). */
static int set_publish_token(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k,
			     void *obj)
{
	static const struct wf_key tk = { .name = "publish_token", .type = K_STR, .min = 0,
					  .max = WF_CONF_TOKEN_LEN, .check = check_token };
	struct wf_config_stream *st = obj;
	const char *v = config_setting_get_string(s);

	(void)k;
	if (check_string(w, s, &tk, v) != 0)
		return -EINVAL;
	memcpy(st->publish_token, v, strlen(v) + 1);	/* fits: len <= WF_CONF_TOKEN_LEN */
	st->publish = v[0] ? WF_CONF_PUBLISH_BEARER : WF_CONF_PUBLISH_OPEN;
	return 0;
}

/* The stream's table.  ingest comes before tracks: walk_track needs it. */
static const struct wf_key wf_stream_keys[] = {
	KEY_STR(struct wf_config_stream, name, true, 1, check_stream_name),
	KEY_ENUM(struct wf_config_stream, ingest, false, wf_ingest_names),
	KEY_UINT(struct wf_config_stream, history_ms, false, 100, 60000, "is out of range"),
	KEY_UINT(struct wf_config_stream, history_mbufs, false, 128, 65536, "is out of range"),
	KEY_CUSTOM("sources", K_STRS, false, set_sources),
	KEY_UINT(struct wf_config_stream, source_timeout_ms, false, 100, 600000, "is out of range"),
	KEY_STR(struct wf_config_stream, token, false, 1, check_token),
	KEY_CUSTOM("publish_token", K_STR, false, set_publish_token),
	KEY_UINT(struct wf_config_stream, max_bitrate_kbps, false, WF_CONF_MIN_BITRATE_KBPS,
		 WF_CONF_MAX_BITRATE_KBPS, "is out of range"),
	KEY_CUSTOM("tracks", K_LIST, true, set_tracks),
	KEY_CUSTOM("outputs", K_LIST, false, set_outputs),
	{ NULL }
};

/* Stream settings that belong to one ingest only.  Refused on the other
 * rather than ignored: a setting that is written must mean something. */
static const struct {
	const char *name;
	enum wf_conf_ingest only;
	const char *why;		/* what the setting is for */
} wf_ingest_only[] = {
	{ "sources", WF_CONF_INGEST_RTP, "a WHIP publisher is let in by publish_token, not "
	  "by its address" },
	{ "source_timeout_ms", WF_CONF_INGEST_RTP, "it is how long an RTP source keeps the "
	  "stream; a WHIP publisher keeps it while its session lives" },
	{ "publish_token", WF_CONF_INGEST_WHIP, "an RTP source is let in by its address "
	  "(sources), not by a token" },
	{ "max_bitrate_kbps", WF_CONF_INGEST_WHIP, "it is the rate a WHIP publisher is asked "
	  "to send at most; nothing asks an RTP source" },
};

/* The checks of a stream that need several of its settings: its ingest
 * against the settings that belong to the other, and the publish token
 * against the viewers' one.  Neither token is ever echoed. */
static void check_stream_ingest(struct wf_walk *w, const config_setting_t *g,
				struct wf_config_stream *st)
{
	unsigned k;

	if (st->ingest == WF_CONF_INGEST_COUNT)
		return;	/* refused already */
	for (k = 0; k < sizeof(wf_ingest_only) / sizeof(wf_ingest_only[0]); k++) {
		if (st->ingest == wf_ingest_only[k].only ||
		    !config_setting_get_member(g, wf_ingest_only[k].name))
			continue;
		report_member(w, g, wf_ingest_only[k].name, "only with ingest = \"%s\" (this "
			      "stream's is \"%s\"): %s",
			      wf_conf_ingest_name(wf_ingest_only[k].only),
			      wf_conf_ingest_name(st->ingest), wf_ingest_only[k].why);
	}
	if (st->ingest != WF_CONF_INGEST_WHIP)
		return;
	st->source_timeout_ms = 0;	/* RTP only */
	if (!config_setting_get_member(g, "max_bitrate_kbps"))
		st->max_bitrate_kbps = WF_CONF_DEF_MAX_BITRATE_KBPS;
	if (st->publish == WF_CONF_PUBLISH_BEARER && strcmp(st->publish_token, st->token) == 0)
		report_member(w, g, "publish_token", "is the same as token: every viewer could "
			      "publish; give the publisher a token of its own");
}

static void walk_stream(struct wf_walk *w, const config_setting_t *g, unsigned i)
{
	struct wf_config_stream *st = &w->cfg->streams[i];
	unsigned j;

	memset(st, 0, sizeof(*st));
	/* a given ingest that is refused stays COUNT: it decides nothing */
	st->ingest = config_setting_get_member(g, "ingest") ? WF_CONF_INGEST_COUNT :
							      WF_CONF_INGEST_RTP;
	st->history_ms = WF_CONF_DEF_HISTORY_MS;
	st->history_mbufs = WF_CONF_DEF_HISTORY_MBUFS;
	st->source_timeout_ms = WF_CONF_DEF_SOURCE_TIMEOUT_MS;
	w->stream_idx = i;
	w->cfg->n_streams = i + 1;
	walk_group(w, g, wf_stream_keys, st);
	check_stream_ingest(w, g, st);
	for (j = 0; st->name[0] && j < i; j++) {
		if (strcmp(w->cfg->streams[j].name, st->name) != 0)
			continue;
		report_member(w, g, "name", "stream \"%s\" is already streams[%u]", st->name, j);
		break;
	}
}

static int set_streams(struct wf_walk *w, const config_setting_t *s, const struct wf_key *k, void *obj)
{
	(void)k;
	(void)obj;
	walk_list(w, s, 0, WF_CONF_MAX_STREAMS, "streams", walk_stream);
	return 0;
}

/* The root: table order is walk order (webrtc before streams, whose ingest
 * ports must differ from webrtc.udp_port). */
static const struct wf_key wf_root_keys[] = {
	KEY_GROUP(struct wf_config, dpdk, wf_dpdk_keys, NULL),
	KEY_CUSTOM("ports", K_LIST, true, set_ports),
	KEY_GROUP(struct wf_config, webrtc, wf_webrtc_keys, NULL),
	KEY_GROUP(struct wf_config, http, wf_http_keys, finish_http),
	KEY_GROUP(struct wf_config, dtls, wf_dtls_keys, finish_dtls),
	KEY_GROUP(struct wf_config, srtp, wf_srtp_conf_keys, NULL),
	KEY_GROUP(struct wf_config, workers, wf_workers_keys, NULL),
	KEY_CUSTOM("streams", K_LIST, false, set_streams),
	{ NULL }
};

/* ------------------------------------------------------------------ */
/* Public API                                                           */

void wf_config_defaults(struct wf_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->dpdk.mbufs = WF_CONF_DEF_MBUFS;
	cfg->dpdk.log_level = WF_CONF_LOG_INFO;
	cfg->webrtc.udp_port = WF_CONF_DEF_UDP_PORT;
	cfg->webrtc.rtcp_sr_interval_ms = WF_CONF_DEF_SR_INTERVAL_MS;
	cfg->webrtc.nack = true;
	cfg->webrtc.nack_budget_pct = WF_CONF_DEF_NACK_BUDGET_PCT;
	cfg->webrtc.replay_max_packets = WF_CONF_DEF_REPLAY_MAX_PACKETS;
	cfg->webrtc.replay_per_stream_per_s = WF_CONF_DEF_REPLAY_PER_STREAM_S;
	cfg->webrtc.consent_timeout_s = WF_CONF_DEF_CONSENT_S;
	cfg->webrtc.handshake_timeout_s = WF_CONF_DEF_HANDSHAKE_S;
	cfg->http.listen_addr = WF_CONF_DEF_HTTP_ADDR;
	cfg->http.listen_port = WF_CONF_DEF_HTTP_PORT;
	snprintf(cfg->http.cors_origin, sizeof(cfg->http.cors_origin), "*");
	cfg->http.max_sessions = WF_CONF_DEF_MAX_SESSIONS;
	cfg->http.max_body = WF_CONF_DEF_MAX_BODY;
	cfg->http.max_pending_per_ip = WF_CONF_DEF_PENDING_PER_IP;
	cfg->http.max_sessions_per_ip = WF_CONF_DEF_SESSIONS_PER_IP;
	cfg->http.post_rate_per_ip = WF_CONF_DEF_POST_RATE;
	cfg->http.post_burst_per_ip = WF_CONF_DEF_POST_BURST;
	cfg->http.request_timeout_s = WF_CONF_DEF_REQUEST_S;
	cfg->http.ipv6_prefix_len = WF_CONF_DEF_V6_PREFIX;
	cfg->srtp.arch = WF_SRTP_ARCH_AUTO;
	cfg->workers.idle_sleep_us = WF_CONF_DEF_IDLE_SLEEP_US;
	cfg->dtls.settle_s = WF_CONF_DEF_DTLS_SETTLE_S;
}

struct wf_config *wf_config_create(void)
{
	struct wf_config *cfg = malloc(sizeof(*cfg));

	if (!cfg) {
		errno = ENOMEM;
		return NULL;
	}
	wf_config_defaults(cfg);
	return cfg;
}

void wf_config_free(struct wf_config *cfg)
{
	if (!cfg)
		return;
	explicit_bzero(cfg, sizeof(*cfg));	/* tokens and SRTP keys */
	free(cfg);
}

bool wf_conf_cidr_match(const struct wf_conf_cidr *nets, unsigned n, uint32_t addr)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if ((addr & nets[i].mask) == nets[i].addr)
			return true;
	return false;
}

const struct wf_config_stream *wf_config_stream_find(const struct wf_config *cfg, const char *name)
{
	unsigned i;

	if (!cfg || !name)
		return NULL;
	for (i = 0; i < cfg->n_streams && i < WF_CONF_MAX_STREAMS; i++)
		if (strcmp(cfg->streams[i].name, name) == 0)
			return &cfg->streams[i];
	return NULL;
}

/* Notes the lines of integer literals libconfig 1.5 truncates (literal.h). */
static void scan_wide_ints(struct wf_walk *w, const char *path)
{
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return;	/* libconfig just read it: a race we can ignore */
	n = wf_conf_find_wide_ints(f, w->wide, WF_WALK_WIDE_MAX);
	fclose(f);
	w->n_wide = n < 0 ? 0 : n;
}

int wf_config_parse(struct wf_config *cfg, const char *file, struct wf_config_diag *diag)
{
	char path[WF_CONF_PATH_LEN + 2];	/* one more: to tell a longer one */
	struct wf_walk w = { .file = path, .diag = diag, .cfg = cfg };
	config_t lc;

	if (!cfg || !file)
		return -EINVAL;
	/* a copy: file may be cfg->path itself, which the defaults clear */
	snprintf(path, sizeof(path), "%s", file);
	if (diag) {
		diag->n_errors = 0;
		diag->buf_used = 0;
		if (diag->buf && diag->buf_size)
			diag->buf[0] = '\0';
	}
	wf_config_defaults(cfg);
	config_init(&lc);
	if (strlen(path) > WF_CONF_PATH_LEN) {
		report_plain(&w, "config", "file name longer than %u characters", WF_CONF_PATH_LEN);
		goto out;
	}
	memcpy(cfg->path, path, strlen(path) + 1);
	errno = 0;
	if (config_read_file(&lc, path) != CONFIG_TRUE) {
		const char *text = config_error_text(&lc);
		char prefix[WF_CONF_MSG_LEN];
		int err = errno;

		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO) {
			report_plain(&w, path, "cannot read file: %s",
				     err ? strerror(err) : "I/O error");
			goto out;
		}
		snprintf(prefix, sizeof(prefix), "%s:%d", config_error_file(&lc) ?
			 config_error_file(&lc) : path, config_error_line(&lc));
		/* bison's bare "syntax error" means an unexpected token */
		report_plain(&w, prefix, "syntax error: %s",
			     text && strcmp(text, "syntax error") != 0 ? text : "unexpected token");
		goto out;
	}
	scan_wide_ints(&w, path);
	walk_group(&w, config_root_setting(&lc), wf_root_keys, cfg);
out:
	config_destroy(&lc);
	if (w.n_errors > w.delivered) {
		char msg[WF_CONF_MSG_LEN];

		snprintf(msg, sizeof(msg), "%s: %u more errors not shown", path,
			 w.n_errors - w.delivered);
		deliver(&w, msg);
	}
	if (diag)
		diag->n_errors = w.n_errors;
	return w.n_errors ? -EINVAL : 0;
}

int wf_config_load(struct wf_config *cfg, const char *path, struct wf_config_diag *diag)
{
	struct wf_config *tmp;
	int rc;

	if (!cfg || !path)
		return -EINVAL;
	tmp = malloc(sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	rc = wf_config_parse(tmp, path, diag);
	if (rc == 0)
		memcpy(cfg, tmp, sizeof(*cfg));
	wf_config_free(tmp);
	return rc;
}
