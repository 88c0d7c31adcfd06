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
    free(d->line_starts);
    d->line_starts = NULL;
    d->nlines = 0;
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

long diag_utf8_invalid_at(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        unsigned char ch = s[i];
        size_t need;
        unsigned min;
        if (ch < 0x80) {
            i++;
            continue;
        } else if ((ch & 0xE0) == 0xC0) {
            need = 1, min = 0x80;
        } else if ((ch & 0xF0) == 0xE0) {
            need = 2, min = 0x800;
        } else if ((ch & 0xF8) == 0xF0) {
            need = 3, min = 0x10000;
        } else {
            return (long)i;
        }
        unsigned cp = ch & (0x3F >> need);
        for (size_t k = 1; k <= need; k++) {
            if (i + k >= n || (s[i + k] & 0xC0) != 0x80)
                return (long)i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return (long)i;
        i += need + 1;
    }
    return -1;
}

/* The line-start table, built on first use: line_starts[i] is the offset of
 * line i + 1.  It is a cache, so it is filled through a const Diag. */
static const uint32_t *line_table(const Diag *cd)
{
    Diag *d = (Diag *)cd;
    if (d->line_starts)
        return d->line_starts;
    size_t n = 1;
    for (const char *p = d->src; (p = memchr(p, '\n', d->src_len - (size_t)(p - d->src))); p++)
        n++;
    d->line_starts = malloc(n * sizeof *d->line_starts);
    if (!d->line_starts)
        abort();
    d->line_starts[0] = 0;
    d->nlines = 1;
    for (const char *p = d->src; (p = memchr(p, '\n', d->src_len - (size_t)(p - d->src))); p++)
        d->line_starts[d->nlines++] = (uint32_t)(p - d->src + 1);
    return d->line_starts;
}

/* Index (0-based) of the line holding off, by binary search. */
static int line_index(const Diag *d, uint32_t off)
{
    const uint32_t *ls = line_table(d);
    int lo = 0, hi = d->nlines - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (ls[mid] <= off)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

int diag_line_of(const Diag *d, uint32_t off)
{
    if (!d->src)
        return 1;
    if (off > d->src_len)
        off = (uint32_t)d->src_len;
    return line_index(d, off) + 1;
}

/* Columns count UTF-8 characters (continuation bytes do not advance). */
void diag_line_col(const Diag *d, uint32_t off, int *line, int *col)
{
    int l = 1, c = 1;
    if (d->src) {
        if (off > d->src_len)
            off = (uint32_t)d->src_len;
        int li = line_index(d, off);
        l = li + 1;
        for (uint32_t i = d->line_starts[li]; i < off; i++)
            if (((unsigned char)d->src[i] & 0xC0) != 0x80)
                c++;
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
    if (e - s > 300 || e == s)
        return; /* a minified or binary line, or an empty one: the position is enough */
    /* only printable text is echoed: control bytes or invalid UTF-8 are not */
    for (size_t i = s; i < e; i++) {
        unsigned char ch = (unsigned char)d->src[i];
        if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f)
            return;
    }
    if (diag_utf8_invalid_at(d->src + s, e - s) >= 0)
        return;
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
    bool color = term_color(f);
    for (int i = 0; i < d->nmsgs; i++) {
        const DiagMsg *m = &d->msgs[i];
        /* on a terminal: the severity in red (error), yellow (warning) or bold */
        const char *on = !color ? "" : m->sev == SEV_ERROR ? "\033[1;31m"
                       : m->sev == SEV_WARNING ? "\033[1;33m" : "\033[1m";
        const char *off = color ? "\033[0m" : "";
        if (!m->has_loc) {
            fprintf(f, "%s: %s%s:%s %s\n", d->path, on, sev_name(m->sev), off, m->msg);
            continue;
        }
        int line, col;
        diag_line_col(d, m->loc.off, &line, &col);
        fprintf(f, "%s:%d:%d: %s%s:%s %s\n", d->path, line, col, on, sev_name(m->sev), off, m->msg);
        diag_print_source(d, f, m->loc);
    }
    if (d->nerrors > d->max_errors)
        fprintf(f, "%s: note: %d more errors not shown\n", d->path, d->nerrors - d->max_errors);
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
        buf_put_json_string(out, d->path);
        buf_printf(out, ", \"line\": %d, \"col\": %d, \"severity\": \"%s\", \"message\": ", line, col,
                   sev_name(m->sev));
        buf_put_json_string(out, m->msg);
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

/* Length of the longest common subsequence of a and b (both <= 64). */
static int common_subseq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int row[65] = {0};
    for (size_t i = 1; i <= la; i++) {
        int diag = 0;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            row[j] = a[i - 1] == b[j - 1] ? diag + 1 : (row[j] > row[j - 1] ? row[j] : row[j - 1]);
            diag = up;
        }
    }
    return row[lb];
}

static int common_prefix(const char *a, const char *b)
{
    int n = 0;
    while (a[n] && a[n] == b[n])
        n++;
    return n;
}

/* Ties in edit distance go to the candidate sharing the longer prefix with
 * the name (cnt: count, not any), then the longer common subsequence, then
 * the first listed. */
const char *diag_suggest(const char *name, const char *const *candidates, int n)
{
    const char *best = NULL;
    int bestd = 99, bestp = -1, bests = -1;
    int limit = (int)strlen(name) / 3;
    if (limit < 2)
        limit = 2;
    for (int i = 0; i < n; i++) {
        int dd = edit_distance(name, candidates[i]);
        if (dd > bestd || dd == 99)
            continue;
        int pp = common_prefix(name, candidates[i]);
        int ss = common_subseq(name, candidates[i]);
        if (dd < bestd || pp > bestp || (pp == bestp && ss > bests)) {
            bestd = dd;
            bestp = pp;
            bests = ss;
            best = candidates[i];
        }
    }
    return bestd <= limit && bestd > 0 ? best : NULL;
}
