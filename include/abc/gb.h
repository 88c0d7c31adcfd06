/* gb.h — GrowthBook experiment config: the REST client, the offline
 * snapshot, validation, and latest-phase resolution for one tag.
 *
 * Where the experiments come from:
 *   * API:      GET {api_host}/api/v1/experiments?tag=T&limit=100&offset=N
 *               (plus projectId / status when set), paged until hasMore is
 *               false, Bearer auth.  An older server that rejects `tag`
 *               (HTTP 400, message starting "Querystring:") is listed in
 *               full and filtered on tags[] here, case-insensitively (ASCII).
 *               429 waits Retry-After seconds (capped); 5xx retries with
 *               capped exponential backoff; both bounded by max_attempts.
 *               Other 4xx, transport errors and timeouts fail at once.
 *               The whole listing has a deadline (deadline_ms), so a server
 *               that always answers hasMore: true cannot hold a run.
 *               A 200 that is not JSON (an HTML page, a truncated body) is
 *               an environment error, like a failed connection.
 *               No redirects are followed; only http/https are allowed.
 *               The key goes over plain http:// only to a loopback host
 *               unless allow_insecure_http is set (then one warning on
 *               stderr, the only thing this module prints).
 *   * snapshot: a file shaped like the list response, {"experiments":[...]}
 *               (pagination fields optional), filtered the same way.
 *
 * What is resolved: for each experiment carrying the tag, its latest phase
 * (the last element of phases[]; active when dateEnded is "") and its
 * variations in GrowthBook order, each paired by variationId with its weight
 * from that phase's trafficSplit.  The first variation is the control.
 * Every field used is validated: types and ranges; stored strings valid
 * UTF-8 without \u0000 or control characters (tab, LF, CR allowed) and
 * within their experiment_data column (characters: ids and tracking keys
 * 128, names 255, variation keys 64, status 32); dates strict ISO 8601,
 * dateEnded not before dateStarted; tracking keys unique across the
 * resolved experiments.  An error names the experiment id and the JSON
 * path, e.g.
 *   experiment exp_1: $.experiments[2].phases[0].trafficSplit[1].weight: expected number
 * Experiments with no phases at all (drafts) are not resolved; they are
 * listed in `skipped` with the reason.  Strings are kept byte-exact (quotes,
 * backticks, "--", ";" and non-ASCII included); quoting them for SQL is the
 * SQL backend's job.
 *
 * Secrets: the API key is sent only in the Authorization header.  It never
 * appears in an error message: every message is scrubbed of it before it is
 * returned, including messages echoed from the server.
 *
 * Ownership: a GbTagConfig and everything it points to is owned by the
 * caller and released with gb_tag_config_free().  Functions return AbcStatus
 * (ABC_ERR_ENV for network/HTTP/file trouble and API responses that are not
 * JSON, ABC_ERR_SPEC for responses or snapshots that fail validation, ABC_ERR_USAGE for a bad tag or status
 * filter) and write *out only on success.
 */
#ifndef ABC_GB_H
#define ABC_GB_H

#include "abc/base.h"

#include <stddef.h>
#include <stdint.h>

typedef struct GbVariation {
    const char *variation_id; /* "var_..." */
    const char *key;          /* exposure value, e.g. "0", "1" */
    const char *name;
    double weight;            /* latest phase's trafficSplit weight, 0..1 */
    int is_control;           /* 1 for the first variation */
} GbVariation;

typedef struct GbExperiment {
    const char *id;            /* "exp_..." */
    const char *tracking_key;  /* experiment id in the exposure table */
    const char *name;
    const char *status;        /* "draft" | "running" | "stopped" (as sent) */
    int archived;
    int phase_index;           /* index of the latest phase, phases.length-1 */
    const char *phase_name;
    const char *date_started;  /* as sent, ISO 8601 (starts YYYY-MM-DD) */
    const char *date_ended;    /* "" while the phase is active */
    double coverage;           /* 0..1 */
    size_t n_variations;       /* >= 2 */
    GbVariation *variations;
} GbExperiment;

typedef struct GbSkipped {
    const char *id;
    const char *reason;
} GbSkipped;

typedef struct GbIndex GbIndex;

typedef struct GbTagConfig {
    const char *tag;            /* the tag asked for; NULL = no tag filter */
    const char *source;         /* API URL without query, or snapshot path */
    int64_t fetched_at;         /* Unix seconds, UTC */
    char fetched_at_iso[24];    /* "YYYY-MM-DDTHH:MM:SSZ" */
    int tag_fallback;           /* 1: server rejected `tag`, filtered here */
    size_t n_experiments;
    GbExperiment *experiments;  /* in server / file order, unique ids */
    size_t n_skipped;
    GbSkipped *skipped;
    size_t n_requests;          /* HTTP requests made, retries included */
    /* private */
    Arena arena;
    size_t cap_experiments, cap_skipped;
    GbIndex *ids;           /* experiment id -> index (resolved and skipped) */
    GbIndex *tracking_keys; /* tracking key -> index of a resolved experiment */
} GbTagConfig;

typedef struct GbOptions {
    const char *api_host;      /* "http(s)://host[:port][/prefix]"; "/api/v1/experiments"
                                  is appended ("/v1/experiments" if it ends in /api) */
    const char *file;          /* snapshot path; used instead of the API when set */
    const char *api_key;       /* Bearer key; NULL or "" sends no Authorization */
    const char *project_id;    /* optional filter: projectId / experiment.project */
    const char *status;        /* optional filter: draft|running|stopped */
    long connect_timeout_ms;   /* default 10000 */
    long timeout_ms;           /* whole request, default 60000 */
    int max_attempts;          /* per page, for 429 and 5xx; default 5 */
    long retry_after_cap_ms;   /* longest 429 wait, default 30000 */
    long backoff_initial_ms;   /* first 5xx wait, doubled each retry; default 500 */
    long backoff_cap_ms;       /* default 8000 */
    int page_limit;            /* `limit` sent, 1..100; default 100 */
    size_t max_response_bytes; /* per response / snapshot; default 64 MiB */
    int64_t now;               /* fetched_at; 0 = current time */
    long deadline_ms;          /* whole listing of one tag (every page, retry and
                                  wait); default 300000; <= 0: none */
    int allow_insecure_http;   /* send the key over http:// to a non-loopback host */
} GbOptions;

/* Fill o with the defaults above (no host, no file, no key). */
void gb_options_init(GbOptions *o);

/* Resolve `tag` (NULL: every experiment) from o->file when set, else from
 * o->api_host.  o->project_id and o->status filter both sources (the API on
 * the server and again here; a snapshot here, on `project` and `status`). */
AbcStatus gb_resolve_tag(const GbOptions *o, const char *tag, GbTagConfig **out, char *err,
                         size_t errlen) ABC_MUST_CHECK;

/* The API path of gb_resolve_tag (ignores o->file).  A tag must be non-empty
 * without ',' (the server reads `tag` as CSV); NULL lists everything. */
AbcStatus gb_fetch_tag(const GbOptions *o, const char *tag, GbTagConfig **out, char *err,
                       size_t errlen) ABC_MUST_CHECK;

/* Read a snapshot file and resolve `tag` (NULL: every experiment). */
AbcStatus gb_load_snapshot(const char *path, const char *tag, int64_t now, GbTagConfig **out,
                           char *err, size_t errlen) ABC_MUST_CHECK;

/* Parse one list response / snapshot held in memory (need not be NUL-
 * terminated).  tag NULL: every experiment.  `source` prefixes errors. */
AbcStatus gb_parse_list(const char *json, size_t len, const char *tag, const char *source,
                        int64_t now, GbTagConfig **out, char *err,
                        size_t errlen) ABC_MUST_CHECK;

/* The experiment with this id, or NULL. */
const GbExperiment *gb_find_experiment(const GbTagConfig *c, const char *id);

void gb_tag_config_free(GbTagConfig *c);

/* libcurl's global state: initialised on first use (once); call this once at
 * process end, after every transfer, to release it. */
void gb_global_cleanup(void);

#endif
