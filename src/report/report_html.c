/* report_html.c — the results page: one self-contained HTML file (no
 * script, no external resource), responsive (viewport meta, SVG scaled by
 * viewBox, wide tables scroll in their box) and accessible (every chart has
 * a title and a description; colours carry words too).
 *
 * Per experiment, top to bottom: the verdict per variation by name, a
 * health banner (SRM with expected and observed units and p-value,
 * data-quality failures, guardrail breaches), the phase, dates, weights,
 * methods, sequential setting and sample, then the metrics grouped by role
 * in spec order — each with a forest plot of the effect and interval per
 * variation, the effect over analysis dates (from the daily rows), the
 * table, and its segment breakdown collapsed in <details>.  Experiments
 * whose checks failed are shown with their failure, never dropped.  After
 * the experiments, for specs with activity blocks and growth rows, the
 * growth section (report_html_growth.c); specs with `hourly` end with the
 * exposures per hour of the last 48 hours. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/dates.h"
#include "report_int.h"

static const char *const PALETTE[] = {"#0969da", "#bc4c00", "#8250df", "#1a7f37",
                                      "#bf3989", "#953800", "#6639ba", "#57606a"};
#define NPALETTE 8

static const char CSS[] =
    ":root{color-scheme:light}*{box-sizing:border-box}"
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1f2328;background:#fff}"
    "header,main{max-width:1100px;margin:0 auto;padding:0 16px}"
    "h1{font-size:1.5rem;margin:16px 0 4px}h2{font-size:1.3rem;margin:0 0 8px}h3{font-size:1.1rem;margin:20px 0 8px;"
    "border-bottom:1px solid #d0d7de}h4{font-size:1rem;margin:16px 0 6px}"
    "h1,h2,h3,h4,p,li,dd,dt,summary,figcaption{overflow-wrap:anywhere}"
    "code{font-size:.9em;background:#f6f8fa;padding:0 3px;border-radius:3px;overflow-wrap:anywhere}"
    ".muted{color:#59636e}"
    "nav ul{padding-left:20px}"
    ".experiment{border:1px solid #d0d7de;border-radius:8px;padding:16px;margin:24px 0}"
    ".verdict{border-left:6px solid #59636e;background:#f6f8fa;padding:8px 12px;margin:0 0 10px;border-radius:4px}"
    ".verdict p{margin:0 0 4px;font-size:1.05rem}.verdict ul{margin:0;padding-left:18px}"
    ".v-ship{color:#116329}.verdict.v-ship{border-color:#1a7f37;background:#dafbe1}"
    ".v-no{color:#a40e26}.verdict.v-no{border-color:#cf222e;background:#ffebe9}"
    ".v-keep{color:#424a53}"
    ".v-invalid{color:#7d4e00}.verdict.v-invalid{border-color:#bf8700;background:#fff8c5}"
    ".badge{display:inline-block;padding:0 6px;border-radius:10px;border:1px solid currentColor;font-size:.85em}"
    ".health{padding:10px 14px;border-radius:6px;margin:0 0 10px}"
    ".health-fail{background:#ffebe9;border:3px solid #cf222e;color:#82071e}"
    ".health-fail>strong{font-size:1.1rem}"
    ".health-ok{background:#dafbe1;border:1px solid #1a7f37;color:#0f3d1f}"
    ".health ul{margin:4px 0;padding-left:18px}"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0}"
    "dl.facts dt{font-weight:600}dl.facts dd{margin:0;min-width:0}"
    "@media(max-width:600px){dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:4px}}"
    ".scroll{overflow-x:auto;max-width:100%}"
    "table{border-collapse:collapse;font-size:13px;margin:6px 0}"
    "td,th{border:1px solid #d0d7de;padding:3px 7px;text-align:right;white-space:nowrap}"
    "th{background:#f6f8fa}.l{text-align:left}"
    ".winner{color:#116329;font-weight:600}.loser{color:#a40e26;font-weight:600}.invalid{color:#7d4e00}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,400px),1fr));gap:12px}"
    "figure{margin:0;min-width:0}figcaption{font-size:13px;color:#59636e}"
    "svg.chart{display:block;width:100%;height:auto;max-width:640px}"
    "svg.chart text{font-family:inherit}"
    ".legend{list-style:none;padding:0;margin:2px 0;font-size:13px;display:flex;flex-wrap:wrap;gap:4px 14px}"
    ".sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-1px}"
    "details{margin:6px 0}summary{cursor:pointer;color:#0550ae}"
    ".growth{border-top:2px solid #d0d7de;margin:24px 0;padding-top:12px}";

/* ---- small pieces ------------------------------------------------------------ */

static const char *verdict_class(const char *v)
{
    if (!v)
        return "v-keep";
    if (!strcmp(v, "ship"))
        return "v-ship";
    if (!strcmp(v, "do not ship"))
        return "v-no";
    if (!strcmp(v, "invalid"))
        return "v-invalid";
    return "v-keep";
}

static const char *decision_class(const char *d)
{
    return d && (!strcmp(d, "winner") || !strcmp(d, "loser") || !strcmp(d, "invalid")) ? d : "";
}

/* The scale charts show an effect on: multiplier and unit. */
typedef struct Unit {
    double mult;
    const char *suffix, *title;
} Unit;

static Unit effect_unit(const IrMetric *mt, bool rel)
{
    if (rel)
        return (Unit){100, "%", "relative effect vs control (%)"};
    switch (mt->kind) {
    case MK_PROPORTION:
    case MK_RETENTION:
    case MK_FUNNEL: return (Unit){100, " pp", "absolute difference vs control (percentage points)"};
    case MK_TIME_TO_EVENT: return (Unit){1, " d", "difference in mean days to event (days)"};
    default: return (Unit){1, "", "absolute difference vs control (metric units)"};
    }
}

static void put_unit_value(Buf *b, double v, const Unit *u)
{
    if (!isfinite(v)) {
        buf_puts(b, "–");
        return;
    }
    double a = fabs(v * u->mult);
    buf_printf(b, a >= 100 ? "%+.0f%s" : a >= 10 ? "%+.1f%s" : "%+.2f%s", v * u->mult + 0.0, u->suffix);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Up to ~6 round ticks covering [lo, hi]; returns the count, *step the step. */
int rh_nice_ticks(double lo, double hi, double *t, double *step_out)
{
    double range = hi - lo, raw = range / 5, mag = pow(10, floor(log10(raw))), f = raw / mag;
    double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
    int n = 0;
    for (double v = ceil(lo / step) * step; v <= hi + step * 1e-9 && n < 12; v += step)
        t[n++] = fabs(v) < step * 1e-9 ? 0 : v;
    *step_out = step;
    return n;
}

void rh_tick_label(Buf *b, double v, double step, const char *suffix)
{
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 6)
        dec = 6;
    buf_printf(b, "%.*f%s", dec, v + 0.0, suffix);
}

/* The domain of intervals: 0, every point, and every interval not wider
 * than 4 × the median width; wider ones are clipped at the axis. */
static void domain(const double *pts, int npts, const double *lo, const double *hi, int n, double *dlo,
                   double *dhi)
{
    double a = 0, b = 0;
    for (int i = 0; i < npts; i++)
        if (isfinite(pts[i])) {
            a = fmin(a, pts[i]);
            b = fmax(b, pts[i]);
        }
    double *w = malloc(sizeof(double) * (size_t)(n + 1));
    int nw = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(lo[i]) && isfinite(hi[i]))
            w[nw++] = hi[i] - lo[i];
    double med = 0;
    if (nw) {
        qsort(w, (size_t)nw, sizeof(double), cmp_double);
        med = w[nw / 2];
    }
    free(w);
    for (int i = 0; i < n; i++)
        if (isfinite(lo[i]) && isfinite(hi[i]) && hi[i] - lo[i] <= 4 * med + 1e-300) {
            a = fmin(a, lo[i]);
            b = fmax(b, hi[i]);
        }
    if (!(b > a)) {
        double s = fabs(a) > 0 ? fabs(a) : 1;
        a -= s;
        b += s;
    }
    double pad = (b - a) * 0.06;
    *dlo = a - pad;
    *dhi = b + pad;
}

double rh_scale(double v, double lo, double hi, double x0, double x1)
{
    return x0 + (v - lo) / (hi - lo) * (x1 - x0);
}

static void svg_label(Buf *out, const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n <= max) {
        rf_html(out, s);
        return;
    }
    /* cut on a UTF-8 boundary */
    size_t cut = max - 1;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    char *t = strndup(s, cut);
    rf_html(out, t);
    free(t);
    buf_puts(out, "…");
}

/* ---- charts ------------------------------------------------------------------ */

typedef struct Html {
    Buf *out;
    const RmModel *m;
    int chart_id;
} Html;

static void forest(Html *h, const RmExp *x, int mi)
{
    Buf *out = h->out;
    const IrSpec *ir = h->m->in->ir;
    const IrMetric *mt = &ir->metrics[mi];
    int nv = x->nvars, n = 0;
    double *e = calloc((size_t)nv + 1, sizeof(double) * 3);
    double *lo = e + nv, *hi = lo + nv;
    int *idx = calloc((size_t)nv + 1, sizeof(int));
    bool rel = true;
    for (int v = 1; v < nv; v++) {
        const ReportRow *r = x->cell[(size_t)mi * (size_t)nv + (size_t)v];
        if (!r)
            continue;
        rel = rm_relative(r);
        e[n] = rm_effect(r);
        lo[n] = r->ci_low;
        hi[n] = r->ci_high;
        idx[n++] = v;
    }
    if (n == 0) {
        free(e);
        free(idx);
        return;
    }
    Unit u = effect_unit(mt, rel);
    double dlo, dhi;
    domain(e, n, lo, hi, n, &dlo, &dhi);
    const double W = 480, X0 = 140, X1 = 464, ROW = 30, TOP = 12;
    double axis_y = TOP + n * ROW + 4, H = axis_y + 52;
    int id = ++h->chart_id;
    double level = (1 - ir->analysis.alpha) * 100;
    buf_printf(out, "<figure><svg class=\"chart forest\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
                    "aria-labelledby=\"c%d-t c%d-d\"><title id=\"c%d-t\">",
               W, H, id, id, id);
    rf_html(out, mt->name);
    buf_printf(out, ": effect and %g%% interval per variation</title><desc id=\"c%d-d\">", level, id);
    for (int k = 0; k < n; k++) {
        buf_puts(out, k ? "; " : "");
        rf_html(out, rm_var_label(&x->vars[idx[k]]));
        buf_puts(out, " ");
        put_unit_value(out, e[k], &u);
        buf_puts(out, " [");
        put_unit_value(out, lo[k], &u);
        buf_puts(out, ", ");
        put_unit_value(out, hi[k], &u);
        buf_puts(out, "]");
    }
    buf_puts(out, "</desc>\n");
    /* grid, zero line, axis */
    double ticks[16], step;
    int nt = rh_nice_ticks(dlo * u.mult, dhi * u.mult, ticks, &step);
    buf_printf(out, "<g class=\"axis\" data-axis=\"x\"><line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#59636e\"/>\n",
               X0, axis_y, X1, axis_y);
    for (int k = 0; k < nt; k++) {
        double tx = rh_scale(ticks[k] / u.mult, dlo, dhi, X0, X1);
        buf_printf(out, "<line class=\"tick\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#59636e\"/>"
                        "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eaeef2\"/>"
                        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1f2328\">",
                   tx, axis_y, tx, axis_y + 5, tx, TOP - 6, tx, axis_y, tx, axis_y + 17);
        rh_tick_label(out, ticks[k], step, u.suffix[0] == ' ' ? "" : u.suffix);
        buf_puts(out, "</text>\n");
    }
    buf_printf(out, "<text class=\"axis-title\" x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1f2328\">",
               (X0 + X1) / 2, axis_y + 34);
    rf_html(out, u.title);
    buf_puts(out, "</text></g>\n");
    double zx = rh_scale(0, dlo, dhi, X0, X1);
    buf_printf(out, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#59636e\" stroke-dasharray=\"4 3\"/>\n",
               zx, TOP - 6, zx, axis_y);
    bool clipped_any = false;
    for (int k = 0; k < n; k++) {
        const ReportRow *r = x->cell[(size_t)mi * (size_t)nv + (size_t)idx[k]];
        const char *dec = rf_or(r->decision, "");
        const char *col = !strcmp(dec, "winner") ? "#1a7f37" : !strcmp(dec, "loser") ? "#cf222e"
                        : !strcmp(dec, "invalid") ? "#9a6700" : "#424a53";
        double y = TOP + k * ROW + ROW / 2;
        buf_printf(out, "<text x=\"4\" y=\"%.1f\" font-size=\"12\" fill=\"#1f2328\">", y + 4);
        svg_label(out, rm_var_label(&x->vars[idx[k]]), 20);
        buf_puts(out, "</text>\n");
        bool clip_lo = !isfinite(lo[k]) || lo[k] < dlo, clip_hi = !isfinite(hi[k]) || hi[k] > dhi;
        bool has_ci = isfinite(lo[k]) || isfinite(hi[k]);
        if (has_ci) {
            double a = clip_lo ? X0 : rh_scale(lo[k], dlo, dhi, X0, X1), b = clip_hi ? X1 : rh_scale(hi[k], dlo, dhi, X0, X1);
            buf_printf(out, "<g class=\"interval%s\"><title>", clip_lo || clip_hi ? " clipped" : "");
            rf_html(out, rm_var_label(&x->vars[idx[k]]));
            buf_puts(out, ": ");
            put_unit_value(out, e[k], &u);
            buf_puts(out, " [");
            put_unit_value(out, lo[k], &u);
            buf_puts(out, ", ");
            put_unit_value(out, hi[k], &u);
            buf_printf(out, "]%s, %s</title>", clip_lo || clip_hi ? " (interval clipped at the axis)" : "",
                       dec[0] ? dec : "no decision");
            buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2.5\"/>",
                       a, y, b, y, col);
            if (clip_lo)
                buf_printf(out, "<path class=\"clip-mark\" d=\"M%.1f %.1fl8 -6v12z\" fill=\"%s\"/>", X0 - 2, y, col);
            if (clip_hi)
                buf_printf(out, "<path class=\"clip-mark\" d=\"M%.1f %.1fl-8 -6v12z\" fill=\"%s\"/>", X1 + 2, y, col);
            if (!clip_lo)
                buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>",
                           a, y - 5, a, y + 5, col);
            if (!clip_hi)
                buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>",
                           b, y - 5, b, y + 5, col);
            buf_puts(out, "</g>\n");
            clipped_any |= clip_lo || clip_hi;
        }
        if (isfinite(e[k]) && e[k] >= dlo && e[k] <= dhi)
            buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>\n", rh_scale(e[k], dlo, dhi, X0, X1), y,
                       col);
    }
    buf_puts(out, "</svg><figcaption>");
    buf_printf(out, "Effect of each variation vs the control with its %g%% interval; dashed line: no effect.", level);
    if (clipped_any)
        buf_puts(out, " <span class=\"clip-note\">Arrows: interval clipped at the axis (full values in the table).</span>");
    buf_puts(out, "</figcaption></figure>\n");
    free(e);
    free(idx);
}

typedef struct Pt {
    long day;
    double e, lo, hi;
} Pt;

static int cmp_pt(const void *a, const void *b)
{
    long x = ((const Pt *)a)->day, y = ((const Pt *)b)->day;
    return x < y ? -1 : x > y;
}

static void trend(Html *h, const RmExp *x, int mi)
{
    Buf *out = h->out;
    const ReportInput *in = h->m->in;
    const IrMetric *mt = &in->ir->metrics[mi];
    int nv = x->nvars;
    Pt **pts = calloc((size_t)nv + 1, sizeof(Pt *));
    int *np = calloc((size_t)nv + 1, sizeof(int));
    int total = 0;
    bool rel = true;
    for (int v = 1; v < nv; v++)
        pts[v] = calloc((size_t)in->ndaily + 1, sizeof(Pt));
    for (int i = 0; i < in->ndaily; i++) {
        const ReportRow *r = &in->daily[i];
        if (!rm_is_all_users(r) || r->is_control == 1 || !r->metric || strcmp(r->metric, mt->name) ||
            strcmp(rf_or(r->tracking_key, ""), rf_or(x->tracking_key, "")))
            continue;
        int v = rm_var_index(x, r->variation_key);
        long day;
        if (v < 1 || !r->analysis_date || !date_parse_prefix(r->analysis_date, &day))
            continue;
        rel = rm_relative(r);
        pts[v][np[v]++] = (Pt){day, rm_effect(r), r->ci_low, r->ci_high};
        total++;
    }
    if (total == 0) {
        buf_puts(out, "<figure><p class=\"muted\">No daily rows for the effect over time.</p></figure>\n");
        goto done;
    }
    Unit u = effect_unit(mt, rel);
    long d0 = LONG_MAX, d1 = LONG_MIN;
    double *e = malloc(sizeof(double) * (size_t)total * 3), *lo = e + total, *hi = lo + total;
    int k = 0;
    for (int v = 1; v < nv; v++) {
        qsort(pts[v], (size_t)np[v], sizeof(Pt), cmp_pt);
        for (int i = 0; i < np[v]; i++, k++) {
            e[k] = pts[v][i].e;
            lo[k] = pts[v][i].lo;
            hi[k] = pts[v][i].hi;
            d0 = pts[v][i].day < d0 ? pts[v][i].day : d0;
            d1 = pts[v][i].day > d1 ? pts[v][i].day : d1;
        }
    }
    double ylo, yhi;
    domain(e, total, lo, hi, total, &ylo, &yhi);
    free(e);
    double xlo = (double)d0, xhi = (double)d1;
    if (xhi <= xlo)
        xlo -= 1, xhi += 1;
    const double W = 480, H = 250, X0 = 58, X1 = 466, Y0 = 12, Y1 = 190;
    int id = ++h->chart_id;
    char a[11], b[11];
    date_format(d0, a);
    date_format(d1, b);
    buf_printf(out, "<figure><svg class=\"chart trend\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
                    "aria-labelledby=\"c%d-t c%d-d\"><title id=\"c%d-t\">",
               W, H, id, id, id);
    rf_html(out, mt->name);
    buf_printf(out, ": effect over time</title><desc id=\"c%d-d\">Effect and %g%% interval of each variation by "
                    "analysis date, %s to %s. Latest:",
               id, (1 - in->ir->analysis.alpha) * 100, a, b);
    for (int v = 1; v < nv; v++)
        if (np[v]) {
            const Pt *p = &pts[v][np[v] - 1];
            buf_puts(out, " ");
            rf_html(out, rm_var_label(&x->vars[v]));
            buf_puts(out, " ");
            put_unit_value(out, p->e, &u);
            buf_puts(out, " [");
            put_unit_value(out, p->lo, &u);
            buf_puts(out, ", ");
            put_unit_value(out, p->hi, &u);
            buf_puts(out, "];");
        }
    buf_printf(out, "</desc>\n<defs><clipPath id=\"c%d-clip\"><rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" "
                    "height=\"%.0f\"/></clipPath></defs>\n",
               id, X0, Y0, X1 - X0, Y1 - Y0);
    /* y axis */
    double ticks[16], step;
    int nt = rh_nice_ticks(ylo * u.mult, yhi * u.mult, ticks, &step);
    buf_printf(out, "<g class=\"axis\" data-axis=\"y\"><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#59636e\"/>\n",
               X0, Y0, X0, Y1);
    for (int t = 0; t < nt; t++) {
        double ty = rh_scale(ticks[t] / u.mult, ylo, yhi, Y1, Y0);
        buf_printf(out, "<line class=\"tick\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#59636e\"/>"
                        "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#eaeef2\"/>"
                        "<text x=\"%.0f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\" fill=\"#1f2328\">",
                   X0 - 5, ty, X0, ty, X0 + 1, ty, X1, ty, X0 - 7, ty + 4);
        rh_tick_label(out, ticks[t], step, u.suffix[0] == ' ' ? "" : u.suffix);
        buf_puts(out, "</text>\n");
    }
    buf_printf(out, "<text class=\"axis-title\" transform=\"translate(13 %.0f) rotate(-90)\" font-size=\"12\" "
                    "text-anchor=\"middle\" fill=\"#1f2328\">",
               (Y0 + Y1) / 2);
    buf_puts(out, rel ? "effect (%)" : u.suffix[0] == ' ' && u.suffix[1] == 'p' ? "effect (pp)"
                  : u.suffix[0] == ' ' ? "effect (days)" : "effect");
    buf_puts(out, "</text></g>\n");
    /* x axis: dates */
    buf_printf(out, "<g class=\"axis\" data-axis=\"x\"><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#59636e\"/>\n",
               X0, Y1, X1, Y1);
    long span = (long)(xhi - xlo), every = span <= 6 ? 1 : (span + 5) / 6;
    for (long d = (long)xlo; d <= (long)xhi; d += every) {
        double tx = rh_scale((double)d, xlo, xhi, X0, X1);
        char ds[11];
        date_format(d, ds);
        buf_printf(out, "<line class=\"tick\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#59636e\"/>"
                        "<text x=\"%.1f\" y=\"%.0f\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1f2328\">%s</text>\n",
                   tx, Y1, tx, Y1 + 5, tx, Y1 + 18, ds + 5);
    }
    buf_printf(out, "<text class=\"axis-title\" x=\"%.0f\" y=\"%.0f\" font-size=\"12\" text-anchor=\"middle\" "
                    "fill=\"#1f2328\">analysis date (%s to %s)</text></g>\n",
               (X0 + X1) / 2, Y1 + 36, a, b);
    double zy = rh_scale(0, ylo, yhi, Y1, Y0);
    buf_printf(out, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#59636e\" stroke-dasharray=\"4 3\"/>\n",
               X0, zy, X1, zy);
    bool clipped = false;
    buf_printf(out, "<g clip-path=\"url(#c%d-clip)\">\n", id);
    for (int v = 1; v < nv; v++) {
        if (!np[v])
            continue;
        const char *col = PALETTE[(v - 1) % NPALETTE];
        /* band: upper edge forward, lower edge back, where both bounds are finite */
        Buf band;
        buf_init(&band);
        int nb = 0;
        for (int i = 0; i < np[v]; i++)
            if (isfinite(pts[v][i].lo) && isfinite(pts[v][i].hi)) {
                buf_printf(&band, "%s%.1f,%.1f", nb++ ? " " : "", rh_scale((double)pts[v][i].day, xlo, xhi, X0, X1),
                           rh_scale(fmin(pts[v][i].hi, yhi + (yhi - ylo)), ylo, yhi, Y1, Y0));
                clipped |= pts[v][i].hi > yhi || pts[v][i].lo < ylo;
            }
        for (int i = np[v] - 1; i >= 0; i--)
            if (isfinite(pts[v][i].lo) && isfinite(pts[v][i].hi))
                buf_printf(&band, " %.1f,%.1f", rh_scale((double)pts[v][i].day, xlo, xhi, X0, X1),
                           rh_scale(fmax(pts[v][i].lo, ylo - (yhi - ylo)), ylo, yhi, Y1, Y0));
        if (nb)
            buf_printf(out, "<polygon points=\"%s\" fill=\"%s\" fill-opacity=\"0.15\" stroke=\"none\"/>\n", band.data,
                       col);
        buf_free(&band);
        buf_printf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
        for (int i = 0, first = 1; i < np[v]; i++)
            if (isfinite(pts[v][i].e)) {
                buf_printf(out, "%s%.1f,%.1f", first ? "" : " ", rh_scale((double)pts[v][i].day, xlo, xhi, X0, X1),
                           rh_scale(pts[v][i].e, ylo, yhi, Y1, Y0));
                first = 0;
            }
        buf_puts(out, "\"/>\n");
    }
    buf_puts(out, "</g>\n");
    if (clipped)
        buf_printf(out, "<text class=\"clip-note\" x=\"%.0f\" y=\"%.0f\" font-size=\"12\" text-anchor=\"end\" "
                        "fill=\"#59636e\">intervals clipped at the axis</text>\n",
                   X1, Y0 + 10);
    buf_puts(out, "</svg><ul class=\"legend\">");
    for (int v = 1; v < nv; v++) {
        if (!np[v])
            continue;
        buf_printf(out, "<li><span class=\"sw\" style=\"background:%s\"></span>", PALETTE[(v - 1) % NPALETTE]);
        rf_html(out, rm_var_label(&x->vars[v]));
        buf_puts(out, "</li>");
    }
    buf_puts(out, "</ul><figcaption>Effect by analysis date (cumulative data up to that date), shaded: its "
                  "interval.</figcaption></figure>\n");
done:
    for (int v = 1; v < nv; v++)
        free(pts[v]);
    free(pts);
    free(np);
}

/* ---- tables ------------------------------------------------------------------ */

static void effect_cells(Buf *out, const ReportRow *r)
{
    bool rel = rm_relative(r);
    buf_puts(out, "<td>");
    rf_effect(out, rm_effect(r), rel);
    buf_puts(out, "</td><td>");
    rf_interval(out, r);
    buf_puts(out, "</td><td>");
    rf_p(out, r->p_value);
    buf_puts(out, "</td><td>");
    rf_p(out, r->p_value_adjusted);
    buf_puts(out, "</td>");
}

static void metric_table(Html *h, const RmExp *x, int mi)
{
    Buf *out = h->out;
    int nv = x->nvars;
    double level = (1 - h->m->in->ir->analysis.alpha) * 100;
    buf_printf(out, "<div class=\"scroll\"><table><thead><tr><th class=\"l\" scope=\"col\">variation</th>"
                    "<th scope=\"col\">users</th><th scope=\"col\">value</th><th scope=\"col\">effect</th>"
                    "<th scope=\"col\">%g%% CI</th><th scope=\"col\">p</th><th scope=\"col\">p adj.</th>"
                    "<th scope=\"col\">chance to win</th><th class=\"l\" scope=\"col\">decision</th>"
                    "<th class=\"l\" scope=\"col\">notes</th></tr></thead><tbody>\n",
               level);
    for (int v = 0; v < nv; v++) {
        const ReportRow *r = x->cell[(size_t)mi * (size_t)nv + (size_t)v];
        buf_puts(out, "<tr><th class=\"l\" scope=\"row\">");
        rf_html(out, rm_var_label(&x->vars[v]));
        if (v == 0)
            buf_puts(out, " <span class=\"muted\">(control)</span>");
        buf_puts(out, "</th>");
        if (!r) {
            buf_puts(out, "<td colspan=\"9\" class=\"l\">no row</td></tr>\n");
            continue;
        }
        buf_puts(out, "<td>");
        rf_count(out, r->users != REPORT_INT_NULL ? (double)r->users : NAN);
        buf_puts(out, "</td><td>");
        rf_num(out, r->mean);
        buf_puts(out, "</td>");
        if (v == 0) {
            buf_puts(out, "<td></td><td></td><td></td><td></td><td></td><td></td><td class=\"l\">");
        } else {
            effect_cells(out, r);
            buf_puts(out, "<td>");
            rf_pct(out, r->chance_to_win);
            buf_printf(out, "</td><td class=\"l %s\">", decision_class(r->decision));
            rf_html(out, rf_or(r->decision, "–"));
            if (r->bayes_decision) {
                buf_puts(out, " <span class=\"muted\">(Bayes: ");
                rf_html(out, r->bayes_decision);
                buf_puts(out, ")</span>");
            }
            buf_puts(out, "</td><td class=\"l\">");
        }
        bool sep = false;
        if (r->flags && *r->flags) {
            buf_puts(out, "flags: ");
            rf_html(out, r->flags);
            sep = true;
        }
        if (isfinite(r->cuped_variance_reduction)) {
            buf_printf(out, "%sCUPED −%.1f%% variance", sep ? "; " : "", r->cuped_variance_reduction * 100);
            sep = true;
        }
        if (isfinite(r->km_median)) {
            buf_printf(out, "%sKM median ", sep ? "; " : "");
            rf_num(out, r->km_median);
            buf_puts(out, " d");
            sep = true;
        }
        if (r->note && *r->note) {
            buf_puts(out, sep ? "; " : "");
            rf_html(out, r->note);
        }
        buf_puts(out, "</td></tr>\n");
    }
    buf_puts(out, "</tbody></table></div>\n");
}

static void segments(Html *h, const RmExp *x, int mi)
{
    Buf *out = h->out;
    const ReportInput *in = h->m->in;
    const char *name = in->ir->metrics[mi].name;
    int n = 0;
    for (int i = 0; i < in->nrows; i++) {
        const ReportRow *r = &in->rows[i];
        n += !rm_is_all_users(r) && r->is_control != 1 && r->metric && !strcmp(r->metric, name) &&
             !strcmp(rf_or(r->tracking_key, ""), rf_or(x->tracking_key, ""));
    }
    if (!n)
        return;
    buf_printf(out, "<details class=\"segments\"><summary>Segments (%d row%s)</summary><div class=\"scroll\"><table>"
                    "<thead><tr><th class=\"l\" scope=\"col\">segment</th><th class=\"l\" scope=\"col\">value</th>"
                    "<th class=\"l\" scope=\"col\">variation</th><th scope=\"col\">users</th><th scope=\"col\">effect</th>"
                    "<th scope=\"col\">CI</th><th scope=\"col\">p</th><th scope=\"col\">p adj.</th>"
                    "<th class=\"l\" scope=\"col\">decision</th></tr></thead><tbody>\n",
               n, n == 1 ? "" : "s");
    for (int i = 0; i < in->nrows; i++) {
        const ReportRow *r = &in->rows[i];
        if (rm_is_all_users(r) || r->is_control == 1 || !r->metric || strcmp(r->metric, name) ||
            strcmp(rf_or(r->tracking_key, ""), rf_or(x->tracking_key, "")))
            continue;
        int v = rm_var_index(x, r->variation_key);
        buf_puts(out, "<tr><td class=\"l\">");
        rf_html(out, r->segment);
        buf_puts(out, "</td><td class=\"l\">");
        rf_html(out, rf_or(r->segment_value, "(none)"));
        buf_puts(out, "</td><td class=\"l\">");
        rf_html(out, v >= 0 ? rm_var_label(&x->vars[v]) : r->variation_key);
        buf_puts(out, "</td><td>");
        rf_count(out, r->users != REPORT_INT_NULL ? (double)r->users : NAN);
        buf_puts(out, "</td>");
        effect_cells(out, r);
        buf_printf(out, "<td class=\"l %s\">", decision_class(r->decision));
        rf_html(out, rf_or(r->decision, "–"));
        buf_puts(out, "</td></tr>\n");
    }
    buf_puts(out, "</tbody></table></div></details>\n");
}

/* ---- an experiment ------------------------------------------------------------ */

static void verdict_html(Buf *out, const RmExp *x)
{
    const AnalysisVerdict *v = &x->verdict;
    buf_printf(out, "<div class=\"verdict %s\" data-verdict=\"%s\"", verdict_class(v->verdict), v->verdict);
    if (v->variation > 0) {
        buf_puts(out, " data-variation=\"");
        rf_html(out, rm_var_label(&x->vars[v->variation]));
        buf_putc(out, '"');
    }
    buf_printf(out, "><p class=\"%s\"><strong>", verdict_class(v->verdict));
    if (v->variation > 0) {
        buf_puts(out, "Ship ");
        rf_html(out, rm_var_label(&x->vars[v->variation]));
    } else if (!strcmp(v->verdict, "do not ship")) {
        buf_puts(out, "Do not ship");
    } else if (!strcmp(v->verdict, "invalid")) {
        buf_puts(out, "Invalid: do not read the effects");
    } else {
        buf_puts(out, "Keep running");
    }
    buf_puts(out, "</strong> — ");
    rf_html(out, v->why);
    buf_puts(out, ".</p><ul class=\"variations\">");
    for (int i = 1; i < x->nvars; i++) {
        const char *vv = rf_or(x->vars[i].verdict, "keep running");
        buf_printf(out, "<li class=\"%s\" data-verdict=\"%s\" data-variation=\"", verdict_class(vv), vv);
        rf_html(out, rm_var_label(&x->vars[i]));
        buf_printf(out, "\"><span class=\"sw\" style=\"background:%s\"></span><strong>", PALETTE[(i - 1) % NPALETTE]);
        rf_html(out, rm_var_label(&x->vars[i]));
        buf_puts(out, "</strong>: ");
        buf_puts(out, vv);
        buf_puts(out, "</li>");
    }
    buf_puts(out, "</ul></div>\n");
}

static void health_html(Buf *out, const RmModel *m, const RmExp *x)
{
    const IrSpec *ir = m->in->ir;
    if (!x->srm && !x->dq && !x->nbreaches) {
        buf_puts(out, "<div class=\"health health-ok\" role=\"status\" data-health=\"ok\"><strong>Health: OK</strong> — ");
        if (isfinite(x->srm_p)) {
            buf_puts(out, "sample ratio p = ");
            rf_p(out, x->srm_p);
            buf_puts(out, " (split matches the weights)");
        } else {
            buf_puts(out, "sample ratio not computed (no units to compare with the weights)");
        }
        buf_puts(out, ", no data-quality issue, no guardrail breached.</div>\n");
        return;
    }
    buf_printf(out, "<div class=\"health health-fail\" role=\"alert\" data-health=\"fail\" data-srm=\"%d\" data-dq=\"%d\" "
                    "data-guardrail=\"%d\"><strong>&#9888; Health check failed</strong><ul>",
               x->srm, x->dq, x->nbreaches);
    if (x->srm) {
        buf_puts(out, "<li data-check=\"srm\"><strong>Sample ratio mismatch</strong>: p ");
        if (x->srm_p < 0.001)
            buf_puts(out, "&lt; 0.001");
        else
            buf_printf(out, "= %.3g", x->srm_p);
        buf_printf(out, ", below the threshold %g — the split does not match the weights; the results are invalid until the "
                        "assignment is fixed.<div class=\"scroll\"><table><thead><tr><th class=\"l\" scope=\"col\">"
                        "variation</th><th scope=\"col\">weight</th><th scope=\"col\">expected</th><th scope=\"col\">"
                        "observed</th></tr></thead><tbody>",
                   ir->analysis.srm_threshold);
        for (int v = 0; v < x->nvars; v++) {
            buf_puts(out, "<tr><th class=\"l\" scope=\"row\">");
            rf_html(out, rm_var_label(&x->vars[v]));
            buf_puts(out, "</th><td>");
            if (isfinite(x->vars[v].weight))
                buf_printf(out, "%g", x->vars[v].weight);
            else
                buf_puts(out, "–");
            buf_puts(out, "</td><td>");
            rf_count(out, x->vars[v].expected);
            buf_puts(out, "</td><td>");
            rf_count(out, x->vars[v].users);
            buf_puts(out, "</td></tr>");
        }
        buf_puts(out, "</tbody></table></div>");
        for (int v = 0; v < x->nvars; v++)
            if (x->vars[v].weight == 0 && x->vars[v].users > 0) {
                buf_puts(out, "Variation ");
                rf_html(out, rm_var_label(&x->vars[v]));
                buf_puts(out, " has weight 0 but ");
                rf_count(out, x->vars[v].users);
                buf_puts(out, " users. ");
            }
        buf_puts(out, "</li>");
    }
    if (x->dq) {
        buf_puts(out, "<li data-check=\"data_quality\"><strong>Data quality</strong>: ");
        rf_html(out, x->dq_why);
        buf_puts(out, ".</li>");
    }
    for (int b = 0; b < x->nbreaches; b++) {
        const ReportRow *r = x->cell[(size_t)x->breaches[b].metric * (size_t)x->nvars + (size_t)x->breaches[b].variation];
        buf_puts(out, "<li data-check=\"guardrail\"><strong>Guardrail breached</strong>: ");
        rf_html(out, ir->metrics[x->breaches[b].metric].name);
        buf_puts(out, " is significantly worse in ");
        rf_html(out, rm_var_label(&x->vars[x->breaches[b].variation]));
        buf_puts(out, " (");
        rf_effect(out, rm_effect(r), rm_relative(r));
        buf_puts(out, ", p adj. ");
        rf_p(out, r->p_value_adjusted);
        buf_puts(out, ").</li>");
    }
    buf_puts(out, "</ul></div>\n");
}

static void facts_html(Buf *out, const RmModel *m, const RmExp *x)
{
    const IrAnalysis *an = &m->in->ir->analysis;
    static const char *const SEQ[] = {"none", "mSPRT", "confidence sequences", "group-sequential (O'Brien-Fleming)"};
    static const char *const CORR[] = {"none", "Bonferroni", "Holm", "Benjamini-Hochberg"};
    buf_puts(out, "<dl class=\"facts\"><dt>Phase</dt><dd>");
    rf_html(out, rf_or(x->phase_name, "–"));
    buf_puts(out, "</dd><dt>Dates</dt><dd>");
    if (x->phase_start)
        buf_printf(out, "%.10s", x->phase_start);
    buf_puts(out, " to ");
    if (x->phase_end)
        buf_printf(out, "%.10s", x->phase_end);
    else
        buf_puts(out, "now (running)");
    if (m->date)
        buf_printf(out, "; data through %.10s", m->date);
    if (x->power_metric >= 0 && x->days > 0)
        buf_printf(out, " (day %.0f)", x->days);
    buf_puts(out, "</dd><dt>Variations</dt><dd>");
    for (int v = 0; v < x->nvars; v++) {
        buf_puts(out, v ? "; " : "");
        rf_html(out, rm_var_label(&x->vars[v]));
        if (x->vars[v].key && x->vars[v].name && *x->vars[v].name) {
            buf_puts(out, " <code>");
            rf_html(out, x->vars[v].key);
            buf_puts(out, "</code>");
        }
        buf_puts(out, v == 0 ? " (control): " : ": ");
        buf_puts(out, "weight ");
        if (isfinite(x->vars[v].weight))
            buf_printf(out, "%g", x->vars[v].weight);
        else
            buf_puts(out, "–");
        buf_puts(out, ", ");
        rf_count(out, x->vars[v].users);
        buf_puts(out, " users");
    }
    buf_puts(out, "</dd><dt>Methods</dt><dd>");
    rm_spec_methods(an, out);
    buf_printf(out, "; alpha %g, %s-sided; correction %s; effects %s</dd><dt>Sequential</dt><dd>%s", an->alpha,
               an->one_sided ? "one" : "two", CORR[an->correction],
               an->effect == EFFECT_ABSOLUTE ? "absolute" : "relative", SEQ[an->sequential]);
    if (an->sequential == SEQ_GSD_OBF)
        buf_printf(out, ", %d looks", an->looks);
    buf_puts(out, "</dd><dt>Sample</dt><dd data-sample=\"");
    if (x->power_metric >= 0) {
        bool reached = x->have_per_arm >= x->need_per_arm;
        buf_printf(out, "%s\">%s needs ", reached ? "reached" : "short", m->in->ir->metrics[x->power_metric].name);
        rf_count(out, x->need_per_arm);
        buf_printf(out, " units per arm for an mde of %g (%s) at power %g; smallest arm ", an->mde,
                   an->effect == EFFECT_ABSOLUTE ? "absolute" : "relative", an->power_target);
        rf_count(out, x->have_per_arm);
        if (reached) {
            buf_puts(out, " — <strong>reached</strong>");
        } else if (isfinite(x->days_more)) {
            buf_puts(out, " — <strong>not reached</strong>: about ");
            rf_count(out, x->days_more);
            buf_printf(out, " more day%s at the current traffic", x->days_more == 1 ? "" : "s");
        } else {
            buf_puts(out, " — <strong>not reached</strong>");
        }
    } else {
        buf_puts(out, "unchecked\">");
        rf_html(out, x->power_note);
    }
    buf_puts(out, "</dd></dl>\n");
}

static void experiment_html(Html *h, const RmExp *x, int e)
{
    Buf *out = h->out;
    const IrSpec *ir = h->m->in->ir;
    buf_printf(out, "<section class=\"experiment\" id=\"exp-%d\" data-tracking-key=\"", e + 1);
    rf_html(out, x->tracking_key);
    buf_printf(out, "\" data-verdict=\"%s\"><h2>", x->verdict.verdict);
    rf_html(out, rf_or(x->name, rf_or(x->tracking_key, "?")));
    buf_puts(out, " <code>");
    rf_html(out, x->tracking_key);
    buf_puts(out, "</code></h2>\n");
    verdict_html(out, x);
    health_html(out, h->m, x);
    facts_html(out, h->m, x);
    if (!x->has_rows) {
        buf_puts(out, "<p>No metric rows: the experiment has no exposed units in the data.</p></section>\n");
        return;
    }
    static const char *const ROLE_TITLE[] = {"Goal metrics", "Secondary metrics", "Guardrail metrics"};
    for (int role = ROLE_GOAL; role <= ROLE_GUARDRAIL; role++) {
        bool any = false;
        for (int i = 0; i < ir->nmetrics; i++)
            any |= (int)ir->metrics[i].role == role;
        if (!any)
            continue;
        buf_printf(out, "<section class=\"role\" data-role=\"%s\"><h3>%s</h3>\n", ir_role_name((IrRole)role),
                   ROLE_TITLE[role]);
        for (int i = 0; i < ir->nmetrics; i++) {
            const IrMetric *mt = &ir->metrics[i];
            if ((int)mt->role != role)
                continue;
            buf_puts(out, "<article class=\"metric\" data-metric=\"");
            rf_html(out, mt->name);
            buf_puts(out, "\"><h4>");
            rf_html(out, mt->name);
            buf_printf(out, " <span class=\"muted\">%s, %s is better", ir_metric_kind_name(mt->kind),
                       mt->direction == DIR_LOWER ? "lower" : "higher");
            const ReportRow *ctl = x->cell[(size_t)i * (size_t)x->nvars];
            if (ctl && ctl->methods) {
                buf_puts(out, "; ");
                rf_html(out, ctl->methods);
            }
            buf_puts(out, "</span></h4>\n");
            buf_puts(out, "<div class=\"charts\">");
            forest(h, x, i);
            trend(h, x, i);
            buf_puts(out, "</div>\n");
            metric_table(h, x, i);
            segments(h, x, i);
            buf_puts(out, "</article>\n");
        }
        buf_puts(out, "</section>\n");
    }
    buf_puts(out, "</section>\n");
}

/* ---- the hourly series ------------------------------------------------------------ */

/* Specs with `hourly`: per experiment, the units first exposed in each of
 * the last 48 hours by variation (solid), the count the weights expect
 * from the hour's total (dashed), and the cumulative SRM p-value. */
static void hourly_chart(Html *h, const RmExp *x, int e)
{
    Buf *out = h->out;
    int nh = x->nhours, nv = x->nvars;
    double ymax = 1, wsum = 0;
    for (int v = 0; v < nv; v++)
        wsum += isfinite(x->vars[v].weight) ? x->vars[v].weight : 0;
    for (int i = 0; i < nh * nv; i++)
        ymax = fmax(ymax, x->hour_exposures[i]);
    double ticks[16], step;
    int nt = rh_nice_ticks(0, ymax, ticks, &step);
    double yhi = nt ? fmax(ymax, ticks[nt - 1]) : ymax;
    const double W = 480, H = 250, X0 = 58, X1 = 466, Y0 = 12, Y1 = 190;
    double xhi = nh > 1 ? nh - 1 : 1;
    int id = ++h->chart_id;
    const char *last = x->hours[nh - 1];
    double p_last = x->hour_srm_p[nh - 1];
    buf_printf(out, "<figure data-experiment=\"%d\" data-hours=\"%d\"><svg class=\"chart hourly\" "
                    "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-labelledby=\"c%d-t c%d-d\">"
                    "<title id=\"c%d-t\">",
               e + 1, nh, W, H, id, id, id);
    rf_html(out, rf_or(x->name, rf_or(x->tracking_key, "?")));
    buf_printf(out, ": exposures per hour</title><desc id=\"c%d-d\">New units per hour and variation, "
                    "%.13s:00 to %.13s:00, with the count the weights expect. Last hour:",
               id, x->hours[0], last);
    for (int v = 0; v < nv; v++) {
        buf_puts(out, " ");
        rf_html(out, rm_var_label(&x->vars[v]));
        buf_puts(out, " ");
        rf_count(out, x->hour_exposures[(size_t)(nh - 1) * (size_t)nv + (size_t)v]);
        buf_puts(out, ";");
    }
    buf_puts(out, " cumulative SRM p-value ");
    rf_p(out, p_last);
    buf_puts(out, ".</desc>\n");
    buf_printf(out, "<g class=\"axis\" data-axis=\"y\"><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
                    "y2=\"%.0f\" stroke=\"#59636e\"/>\n", X0, Y0, X0, Y1);
    for (int t = 0; t < nt; t++) {
        double ty = rh_scale(ticks[t], 0, yhi, Y1, Y0);
        buf_printf(out, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#eaeef2\"/>"
                        "<text x=\"%.0f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\" "
                        "fill=\"#1f2328\">",
                   X0 + 1, ty, X1, ty, X0 - 7, ty + 4);
        rh_tick_label(out, ticks[t], step, "");
        buf_puts(out, "</text>\n");
    }
    buf_printf(out, "<text class=\"axis-title\" transform=\"translate(13 %.0f) rotate(-90)\" "
                    "font-size=\"12\" text-anchor=\"middle\" fill=\"#1f2328\">new units</text></g>\n",
               (Y0 + Y1) / 2);
    buf_printf(out, "<g class=\"axis\" data-axis=\"x\"><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
                    "y2=\"%.0f\" stroke=\"#59636e\"/>\n", X0, Y1, X1, Y1);
    int every = nh <= 8 ? 1 : (nh + 7) / 8;
    for (int i = 0; i < nh; i += every) {
        double tx = rh_scale(i, 0, xhi, X0, X1);
        /* 'YYYY-MM-DD HH': "MM-DD HHh" */
        buf_printf(out, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\" "
                        "fill=\"#1f2328\">%.5s %.2sh</text>\n",
                   tx, Y1 + 16, x->hours[i] + 5, x->hours[i] + 11);
    }
    buf_printf(out, "<text class=\"axis-title\" x=\"%.0f\" y=\"%.0f\" font-size=\"12\" "
                    "text-anchor=\"middle\" fill=\"#1f2328\">hour (%.13s:00 to %.13s:00)</text></g>\n",
               (X0 + X1) / 2, Y1 + 36, x->hours[0], last);
    for (int v = 0; v < nv; v++) {
        const char *col = PALETTE[v % NPALETTE];
        double share = wsum > 0 && isfinite(x->vars[v].weight) ? x->vars[v].weight / wsum : NAN;
        buf_printf(out, "<polyline class=\"observed\" data-variation=\"%d\" fill=\"none\" "
                        "stroke=\"%s\" stroke-width=\"2\" points=\"", v, col);
        for (int i = 0; i < nh; i++)
            buf_printf(out, "%s%.1f,%.1f", i ? " " : "", rh_scale(i, 0, xhi, X0, X1),
                       rh_scale(x->hour_exposures[(size_t)i * (size_t)nv + (size_t)v], 0, yhi, Y1, Y0));
        buf_puts(out, "\"/>\n");
        if (!isfinite(share))
            continue;
        buf_printf(out, "<polyline class=\"expected\" data-variation=\"%d\" fill=\"none\" "
                        "stroke=\"%s\" stroke-width=\"1\" stroke-dasharray=\"4 3\" points=\"", v, col);
        for (int i = 0; i < nh; i++) {
            double tot = 0;
            for (int k = 0; k < nv; k++)
                tot += x->hour_exposures[(size_t)i * (size_t)nv + (size_t)k];
            buf_printf(out, "%s%.1f,%.1f", i ? " " : "", rh_scale(i, 0, xhi, X0, X1),
                       rh_scale(tot * share, 0, yhi, Y1, Y0));
        }
        buf_puts(out, "\"/>\n");
    }
    buf_puts(out, "</svg><ul class=\"legend\">");
    for (int v = 0; v < nv; v++) {
        buf_printf(out, "<li><span class=\"sw\" style=\"background:%s\"></span>",
                   PALETTE[v % NPALETTE]);
        rf_html(out, rm_var_label(&x->vars[v]));
        if (isfinite(x->vars[v].weight) && wsum > 0) {
            buf_puts(out, " (expected ");
            rf_pct(out, x->vars[v].weight / wsum);
            buf_puts(out, ")");
        }
        buf_puts(out, "</li>");
    }
    buf_printf(out, "</ul><figcaption>New units per hour (solid) and the count the weights expect "
                    "from the hour's total (dashed). Cumulative SRM p-value at %.13s:00: "
                    "<span data-srm-p=\"hourly\">", last);
    rf_p(out, p_last);
    buf_puts(out, "</span>.</figcaption></figure>\n");
}

static void hourly_html(Html *h)
{
    const RmModel *m = h->m;
    bool any = false;
    for (int e = 0; e < m->nexps; e++)
        any |= m->exps[e].nhours > 0;
    if (!any)
        return;
    buf_puts(h->out, "<section class=\"hourly\" id=\"hourly\"><h2>Exposures per hour (last 48 "
                     "hours)</h2>\n");
    for (int e = 0; e < m->nexps; e++) {
        const RmExp *x = &m->exps[e];
        if (x->nhours == 0)
            continue;
        buf_puts(h->out, "<h3>");
        rf_html(h->out, rf_or(x->name, rf_or(x->tracking_key, "?")));
        buf_puts(h->out, "</h3>\n");
        hourly_chart(h, x, e);
    }
    buf_puts(h->out, "</section>\n");
}

void report_html(const ReportInput *in, Buf *out)
{
    RmModel m;
    rm_build(&m, in);
    RmGrowth g;
    rm_activity_build(&g, in->ir, in->activity);
    Html h = {out, &m, 0};
    buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    rf_html(out, in->tag);
    buf_printf(out, " — %s", rf_or(in->heading, "A/B results"));
    if (m.date)
        buf_printf(out, " through %.10s", m.date);
    buf_printf(out, "</title>\n<style>%s</style></head><body>\n<header><h1>", CSS);
    rf_html(out, in->tag);
    buf_printf(out, " — %s</h1>\n<p class=\"muted\">", rf_or(in->heading, "A/B results"));
    if (m.date)
        buf_printf(out, "Data through %.10s", m.date);
    if (m.computed_at) {
        buf_puts(out, m.date ? "; computed " : "Computed ");
        rf_html(out, m.computed_at);
        buf_puts(out, " UTC");
    }
    if (m.abc_version) {
        buf_puts(out, "; abc ");
        rf_html(out, m.abc_version);
    }
    buf_puts(out, ".</p>\n");
    if (in->run_line) {
        buf_puts(out, "<p class=\"muted\">");
        rf_html(out, in->run_line);
        buf_puts(out, "</p>\n");
    }
    if (in->data_note) {
        buf_puts(out, "<p class=\"muted\" data-note=\"data-quality\">Data quality note: ");
        rf_html(out, in->data_note);
        buf_puts(out, "</p>\n");
    }
    int failed = m.srm_failures + m.dq_failures + m.guardrail_failures;
    buf_printf(out, "<p class=\"%s\" data-summary=\"health\">Health: %d SRM failure%s, %d guardrail failure%s, "
                    "%d data-quality issue%s.</p>\n",
               failed ? "loser" : "winner", m.srm_failures, m.srm_failures == 1 ? "" : "s", m.guardrail_failures,
               m.guardrail_failures == 1 ? "" : "s", m.dq_failures, m.dq_failures == 1 ? "" : "s");
    if (m.nexps || g.n) {
        buf_puts(out, "<nav aria-label=\"experiments\"><ul>");
        for (int e = 0; e < m.nexps; e++) {
            const RmExp *x = &m.exps[e];
            buf_printf(out, "<li><a href=\"#exp-%d\">", e + 1);
            rf_html(out, rf_or(x->name, rf_or(x->tracking_key, "?")));
            buf_printf(out, "</a> <span class=\"badge %s\">", verdict_class(x->verdict.verdict));
            if (x->verdict.variation > 0) {
                buf_puts(out, "ship ");
                rf_html(out, rm_var_label(&x->vars[x->verdict.variation]));
            } else {
                buf_puts(out, x->verdict.verdict);
            }
            buf_puts(out, "</span>");
            if (x->srm || x->dq || x->nbreaches)
                buf_puts(out, " <span class=\"badge loser\">health check failed</span>");
            buf_puts(out, "</li>");
        }
        if (g.n)
            buf_puts(out, "<li><a href=\"#growth\">Growth</a></li>");
        buf_puts(out, "</ul></nav>\n");
    }
    buf_puts(out, "</header>\n<main>\n");
    if (m.nexps == 0)
        buf_puts(out, "<p>No experiments carry this tag.</p>\n");
    for (int e = 0; e < m.nexps; e++)
        experiment_html(&h, &m.exps[e], e);
    rh_growth(out, &g, &h.chart_id);
    hourly_html(&h);
    buf_puts(out, "</main>\n</body></html>\n");
    rm_activity_free(&g);
    rm_free(&m);
}
