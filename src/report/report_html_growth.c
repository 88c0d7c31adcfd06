/* report_html_growth.c — the growth section of the results page, for specs
 * with activity blocks (docs/LANGUAGE.md §15): per activity with rows,
 *
 *   lines     DAU, rolling WAU (7 days) and rolling MAU (28 days) by day;
 *   bars      growth accounting per week and per month: retained, new and
 *             resurrected users stacked above the zero line, churned users
 *             below it, with the period table in <details>;
 *   heatmaps  the weekly and monthly retention triangles: a row per cohort
 *             (users first active in that period), a column per k periods
 *             later, the share active as colour intensity and as text.
 *
 * Inline SVG scaled by viewBox like the forest plots, every chart with a
 * title and a description (its latest numbers), every label escaped; the
 * data attributes (data-measure, data-period, data-cohort, data-k) name
 * what each mark shows.  Reads the model of report_activity.c only. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/dates.h"
#include "report_int.h"

static const char *const LINE_COL[3] = {"#0969da", "#bc4c00", "#8250df"};
/* retained, new, resurrected (stacked up from the axis), churned (down) */
static const int BAR_M[4] = {RM_RETAINED, RM_NEW, RM_RESURRECTED, RM_CHURNED};
static const char *const BAR_COL[4] = {"#0969da", "#1a7f37", "#8250df", "#cf222e"};
static const char *const BAR_LABEL[4] = {"retained", "new", "resurrected", "churned"};

static void count_or_dash(Buf *b, double v)
{
    if (isfinite(v))
        rf_count(b, v);
    else
        buf_puts(b, "–");
}

static void fig_open(Buf *out, const char *cls, double w, double h, int id, const char *name,
                     const char *title)
{
    buf_printf(out, "<figure><svg class=\"chart %s\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
                    "aria-labelledby=\"c%d-t c%d-d\"><title id=\"c%d-t\">",
               cls, w, h, id, id, id);
    rf_html(out, name);
    buf_printf(out, ": %s</title><desc id=\"c%d-d\">", title, id);
}

/* y axis with round ticks over [lo, hi] (counts) and a rotated title */
static void y_axis(Buf *out, double lo, double hi, double x0, double x1, double y0, double y1, const char *title)
{
    double ticks[16], step;
    int nt = rh_nice_ticks(lo, hi, ticks, &step);
    buf_printf(out, "<g class=\"axis\" data-axis=\"y\"><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
                    "stroke=\"#59636e\"/>\n",
               x0, y0, x0, y1);
    for (int t = 0; t < nt; t++) {
        double ty = rh_scale(ticks[t], lo, hi, y1, y0);
        if (ty < y0 - 0.5 || ty > y1 + 0.5)
            continue;
        buf_printf(out, "<line class=\"tick\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#59636e\"/>"
                        "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#eaeef2\"/>"
                        "<text x=\"%.0f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\" fill=\"#1f2328\">",
                   x0 - 5, ty, x0, ty, x0 + 1, ty, x1, ty, x0 - 7, ty + 4);
        rh_tick_label(out, ticks[t], step, "");
        buf_puts(out, "</text>\n");
    }
    buf_printf(out, "<text class=\"axis-title\" transform=\"translate(13 %.0f) rotate(-90)\" font-size=\"12\" "
                    "text-anchor=\"middle\" fill=\"#1f2328\">%s</text></g>\n",
               (y0 + y1) / 2, title);
}

/* The top of a count axis: the largest round tick at or above v. */
static double axis_top(double v)
{
    if (!(v > 0))
        return 1;
    double ticks[16], step;
    int nt = rh_nice_ticks(0, v, ticks, &step);
    double top = nt ? ticks[nt - 1] : v;
    return top < v ? top + step : top;
}

/* ---- DAU, rolling WAU and MAU by day ------------------------------------------- */

static void lines(Buf *out, const RmActivity *a, int *chart_id)
{
    const RmPeriods *p = &a->day;
    static const int M[3] = {RM_DAU, RM_WAU_ROLLING, RM_MAU_ROLLING};
    static const char *const LABEL[3] = {"DAU", "WAU (rolling 7 days)", "MAU (rolling 28 days)"};
    long *day = malloc(sizeof(long) * (size_t)(p->n + 1));
    if (!day)
        abort();
    int n = 0;
    double max = 0;
    bool any = false;
    for (int i = 0; i < p->n; i++) {
        if (!date_parse_prefix(p->period[i], &day[i]))
            day[i] = LONG_MIN;
        for (int k = 0; k < 3; k++)
            if (p->has[M[k]] && isfinite(p->m[M[k]][i]) && day[i] != LONG_MIN) {
                max = fmax(max, p->m[M[k]][i]);
                any = true;
            }
        n++;
    }
    if (!any) {
        free(day);
        return;
    }
    long d0 = LONG_MAX, d1 = LONG_MIN;
    for (int i = 0; i < n; i++)
        if (day[i] != LONG_MIN) {
            d0 = day[i] < d0 ? day[i] : d0;
            d1 = day[i] > d1 ? day[i] : d1;
        }
    double xlo = (double)d0, xhi = (double)d1;
    if (xhi <= xlo)
        xlo -= 1, xhi += 1;
    double top = axis_top(max);
    const double W = 480, H = 250, X0 = 58, X1 = 466, Y0 = 12, Y1 = 190;
    int id = ++*chart_id;
    char da[11], db[11];
    date_format(d0, da);
    date_format(d1, db);
    fig_open(out, "growth-lines", W, H, id, a->name, "active users by day");
    buf_printf(out, "Distinct active users by day, %s to %s.", da, db);
    int last = -1;
    for (int i = n - 1; i >= 0 && last < 0; i--)
        for (int k = 0; k < 3; k++)
            if (p->has[M[k]] && isfinite(p->m[M[k]][i]) && day[i] != LONG_MIN)
                last = i;
    if (last >= 0) {
        buf_printf(out, " On %.10s:", p->period[last]);
        for (int k = 0; k < 3; k++)
            if (p->has[M[k]]) {
                buf_printf(out, " %s ", LABEL[k]);
                count_or_dash(out, p->m[M[k]][last]);
                buf_puts(out, ";");
            }
        if (p->has[RM_STICKINESS] && isfinite(p->m[RM_STICKINESS][last])) {
            buf_puts(out, " stickiness (DAU / MAU) ");
            rf_pct(out, p->m[RM_STICKINESS][last]);
            buf_puts(out, ".");
        }
    }
    buf_puts(out, "</desc>\n");
    y_axis(out, 0, top, X0, X1, Y0, Y1, "active users");
    buf_printf(out, "<g class=\"axis\" data-axis=\"x\"><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
                    "stroke=\"#59636e\"/>\n",
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
                    "fill=\"#1f2328\">day (%s to %s)</text></g>\n",
               (X0 + X1) / 2, Y1 + 36, da, db);
    for (int k = 0; k < 3; k++) {
        if (!p->has[M[k]])
            continue;
        /* one polyline per run of days with a value */
        bool open = false;
        for (int i = 0; i < n; i++) {
            double v = p->m[M[k]][i];
            if (!isfinite(v) || day[i] == LONG_MIN) {
                if (open)
                    buf_puts(out, "\"/>\n");
                open = false;
                continue;
            }
            if (!open)
                buf_printf(out, "<polyline class=\"line\" data-measure=\"%s\" fill=\"none\" stroke=\"%s\" "
                                "stroke-width=\"2\" points=\"",
                           RM_MEASURE_NAMES[M[k]], LINE_COL[k]);
            buf_printf(out, "%s%.1f,%.1f", open ? " " : "", rh_scale((double)day[i], xlo, xhi, X0, X1),
                       rh_scale(v, 0, top, Y1, Y0));
            open = true;
        }
        if (open)
            buf_puts(out, "\"/>\n");
    }
    buf_puts(out, "</svg><ul class=\"legend\">");
    for (int k = 0; k < 3; k++)
        if (p->has[M[k]])
            buf_printf(out, "<li><span class=\"sw\" style=\"background:%s\"></span>%s</li>", LINE_COL[k], LABEL[k]);
    buf_puts(out, "</ul><figcaption>Users active on the day, in the 7 and in the 28 days ending on it.</figcaption>"
                  "</figure>\n");
    free(day);
}

/* ---- growth accounting bars ------------------------------------------------------ */

static void period_label(Buf *b, const char *period, bool month)
{
    if (!period || strlen(period) < 10)
        rf_html(b, period);
    else if (month)
        buf_printf(b, "%.7s", period);
    else
        buf_printf(b, "%.5s", period + 5);
}

static bool has_growth(const RmPeriods *p)
{
    return p->n && (p->has[RM_NEW] || p->has[RM_RETAINED] || p->has[RM_RESURRECTED] || p->has[RM_CHURNED]);
}

static double val0(const RmPeriods *p, int m, int i)
{
    return p->has[m] && isfinite(p->m[m][i]) ? p->m[m][i] : 0;
}

static void bars(Buf *out, const RmActivity *a, const RmPeriods *p, bool month, int *chart_id)
{
    if (!has_growth(p))
        return;
    const char *unit = month ? "month" : "week";
    double up = 0, down = 0;
    for (int i = 0; i < p->n; i++) {
        up = fmax(up, val0(p, RM_RETAINED, i) + val0(p, RM_NEW, i) + val0(p, RM_RESURRECTED, i));
        down = fmax(down, val0(p, RM_CHURNED, i));
    }
    double top = axis_top(up), bottom = down > 0 ? -axis_top(down) : 0;
    if (bottom == 0)
        bottom = -top * 0.1;
    const double W = 480, H = 250, X0 = 58, X1 = 466, Y0 = 12, Y1 = 190;
    int id = ++*chart_id;
    char title[64];
    snprintf(title, sizeof title, "growth accounting per %s", unit);
    fig_open(out, month ? "growth-bars growth-month" : "growth-bars growth-week", W, H, id, a->name, title);
    buf_printf(out, "Users per %s: retained, new and resurrected above the zero line, churned below it; %d "
                    "%s%s from %.10s to %.10s.",
               unit, p->n, unit, p->n == 1 ? "" : "s", p->period[0], p->period[p->n - 1]);
    int i = p->n - 1;
    buf_printf(out, " The %s of %.10s:", unit, p->period[i]);
    for (int k = 0; k < 4; k++)
        if (p->has[BAR_M[k]]) {
            buf_printf(out, " %s ", BAR_LABEL[k]);
            count_or_dash(out, p->m[BAR_M[k]][i]);
            buf_puts(out, ";");
        }
    if (p->has[RM_QUICK_RATIO]) {
        buf_puts(out, " quick ratio ");
        if (isfinite(p->m[RM_QUICK_RATIO][i]))
            rf_num(out, p->m[RM_QUICK_RATIO][i]);
        else
            buf_puts(out, "– (nobody churned)");
        buf_puts(out, ".");
    }
    buf_puts(out, "</desc>\n");
    y_axis(out, bottom, top, X0, X1, Y0, Y1, "users (churned below 0)");
    double zy = rh_scale(0, bottom, top, Y1, Y0), slot = (X1 - X0) / p->n, bw = fmin(slot * 0.7, 48);
    int every = p->n <= 8 ? 1 : (p->n + 7) / 8;
    buf_printf(out, "<g class=\"axis\" data-axis=\"x\">");
    for (int j = 0; j < p->n; j++) {
        if (j % every)
            continue;
        double cx = X0 + slot * (j + 0.5);
        buf_printf(out, "<line class=\"tick\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#59636e\"/>"
                        "<text x=\"%.1f\" y=\"%.0f\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1f2328\">",
                   cx, Y1, cx, Y1 + 5, cx, Y1 + 18);
        period_label(out, p->period[j], month);
        buf_puts(out, "</text>");
    }
    buf_printf(out, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#59636e\"/>"
                    "<text class=\"axis-title\" x=\"%.0f\" y=\"%.0f\" font-size=\"12\" text-anchor=\"middle\" "
                    "fill=\"#1f2328\">%s starting (%.10s to %.10s)</text></g>\n",
               X0, Y1, X1, Y1, (X0 + X1) / 2, Y1 + 36, unit, p->period[0], p->period[p->n - 1]);
    for (int j = 0; j < p->n; j++) {
        double x = X0 + slot * (j + 0.5) - bw / 2, base = 0;
        for (int k = 0; k < 4; k++) {
            int m = BAR_M[k];
            if (!p->has[m] || !isfinite(p->m[m][j]))
                continue;
            double v = p->m[m][j];
            double ya, yb;
            if (m == RM_CHURNED) {
                ya = zy;
                yb = rh_scale(-v, bottom, top, Y1, Y0);
            } else {
                ya = rh_scale(base + v, bottom, top, Y1, Y0);
                yb = rh_scale(base, bottom, top, Y1, Y0);
                base += v;
            }
            buf_printf(out, "<rect class=\"bar\" data-measure=\"%s\" data-period=\"%.10s\" data-value=\"%.0f\" "
                            "x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
                       RM_MEASURE_NAMES[m], p->period[j], v, x, ya, bw, fmax(yb - ya, 0), BAR_COL[k]);
            buf_printf(out, "%s of %.10s: %s ", unit, p->period[j], BAR_LABEL[k]);
            rf_count(out, v);
            buf_puts(out, "</title></rect>\n");
        }
    }
    buf_printf(out, "<line class=\"zero\" data-y=\"%.1f\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" "
                    "stroke=\"#1f2328\"/>\n",
               zy, X0, zy, X1, zy);
    buf_puts(out, "</svg><ul class=\"legend\">");
    for (int k = 0; k < 4; k++)
        if (p->has[BAR_M[k]])
            buf_printf(out, "<li><span class=\"sw\" style=\"background:%s\"></span>%s%s</li>", BAR_COL[k],
                       BAR_LABEL[k], BAR_M[k] == RM_CHURNED ? " (below 0)" : "");
    buf_printf(out, "</ul><figcaption>New: first active %s ever; retained: active the %s before too; "
                    "resurrected: back after at least one idle %s; churned: active the %s before, not in this "
                    "one.</figcaption>",
               unit, unit, unit, unit);
    /* the numbers, as a table */
    buf_printf(out, "<details class=\"growth-table\"><summary>Table: growth accounting per %s</summary>"
                    "<div class=\"scroll\"><table><thead><tr><th class=\"l\" scope=\"col\">%s</th>"
                    "<th scope=\"col\">active</th><th scope=\"col\">new</th><th scope=\"col\">retained</th>"
                    "<th scope=\"col\">resurrected</th><th scope=\"col\">churned</th>"
                    "<th scope=\"col\">quick ratio</th></tr></thead><tbody>",
               unit, unit);
    static const int COLS[6] = {RM_ACTIVE, RM_NEW, RM_RETAINED, RM_RESURRECTED, RM_CHURNED, RM_QUICK_RATIO};
    for (int j = 0; j < p->n; j++) {
        buf_puts(out, "<tr><th class=\"l\" scope=\"row\">");
        rf_html(out, p->period[j]);
        buf_puts(out, "</th>");
        for (int k = 0; k < 6; k++) {
            buf_puts(out, "<td>");
            if (COLS[k] == RM_QUICK_RATIO)
                rf_num(out, p->m[COLS[k]][j]);
            else
                count_or_dash(out, p->m[COLS[k]][j]);
            buf_puts(out, "</td>");
        }
        buf_puts(out, "</tr>");
    }
    buf_puts(out, "</tbody></table></div></details></figure>\n");
}

/* ---- retention triangles ---------------------------------------------------------- */

#define HEAT_MAX 24 /* the latest cohorts and the first periods shown */

static void heatmap(Buf *out, const RmActivity *a, const RmCohorts *c, bool month, int *chart_id)
{
    if (c->n == 0 || c->nk == 0)
        return;
    const char *unit = month ? "month" : "week";
    int first = c->n > HEAT_MAX ? c->n - HEAT_MAX : 0, rows = c->n - first;
    int nk = c->nk > HEAT_MAX ? HEAT_MAX : c->nk;
    const double W = 480, LW = 110, TOP = 34, CH = 22;
    double cw = fmin((W - LW - 8) / nk, 60), H = TOP + rows * CH + 30;
    double fs = fmin(11, cw * 0.42);
    int id = ++*chart_id;
    char title[64];
    snprintf(title, sizeof title, "%sly retention triangle", unit);
    fig_open(out, month ? "growth-heatmap growth-cohorts-month" : "growth-heatmap growth-cohorts-week", W, H, id,
             a->name, title);
    buf_printf(out, "Share of each %sly cohort (users first active in that %s) active k %ss later; %d cohort%s "
                    "from %.10s to %.10s.",
               unit, unit, unit, c->n, c->n == 1 ? "" : "s", c->cohort[0], c->cohort[c->n - 1]);
    if (nk > 1) {
        /* the latest cohort with a k = 1 cell */
        for (int r = c->n - 1; r >= 0; r--) {
            double v = c->ratio[(size_t)r * (size_t)c->nk + 1];
            if (isfinite(v)) {
                buf_printf(out, " %s 1 of the cohort of %.10s: ", month ? "Month" : "Week", c->cohort[r]);
                rf_pct(out, v);
                buf_puts(out, ".");
                break;
            }
        }
    }
    buf_puts(out, "</desc>\n");
    /* column heads: k */
    buf_printf(out, "<g class=\"axis\" data-axis=\"k\"><text class=\"axis-title\" x=\"%.0f\" y=\"12\" font-size=\"12\" "
                    "text-anchor=\"middle\" fill=\"#1f2328\">%ss since the cohort's first (k)</text>",
               LW + nk * cw / 2, unit);
    for (int k = 0; k < nk; k++)
        buf_printf(out, "<line class=\"tick\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#59636e\"/>"
                        "<text x=\"%.1f\" y=\"%.0f\" font-size=\"%.1f\" text-anchor=\"middle\" fill=\"#1f2328\">%d</text>",
                   LW + cw * (k + 0.5), TOP - 3, LW + cw * (k + 0.5), TOP, LW + cw * (k + 0.5), TOP - 6,
                   fmin(12, cw * 0.6), k);
    buf_printf(out, "<text x=\"4\" y=\"%.0f\" font-size=\"12\" fill=\"#1f2328\">cohort (users)</text></g>\n", TOP - 6);
    for (int r = 0; r < rows; r++) {
        int row = first + r;
        double y = TOP + r * CH;
        buf_printf(out, "<text x=\"4\" y=\"%.1f\" font-size=\"12\" fill=\"#1f2328\">", y + CH / 2 + 4);
        period_label(out, c->cohort[row], month);
        buf_puts(out, " (");
        count_or_dash(out, c->size[row]);
        buf_puts(out, ")</text>\n");
        for (int k = 0; k < nk; k++) {
            size_t at = (size_t)row * (size_t)c->nk + (size_t)k;
            double v = c->ratio[at];
            if (!isfinite(v) && !isfinite(c->active[at]))
                continue;
            double x = LW + k * cw, op = isfinite(v) ? fmin(fmax(v, 0), 1) : 0;
            buf_printf(out, "<g class=\"cell\" data-cohort=\"%.10s\" data-k=\"%d\" data-ratio=\"", c->cohort[row], k);
            if (isfinite(v))
                buf_printf(out, "%.6g", v);
            buf_printf(out, "\"><title>cohort %.10s, %s %d: ", c->cohort[row], unit, k);
            rf_pct(out, v);
            buf_puts(out, " (");
            count_or_dash(out, c->active[at]);
            buf_puts(out, " of ");
            count_or_dash(out, c->size[row]);
            buf_printf(out, ")</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#0969da\" "
                            "fill-opacity=\"%.3f\" stroke=\"#fff\"/>",
                       x, y, cw, CH, 0.06 + 0.94 * op);
            buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" text-anchor=\"middle\" fill=\"%s\">",
                       x + cw / 2, y + CH / 2 + fs * 0.36, fs, op > 0.5 ? "#ffffff" : "#1f2328");
            if (isfinite(v))
                buf_printf(out, "%.0f", v * 100);
            else
                buf_puts(out, "–");
            buf_puts(out, "</text></g>\n");
        }
    }
    buf_printf(out, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"12\" text-anchor=\"middle\" fill=\"#59636e\">"
                    "cells: %% of the cohort active; darker = more</text>\n",
               W / 2, H - 8);
    buf_puts(out, "</svg><figcaption>");
    if (first || nk < c->nk)
        buf_printf(out, "The latest %d cohorts and k up to %d are shown. ", rows, nk - 1);
    buf_printf(out, "k = 0 is the cohort's first %s (100%%).</figcaption></figure>\n", unit);
}

void rh_growth(Buf *out, const RmGrowth *g, int *chart_id)
{
    if (!g || g->n == 0)
        return;
    buf_printf(out, "<section class=\"growth\" id=\"growth\" data-activities=\"%d\"><h2>Growth</h2>\n"
                    "<p class=\"muted\">All users, per activity block; weeks are ISO weeks (Monday start), "
                    "months calendar months, each named by its first day.</p>\n",
               g->n);
    for (int i = 0; i < g->n; i++) {
        const RmActivity *a = &g->acts[i];
        buf_puts(out, "<article class=\"activity\" data-activity=\"");
        rf_html(out, a->name);
        buf_puts(out, "\"><h3>");
        rf_html(out, a->name);
        buf_puts(out, "</h3>\n<div class=\"charts\">");
        lines(out, a, chart_id);
        bars(out, a, &a->week, false, chart_id);
        bars(out, a, &a->month, true, chart_id);
        heatmap(out, a, &a->weekly, false, chart_id);
        heatmap(out, a, &a->monthly, true, chart_id);
        buf_puts(out, "</div></article>\n");
    }
    buf_puts(out, "</section>\n");
}
