/* term.c — text from outside (GrowthBook names, keys) made safe to print on
 * a terminal.  A terminal acts on C0 controls (ESC starts CSI/OSC
 * sequences, CR returns to the start of the line, LF breaks it), on C1
 * controls (U+0080..U+009F; U+009B is a one-character CSI) and on the
 * bidirectional formatting characters, which reorder what follows.  Those
 * are printed as visible escapes (\t \n \r, \xNN, \uNNNN), and so is every
 * byte that is not valid UTF-8; all other text, UTF-8 included, is kept. */
#include "abc/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int utf8_decode(const unsigned char *p, unsigned long *cp)
{
    int len;
    unsigned long c;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    } else if ((p[0] & 0xE0) == 0xC0) {
        c = p[0] & 0x1Fu;
        len = 2;
    } else if ((p[0] & 0xF0) == 0xE0) {
        c = p[0] & 0x0Fu;
        len = 3;
    } else if ((p[0] & 0xF8) == 0xF0) {
        c = p[0] & 0x07u;
        len = 4;
    } else {
        return 0;
    }
    for (int i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    static const unsigned long min_of_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min_of_len[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

static int is_bidi(unsigned long cp)
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* Bytes of s to take as they are before the first one needing an escape. */
static size_t clean_prefix(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (p[i]) {
        unsigned long cp;
        int len = utf8_decode(p + i, &cp);
        if (len == 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || is_bidi(cp))
            break;
        i += (size_t)len;
    }
    return i;
}

void buf_put_term(Buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = clean_prefix((const char *)p);
        buf_put(b, (const char *)p, n);
        p += n;
        if (!*p)
            break;
        unsigned long cp;
        int len = utf8_decode(p, &cp);
        if (len == 0) {
            buf_printf(b, "\\x%02x", *p);
            p++;
        } else if (cp == '\t' || cp == '\n' || cp == '\r') {
            buf_putc(b, '\\');
            buf_putc(b, cp == '\t' ? 't' : cp == '\n' ? 'n' : 'r');
            p++;
        } else if (cp < 0x80) {
            buf_printf(b, "\\x%02x", (unsigned)cp);
            p++;
        } else {
            buf_printf(b, "\\u%04lx", cp);
            p += len;
        }
    }
    if (!b->data)
        buf_put(b, "", 0);
}

const char *term_safe(Arena *a, const char *s)
{
    if (!s || s[clean_prefix(s)] == '\0')
        return s;
    Buf b;
    buf_init(&b);
    buf_put_term(&b, s);
    char *out = arena_strndup(a, b.data, b.len);
    buf_free(&b);
    return out;
}

bool term_color(FILE *f)
{
    const char *no = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if (no && *no)
        return false;
    if (!term || !*term || strcmp(term, "dumb") == 0)
        return false;
    return isatty(fileno(f)) == 1;
}
