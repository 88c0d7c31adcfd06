/* diag.c — accumulate diagnostics and print them as the compiler convention
 * (file:line:col: severity: message, source line, caret) or as JSON. */
#include "abc/diag.h"

#include <stdlib.h>
#include <string.h>

void diag_init(Diag *d, const char *path, const char *src, size_t src_len)
{
    memset(d, 0, sizeof *d);
    d->path = path;
    d->src = src;
    d->src_len = src_len;
    d->max_errors = 50;
}

void diag_free(Diag *d)
{
    for (int i = 0; i < d->nmsgs; i++)
        free(d->msgs[i].msg);
    free(d->msgs);
    d->msgs = NULL;
    d->nmsgs = d->cap = 0;
}

static void diag_add(Diag *d, DiagSeverity sev, bool has_loc, SrcLoc loc, const char *fmt,
                     va_list ap)
{
    if (sev == SEV_ERROR) {
        d->nerrors++;
        if (d->nerrors > d->max_errors)
            return;
    } else if (d->nerrors > d->max_errors) {
        return;
    }
    if (d->nmsgs == d->cap) {
        int cap = d->cap ? d->cap * 2 : 16;
        DiagMsg *m = realloc(d->msgs, (size_t)cap * sizeof *m);
        if (!m)
            abort();
        d->msgs = m;
        d->cap = cap;
    }
    Buf b;
    buf_init(&b);
    buf_vprintf(&b, fmt, ap);
    DiagMsg *m = &d->msgs[d->nmsgs++];
    m->sev = sev;
    m->loc = loc;
    m->has_loc = has_loc;
    m->msg = buf_take(&b);
}

#define DIAG_VA(sev, has, loc)                \
    do {                                      \
        va_list ap;                           \
        va_start(ap, fmt);                    \
        diag_add(d, sev, has, loc, fmt, ap);  \
        va_end(ap);                           \
    } while (0)

void diag_error(Diag *d, SrcLoc loc, const char *fmt, ...) { DIAG_VA(SEV_ERROR, true, loc); }
void diag_warning(Diag *d, SrcLoc loc, const char *fmt, ...) { DIAG_VA(SEV_WARNING, true, loc); }
void diag_note(Diag *d, SrcLoc loc, const char *fmt, ...) { DIAG_VA(SEV_NOTE, true, loc); }
void diag_file_error(Diag *d, const char *fmt, ...)
{
    SrcLoc none = {0, 0};
    DIAG_VA(SEV_ERROR, false, none);
}

/* Columns count UTF-8 characters (continuation bytes do not advance). */
void diag_line_col(const Diag *d, uint32_t off, int *line, int *col)
{
    int l = 1, c = 1;
    if (d->src) {
        if (off > d->src_len)
            off = (uint32_t)d->src_len;
        for (uint32_t i = 0; i < off; i++) {
            unsigned char ch = (unsigned char)d->src[i];
            if (ch == '\n') {
                l++;
                c = 1;
            } else if ((ch & 0xC0) != 0x80) {
                c++;
            }
        }
    }
    *line = l;
    *col = c;
}

static const char *sev_name(DiagSeverity s)
{
    return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

/* Print the source line of off (control bytes shown as spaces) and a caret
 * under the location, '~' for the rest of the token on that line. */
static void diag_print_source(const Diag *d, FILE *f, SrcLoc loc)
{
    if (!d->src || loc.off > d->src_len)
        return;
    size_t s = loc.off, e = loc.off;
    while (s > 0 && d->src[s - 1] != '\n')
        s--;
    while (e < d->src_len && d->src[e] != '\n')
        e++;
    if (e - s > 300)
        return; /* a minified or binary line: the position is enough */
    /* only printable text is echoed: control bytes or invalid UTF-8 are not */
    for (size_t i = s; i < e;) {
        unsigned char ch = (unsigned char)d->src[i];
        if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f)
            return;
        size_t need = ch < 0x80 ? 0 : (ch & 0xE0) == 0xC0 ? 1 : (ch & 0xF0) == 0xE0 ? 2
                    : (ch & 0xF8) == 0xF0 ? 3 : 9;
        if (need == 9 || i + need >= e + (need ? 0 : 1))
            return;
        for (size_t k = 1; k <= need; k++)
            if (((unsigned char)d->src[i + k] & 0xC0) != 0x80)
                return;
        i += need + 1;
    }
    fputs("    ", f);
    for (size_t i = s; i < e; i++) {
        unsigned char ch = (unsigned char)d->src[i];
        fputc(ch == '\t' ? ' ' : (ch < 0x20 || ch == 0x7f) ? ' ' : (int)ch, f);
    }
    fputs("\n    ", f);
    for (size_t i = s; i < loc.off; i++)
        if (((unsigned char)d->src[i] & 0xC0) != 0x80)
            fputc(' ', f);
    fputc('^', f);
    size_t end = loc.off + (loc.len ? loc.len : 1);
    if (end > e)
        end = e;
    for (size_t i = loc.off + 1; i < end; i++)
        if (((unsigned char)d->src[i] & 0xC0) != 0x80)
            fputc('~', f);
    fputc('\n', f);
}

void diag_print(const Diag *d, FILE *f)
{
    for (int i = 0; i < d->nmsgs; i++) {
        const DiagMsg *m = &d->msgs[i];
        if (!m->has_loc) {
            fprintf(f, "%s: %s: %s\n", d->path, sev_name(m->sev), m->msg);
            continue;
        }
        int line, col;
        diag_line_col(d, m->loc.off, &line, &col);
        fprintf(f, "%s:%d:%d: %s: %s\n", d->path, line, col, sev_name(m->sev), m->msg);
        diag_print_source(d, f, m->loc);
    }
    if (d->nerrors > d->max_errors)
        fprintf(f, "%s: note: %d more errors not shown\n", d->path, d->nerrors - d->max_errors);
}

static void json_str(Buf *out, const char *s)
{
    buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': buf_puts(out, "\\\""); break;
        case '\\': buf_puts(out, "\\\\"); break;
        case '\n': buf_puts(out, "\\n"); break;
        case '\t': buf_puts(out, "\\t"); break;
        default:
            if (*p < 0x20)
                buf_printf(out, "\\u%04x", *p);
            else
                buf_putc(out, (char)*p);
        }
    }
    buf_putc(out, '"');
}

void diag_to_json(const Diag *d, Buf *out, bool *first)
{
    for (int i = 0; i < d->nmsgs; i++) {
        const DiagMsg *m = &d->msgs[i];
        int line = 0, col = 0;
        if (m->has_loc)
            diag_line_col(d, m->loc.off, &line, &col);
        buf_puts(out, *first ? "\n  " : ",\n  ");
        *first = false;
        buf_puts(out, "{\"file\": ");
        json_str(out, d->path);
        buf_printf(out, ", \"line\": %d, \"col\": %d, \"severity\": \"%s\", \"message\": ", line, col,
                   sev_name(m->sev));
        json_str(out, m->msg);
        buf_putc(out, '}');
    }
}

static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int best = prev + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[lb];
}

const char *diag_suggest(const char *name, const char *const *candidates, int n)
{
    const char *best = NULL;
    int bestd = 99;
    int limit = (int)strlen(name) / 3;
    if (limit < 2)
        limit = 2;
    for (int i = 0; i < n; i++) {
        int dd = edit_distance(name, candidates[i]);
        if (dd < bestd) {
            bestd = dd;
            best = candidates[i];
        }
    }
    return bestd <= limit && bestd > 0 ? best : NULL;
}
