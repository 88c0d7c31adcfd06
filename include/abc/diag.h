/* diag.h — diagnostics: accumulate, then print in the compiler convention.
 *
 * A Diag collects messages for one source file (path + bytes).  Locations are
 * byte offsets; line and column (1-based, columns counted in characters) are
 * computed only when printing.  Text form:
 *     file:line:col: error: message
 *         the source line
 *         ^~~~
 * JSON form (`--format json`): a list of {file, line, col, severity, message}.
 * Diag owns its message strings; diag_free() releases them.
 */
#ifndef ABC_DIAG_H
#define ABC_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "abc/base.h"

typedef enum DiagSeverity { SEV_ERROR, SEV_WARNING, SEV_NOTE } DiagSeverity;

typedef struct DiagMsg {
    DiagSeverity sev;
    SrcLoc loc;
    bool has_loc;
    char *msg;
} DiagMsg;

typedef struct Diag {
    const char *path;
    const char *src;   /* not owned; may be NULL */
    size_t src_len;
    DiagMsg *msgs;
    int nmsgs, cap;
    int nerrors;
    int max_errors;    /* stop recording after this many errors (default 50) */
    uint32_t *line_starts; /* cache: offsets of line starts, built on first use */
    int nlines;
} Diag;

void diag_init(Diag *d, const char *path, const char *src, size_t src_len);
void diag_free(Diag *d);
void diag_error(Diag *d, SrcLoc loc, const char *fmt, ...) ABC_PRINTF(3, 4);
void diag_warning(Diag *d, SrcLoc loc, const char *fmt, ...) ABC_PRINTF(3, 4);
void diag_note(Diag *d, SrcLoc loc, const char *fmt, ...) ABC_PRINTF(3, 4);
/* An error about the file as a whole (no line/col). */
void diag_file_error(Diag *d, const char *fmt, ...) ABC_PRINTF(2, 3);

/* 1-based line and column (in characters) of a byte offset.  Lines are
 * found by binary search in a line-start table built on the first call
 * (O(log lines)); the column counts from the start of the line. */
void diag_line_col(const Diag *d, uint32_t off, int *line, int *col);
/* Just the 1-based line of a byte offset (no column scan). */
int diag_line_of(const Diag *d, uint32_t off);

/* Offset of the first byte of text[0..n) that does not start a valid UTF-8
 * sequence (truncated or overlong forms, surrogates and code points above
 * U+10FFFF are invalid), or -1 when all of it is valid.  The one validator
 * of the front ends and of the source echo. */
long diag_utf8_invalid_at(const char *text, size_t n);

/* Print all messages, in order of recording, as text (with source line and
 * caret) or append them as JSON objects to out (see diag_json_*). */
void diag_print(const Diag *d, FILE *f);
void diag_to_json(const Diag *d, Buf *out, bool *first);

/* Closest candidate by edit distance (<= 2, or <= 1/3 of the length), or NULL. */
const char *diag_suggest(const char *name, const char *const *candidates, int n);

#endif
