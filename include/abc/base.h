/* base.h — status codes, source locations, arena and growable buffer.
 *
 * Contract: every fallible function returns AbcStatus (ABC_OK == 0) and
 * writes its out-parameters only on success.  Memory for one compilation
 * (AST, IR, strings) lives in one Arena and is released with arena_free();
 * nothing inside an arena is freed on its own.  Buf is a heap string that
 * grows by doubling; its owner calls buf_free().
 */
#ifndef ABC_BASE_H
#define ABC_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define ABC_MUST_CHECK __attribute__((warn_unused_result))
#define ABC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ABC_MUST_CHECK
#define ABC_PRINTF(a, b)
#endif

typedef enum AbcStatus {
    ABC_OK = 0,
    ABC_ERR_SPEC = 1,   /* spec or data error: diagnostics were recorded */
    ABC_ERR_USAGE = 2,  /* bad command line */
    ABC_ERR_ENV = 3,    /* warehouse, GrowthBook, file system, out of memory */
    ABC_ERR_HEALTH = 4  /* run completed but a requested health check failed */
} AbcStatus;

/* A byte range of one source buffer; line/col are computed when printing. */
typedef struct SrcLoc {
    uint32_t off;
    uint32_t len;
} SrcLoc;

/* ---- arena: bump allocator, chunks freed together ---------------------- */
typedef struct ArenaChunk ArenaChunk;
typedef struct Arena {
    ArenaChunk *head;
} Arena;

void arena_init(Arena *a);
void arena_free(Arena *a);
/* Zeroed memory that lives until arena_free(); aborts only if malloc fails
 * (out of memory is not a recoverable state for a compiler run). */
void *arena_alloc(Arena *a, size_t size);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_strdup(Arena *a, const char *s);
char *arena_printf(Arena *a, const char *fmt, ...) ABC_PRINTF(2, 3);

/* ---- words (src/base/nearest.c) ---------------------------------------- */
/* Edit distance with transpositions (optimal string alignment); 99 for
 * words over 64 bytes. */
int word_distance(const char *a, const char *b);
/* The one candidate (NULL-terminated list) near enough to word to be what
 * was meant — a typo or an abbreviation of 4+ characters — or NULL.  A
 * word --name=value is compared by --name. */
const char *word_nearest(const char *word, const char *const *cands);

/* ---- Buf: growable NUL-terminated byte buffer --------------------------- */
typedef struct Buf {
    char *data;
    size_t len;
    size_t cap;
} Buf;

void buf_init(Buf *b);
void buf_free(Buf *b);
void buf_reset(Buf *b);
void buf_put(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...) ABC_PRINTF(2, 3);
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
/* A JSON string literal of s (quotes, backslash and control characters
 * escaped; other bytes, UTF-8 included, as they are). */
void buf_put_json_string(Buf *b, const char *s);
/* Length (1..4) of the valid UTF-8 sequence at p and its code point in
 * *cp, or 0 when the bytes are not one (overlong forms, surrogates and code
 * points above U+10FFFF included).  src/base/term.c. */
int utf8_decode(const unsigned char *p, unsigned long *cp);

/* s as it may be printed on a terminal: tab, LF and CR as \t \n \r, other
 * C0 controls and DEL as \xNN, C1 controls and bidirectional formatting
 * characters as \uNNNN, bytes that are not UTF-8 as \xNN; the rest as is
 * (src/base/term.c).  For names and keys that come from outside. */
void buf_put_term(Buf *b, const char *s);
/* The same into a, or s itself when nothing needs escaping (NULL: NULL). */
const char *term_safe(Arena *a, const char *s);
/* Whether to colour what goes to f: a terminal, TERM set and not "dumb",
 * NO_COLOR unset or empty (https://no-color.org). */
bool term_color(FILE *f);
/* Take ownership of the bytes; the Buf is left empty. */
char *buf_take(Buf *b);

/* ---- files -------------------------------------------------------------- */
/* Read a whole file (max_bytes cap) into a malloc'd NUL-terminated buffer. */
AbcStatus file_read_all(const char *path, size_t max_bytes, char **out, size_t *out_len,
                        char *err, size_t errlen) ABC_MUST_CHECK;
/* Create (or truncate) path and write all of data, fsync'ed when sync is
 * set.  Errors name `name` (the file the caller is replacing); on failure
 * path is removed. */
AbcStatus file_write_whole(const char *path, const char *data, size_t len, bool sync,
                           const char *name, char *err, size_t errlen) ABC_MUST_CHECK;
/* Write data to path atomically: temp file in the same directory, fsync,
 * rename.  On failure the old file is untouched and err says why. */
AbcStatus file_write_atomic(const char *path, const char *data, size_t len,
                            char *err, size_t errlen) ABC_MUST_CHECK;
/* mkdir -p */
AbcStatus file_mkdirs(const char *path, char *err, size_t errlen) ABC_MUST_CHECK;

/* Does root/rel pass through a symbolic link?  Every existing component
 * of rel (its last one included; root itself, named by the user, is not
 * checked) is lstat'ed; a link gives ABC_ERR_SPEC with err naming it. */
AbcStatus file_check_nofollow(const char *root, const char *rel, char *err,
                              size_t errlen) ABC_MUST_CHECK;
/* Open root/rel as a directory, following no symbolic link in rel (openat
 * with O_NOFOLLOW, component by component): a descriptor, or -1 and errno
 * (ELOOP or ENOTDIR for a link in the way). */
int file_open_dir_nofollow(const char *root, const char *rel);

/* FNV-1a 64-bit hash, printed as 16 hex digits into out[17]. */
void hash_hex64(const char *data, size_t len, char out[17]);

#endif
