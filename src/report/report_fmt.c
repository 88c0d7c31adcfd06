/* report_fmt.c — numbers for people and the escapes of each format, shared
 * by the renderers (report_int.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

const char *rf_or(const char *s, const char *dflt)
{
    return s && *s ? s : dflt;
}

void rf_p(Buf *b, double p)
{
    if (!isfinite(p))
        buf_puts(b, "–");
    else if (p < 0.001)
        buf_puts(b, "<0.001");
    else
        buf_printf(b, "%.3g", p);
}

void rf_num(Buf *b, double v)
{
    double a = fabs(v);
    if (!isfinite(v))
        buf_puts(b, "–");
    else if (a >= 1e9 || (a > 0 && a < 1e-4))
        buf_printf(b, "%.3g", v);
    else if (a >= 1e4)
        buf_printf(b, "%.0f", v);
    else
        buf_printf(b, "%.4g", v == 0 ? 0.0 : v);
}

void rf_count(Buf *b, double v)
{
    if (!isfinite(v)) {
        buf_puts(b, "–");
        return;
    }
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", fabs(v));
    if (v < 0)
        buf_putc(b, '-');
    size_t n = strlen(digits);
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf_putc(b, ',');
        buf_putc(b, digits[i]);
    }
}

void rf_effect(Buf *b, double v, bool rel)
{
    if (!isfinite(v))
        buf_puts(b, "–");
    else if (rel)
        buf_printf(b, fabs(v) >= 1 ? "%+.0f%%" : fabs(v) >= 0.1 ? "%+.1f%%" : "%+.2f%%", v * 100 + 0.0);
    else {
        if (v >= 0)
            buf_putc(b, '+');
        rf_num(b, v);
    }
}

void rf_pct(Buf *b, double v)
{
    if (!isfinite(v))
        buf_puts(b, "–");
    else
        buf_printf(b, "%.1f%%", v * 100);
}

void rf_md(Buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '|': buf_puts(b, "\\|"); break;
        case '\n':
        case '\r':
        case '\t': buf_putc(b, ' '); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '&': buf_puts(b, "&amp;"); break;
        default: buf_putc(b, *s);
        }
    }
}

void rf_html(Buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '&': buf_puts(b, "&amp;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        default: buf_putc(b, *s);
        }
    }
}

void rf_interval(Buf *out, const ReportRow *r)
{
    bool rel = rm_relative(r);
    if (isfinite(r->ci_low) || isfinite(r->ci_high)) {
        buf_putc(out, '[');
        rf_effect(out, r->ci_low, rel);
        buf_puts(out, ", ");
        rf_effect(out, r->ci_high, rel);
        buf_putc(out, ']');
    } else {
        buf_puts(out, "–");
    }
}
