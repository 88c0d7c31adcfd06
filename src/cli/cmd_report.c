/* cmd_report.c — abc report: render the stored results of a tag from its
 * report table — a Markdown summary (default), JSON rows (--json), or a
 * self-contained HTML page with a forest plot per experiment (--html). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abc/cli.h"
#include "abc/config.h"
#include "abc/gb.h"
#include "abc/runcli.h"
#include "abc/spec.h"
#include "abc/sqlgen.h"
#include "abc/wh.h"

static const char report_help[] =
    "usage: abc report [--config FILE] [--spec FILE] [--json | --html FILE] TAG\n"
    "\n"
    "Render the latest stored results of TAG (its report table in the warehouse):\n"
    "a Markdown summary of the all-users rows on stdout (default), every row as\n"
    "JSON (--json), or a self-contained HTML page with a forest plot of each\n"
    "experiment's effects and confidence intervals (--html FILE, written\n"
    "atomically).  The spec is specs/TAG.ab (or .yaml) unless --spec names it.\n"
    "\n"
    "exit codes: 0 ok, 1 no results or spec error, 2 usage, 3 warehouse unreachable\n";

typedef struct Rows {
    char **cells; /* row-major, NULL for SQL NULL */
    int ncols, nrows, cap;
    char **names;
} Rows;

static AbcStatus collect(const WhRow *row, void *ctx)
{
    Rows *r = ctx;
    if (!r->names) {
        r->ncols = (int)row->ncols;
        r->names = calloc(row->ncols, sizeof(char *));
        if (!r->names)
            return ABC_ERR_ENV;
        for (unsigned i = 0; i < row->ncols; i++)
            r->names[i] = strdup(row->names[i]);
    }
    if (r->nrows == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        char **p = realloc(r->cells, sizeof(char *) * (size_t)r->cap * (size_t)r->ncols);
        if (!p)
            return ABC_ERR_ENV;
        r->cells = p;
    }
    for (unsigned i = 0; i < row->ncols; i++)
        r->cells[(size_t)r->nrows * (size_t)r->ncols + i] =
            row->values[i] ? strndup(row->values[i], row->lengths[i]) : NULL;
    r->nrows++;
    return ABC_OK;
}

static void rows_free(Rows *r)
{
    for (int i = 0; i < r->nrows * r->ncols; i++)
        free(r->cells[i]);
    for (int i = 0; i < r->ncols; i++)
        free(r->names[i]);
    free(r->cells);
    free(r->names);
}

static const char *cell(const Rows *r, int row, const char *col)
{
    for (int i = 0; i < r->ncols; i++)
        if (!strcmp(r->names[i], col))
            return r->cells[(size_t)row * (size_t)r->ncols + (size_t)i];
    return NULL;
}

static double cellf(const Rows *r, int row, const char *col)
{
    const char *s = cell(r, row, col);
    return s ? strtod(s, NULL) : NAN;
}

static void html_text(Buf *b, const char *s)
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

static bool is_all_users(const Rows *r, int i)
{
    const char *s = cell(r, i, "segment");
    return !s || !s[0];
}

static void render_markdown(const Rows *r, const char *tag, Buf *out)
{
    const char *date = r->nrows ? cell(r, 0, "analysis_date") : NULL;
    buf_printf(out, "# %s — stored results%s%s\n", tag, date ? " through " : "", date ? date : "");
    const char *exp = NULL;
    for (int i = 0; i < r->nrows; i++) {
        if (!is_all_users(r, i))
            continue;
        const char *e = cell(r, i, "tracking_key");
        if (!exp || strcmp(exp, e ? e : "")) {
            exp = e ? e : "";
            double srm = cellf(r, i, "srm_p_value");
            char srm_text[32];
            if (isfinite(srm))
                snprintf(srm_text, sizeof srm_text, "%.3g", srm);
            else
                snprintf(srm_text, sizeof srm_text, "–");
            buf_printf(out, "\n## %s (%s) — SRM p = %s\n\n| metric | variation | users | mean | effect | CI | p (adj.) | chance to win | decision |\n|---|---|---|---|---|---|---|---|---|\n",
                       cell(r, i, "experiment_name") ? cell(r, i, "experiment_name") : "", exp, srm_text);
        }
        bool rel = cell(r, i, "effect_type") && !strcmp(cell(r, i, "effect_type"), "relative");
        double eff = cellf(r, i, rel ? "rel_effect" : "abs_effect");
        buf_printf(out, "| %s | %s%s | %s | %.4g | ", cell(r, i, "metric"), cell(r, i, "variation_key"),
                   cellf(r, i, "is_control") == 1 ? " (control)" : "",
                   cell(r, i, "users") ? cell(r, i, "users") : "0", cellf(r, i, "mean"));
        if (isfinite(eff))
            buf_printf(out, rel ? "%+.2f%% | " : "%+.4g | ", rel ? eff * 100 : eff);
        else
            buf_puts(out, "– | ");
        double lo = cellf(r, i, "ci_low"), hi = cellf(r, i, "ci_high");
        if (isfinite(lo) && isfinite(hi))
            buf_printf(out, rel ? "[%+.2f%%, %+.2f%%] | " : "[%+.4g, %+.4g] | ", rel ? lo * 100 : lo,
                       rel ? hi * 100 : hi);
        else
            buf_puts(out, "– | ");
        double p = cellf(r, i, "p_value"), padj = cellf(r, i, "p_value_adjusted");
        if (isfinite(p))
            buf_printf(out, isfinite(padj) ? "%.3g (%.3g) | " : "%.3g | ", p, padj);
        else
            buf_puts(out, "– | "); /* the control, or no test */
        double ctw = cellf(r, i, "chance_to_win");
        if (isfinite(ctw))
            buf_printf(out, "%.1f%% | ", ctw * 100);
        else
            buf_puts(out, "– | ");
        buf_printf(out, "%s |\n", cell(r, i, "decision") ? cell(r, i, "decision") : "");
    }
}

static void render_json(const Rows *r, Buf *out)
{
    buf_puts(out, "[");
    for (int i = 0; i < r->nrows; i++) {
        buf_puts(out, i ? ",\n {" : "\n {");
        for (int c = 0; c < r->ncols; c++) {
            if (c)
                buf_puts(out, ", ");
            buf_put_json_string(out, r->names[c]);
            buf_puts(out, ": ");
            const char *v = r->cells[(size_t)i * (size_t)r->ncols + (size_t)c];
            char *end = NULL;
            if (!v)
                buf_puts(out, "null");
            else if (v[0] && (strtod(v, &end), *end == '\0') && strcmp(r->names[c], "variation_key") &&
                     strcmp(r->names[c], "segment_value") && strcmp(r->names[c], "tracking_key"))
                buf_puts(out, v);
            else
                buf_put_json_string(out, v);
        }
        buf_putc(out, '}');
    }
    buf_puts(out, "\n]\n");
}

/* One SVG forest plot: a row per metric × treatment, the effect with its CI. */
static void forest(const Rows *r, const char *exp, Buf *out)
{
    double lo = 0, hi = 0;
    int n = 0;
    for (int i = 0; i < r->nrows; i++) {
        if (!is_all_users(r, i) || strcmp(cell(r, i, "tracking_key"), exp) || cellf(r, i, "is_control") == 1)
            continue;
        double a = cellf(r, i, "ci_low"), b = cellf(r, i, "ci_high");
        if (isfinite(a) && a < lo)
            lo = a;
        if (isfinite(b) && b > hi)
            hi = b;
        n++;
    }
    if (n == 0)
        return;
    double span = hi - lo > 0 ? hi - lo : 1;
    lo -= span * 0.05;
    hi += span * 0.05;
    int w = 720, left = 260, rowh = 22, h = n * rowh + 40;
    buf_printf(out, "<svg class=\"forest\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"effects and confidence intervals\">\n", w, h);
    double x0 = left + (0 - lo) / (hi - lo) * (w - left - 20);
    buf_printf(out, "<line x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\" stroke-dasharray=\"4\"/>\n", x0, x0, h - 20);
    int k = 0;
    for (int i = 0; i < r->nrows; i++) {
        if (!is_all_users(r, i) || strcmp(cell(r, i, "tracking_key"), exp) || cellf(r, i, "is_control") == 1)
            continue;
        bool rel = cell(r, i, "effect_type") && !strcmp(cell(r, i, "effect_type"), "relative");
        double e = cellf(r, i, rel ? "rel_effect" : "abs_effect"), a = cellf(r, i, "ci_low"),
               b = cellf(r, i, "ci_high");
        const char *dec = cell(r, i, "decision") ? cell(r, i, "decision") : "";
        const char *color = !strcmp(dec, "winner") ? "#1a7f37" : !strcmp(dec, "loser") ? "#cf222e"
                          : !strcmp(dec, "invalid") ? "#9a6700" : "#57606a";
        int y = 20 + k * rowh;
        buf_printf(out, "<text x=\"4\" y=\"%d\" font-size=\"12\">", y + 4);
        html_text(out, cell(r, i, "metric"));
        buf_puts(out, " · ");
        html_text(out, cell(r, i, "variation_key"));
        buf_puts(out, "</text>\n");
        if (isfinite(a) && isfinite(b))
            buf_printf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                       left + (a - lo) / (hi - lo) * (w - left - 20), y,
                       left + (b - lo) / (hi - lo) * (w - left - 20), y, color);
        if (isfinite(e))
            buf_printf(out, "<circle cx=\"%.1f\" cy=\"%d\" r=\"4\" fill=\"%s\"><title>%s</title></circle>\n",
                       left + (e - lo) / (hi - lo) * (w - left - 20), y, color, dec);
        k++;
    }
    buf_printf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">0</text>\n", x0, h - 6);
    buf_puts(out, "</svg>\n");
}

static void render_html(const Rows *r, const char *tag, Buf *out)
{
    buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>abc report: ");
    html_text(out, tag);
    buf_puts(out, "</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
                  "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;padding:4px 8px;"
                  "font-size:13px;text-align:right}th{background:#f6f8fa}td.l,th.l{text-align:left}"
                  ".winner{color:#1a7f37;font-weight:bold}.loser{color:#cf222e;font-weight:bold}"
                  ".invalid{color:#9a6700}</style></head><body>\n<h1>");
    html_text(out, tag);
    buf_puts(out, " — A/B results</h1>\n");
    if (r->nrows) {
        buf_puts(out, "<p>Data through ");
        html_text(out, cell(r, 0, "analysis_date"));
        buf_puts(out, ", computed ");
        html_text(out, cell(r, 0, "computed_at"));
        buf_puts(out, " UTC, abc ");
        html_text(out, cell(r, 0, "abc_version"));
        buf_puts(out, ".</p>\n");
    }
    const char *exp = NULL;
    for (int i = 0; i < r->nrows; i++) {
        if (!is_all_users(r, i))
            continue;
        const char *e = cell(r, i, "tracking_key");
        if (!exp || strcmp(exp, e)) {
            if (exp)
                buf_puts(out, "</table>\n");
            exp = e;
            buf_puts(out, "<section class=\"experiment\"><h2>");
            html_text(out, cell(r, i, "experiment_name"));
            buf_puts(out, " <code>");
            html_text(out, e);
            buf_puts(out, "</code></h2>\n<p>SRM p-value: ");
            html_text(out, cell(r, i, "srm_p_value") ? cell(r, i, "srm_p_value") : "n/a");
            buf_puts(out, "</p>\n");
            forest(r, e, out);
            buf_puts(out, "</section>\n<table><tr><th class=\"l\">metric</th><th class=\"l\">variation</th>"
                          "<th>users</th><th>mean</th><th>effect</th><th>CI low</th><th>CI high</th>"
                          "<th>p (adj.)</th><th>chance to win</th><th class=\"l\">decision</th></tr>\n");
        }
        bool rel = cell(r, i, "effect_type") && !strcmp(cell(r, i, "effect_type"), "relative");
        const char *dec = cell(r, i, "decision") ? cell(r, i, "decision") : "";
        buf_puts(out, "<tr><td class=\"l\">");
        html_text(out, cell(r, i, "metric"));
        buf_puts(out, "</td><td class=\"l\">");
        html_text(out, cell(r, i, "variation_key"));
        buf_printf(out, "</td><td>%s</td><td>%.4g</td>", cell(r, i, "users") ? cell(r, i, "users") : "0",
                   cellf(r, i, "mean"));
        double vals[3] = {cellf(r, i, rel ? "rel_effect" : "abs_effect"), cellf(r, i, "ci_low"),
                          cellf(r, i, "ci_high")};
        for (int k = 0; k < 3; k++) {
            if (isfinite(vals[k]))
                buf_printf(out, rel ? "<td>%+.2f%%</td>" : "<td>%+.4g</td>", rel ? vals[k] * 100 : vals[k]);
            else
                buf_puts(out, "<td></td>");
        }
        double p = cellf(r, i, "p_value_adjusted"), ctw = cellf(r, i, "chance_to_win");
        if (isfinite(p))
            buf_printf(out, "<td>%.3g</td>", p);
        else
            buf_puts(out, "<td></td>");
        if (isfinite(ctw))
            buf_printf(out, "<td>%.1f%%</td>", ctw * 100);
        else
            buf_puts(out, "<td></td>");
        buf_printf(out, "<td class=\"l %s\">", dec);
        html_text(out, dec);
        buf_puts(out, "</td></tr>\n");
    }
    if (exp)
        buf_puts(out, "</table>\n");
    else
        buf_puts(out, "<p>No results stored for this tag.</p>\n");
    buf_puts(out, "</body></html>\n");
}

int cmd_report(int argc, char **argv)
{
    const char *config_path = NULL, *spec_path = NULL, *html = NULL, *tag = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(report_help, stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--html") && v) {
            html = v, i++;
        } else if (!strcmp(a, "--config") && v) {
            config_path = v, i++;
        } else if (!strcmp(a, "--spec") && v) {
            spec_path = v, i++;
        } else if (a[0] == '-') {
            static const char *const opts[] = {"--help", "--json", "--html", "--config", "--spec", NULL};
            for (int k = 0; opts[k]; k++)
                if (!strcmp(a, opts[k]))
                    return cli_usage_error("report", "%s needs a value", a);
            return cli_unknown_option("report", a, opts);
        } else if (tag) {
            return cli_usage_error("report", "one TAG only: '%s' after '%s'", a, tag);
        } else {
            tag = a;
        }
    }
    if (!tag || (json && html)) {
        fprintf(stderr, "abc report: give one TAG, and at most one of --json / --html\n%s", report_help);
        return 2;
    }
    char path[1024], err[1024];
    if (!spec_path) {
        snprintf(path, sizeof path, "specs/%s.ab", tag);
        if (access(path, F_OK) != 0)
            snprintf(path, sizeof path, "specs/%s.yaml", tag);
        if (access(path, F_OK) != 0) {
            cli_error("report", "no spec for tag '%s': neither specs/%s.ab nor specs/%s.yaml "
                      "exists here (give --spec FILE)", tag, tag, tag);
            return 1;
        }
        spec_path = path;
    }
    int rc = 0;
    AbcConfig *cfg = NULL;
    Warehouse *wh = NULL;
    const Dialect *dialect = NULL;
    SpecUnit u;
    bool loaded = false;
    Arena arena;
    arena_init(&arena);
    Rows rows;
    memset(&rows, 0, sizeof rows);
    Buf sql, out;
    buf_init(&sql);
    buf_init(&out);
    if (runcli_load_config("report", config_path, &cfg, &rc) != ABC_OK)
        goto done;
    loaded = true;
    if (spec_load(&u, spec_path) != ABC_OK) {
        diag_print(&u.diag, stderr);
        rc = 1;
        goto done;
    }
    if (strcmp(u.ir->tag, tag)) {
        fprintf(stderr, "abc report: %s is the spec of tag '%s', not '%s'\n", spec_path, u.ir->tag, tag);
        rc = 2;
        goto done;
    }
    if (strcmp(u.ir->abc_database, "abc") == 0 && cfg->databases.abc)
        u.ir->abc_database = cfg->databases.abc;
    if (runcli_open_warehouse(cfg, &wh, &dialect, err, sizeof err) != ABC_OK) {
        fprintf(stderr, "abc report: %s\n", err);
        rc = 3;
        goto done;
    }
    SqlProgram prog;
    if (sqlgen_program(u.ir, dialect, &arena, &u.diag, &prog) != ABC_OK) {
        diag_print(&u.diag, stderr);
        rc = 1;
        goto done;
    }
    const TableDef *rep = NULL;
    for (int i = 0; i < prog.ntables; i++)
        if (!strcmp(prog.tables[i].name, u.ir->report_table))
            rep = &prog.tables[i];
    if (!rep) {
        fprintf(stderr, "abc report: no report table for tag '%s'\n", tag);
        rc = 1;
        goto done;
    }
    buf_puts(&sql, "SELECT * FROM ");
    dialect_qualified(dialect, &sql, rep->db, rep->name);
    buf_puts(&sql, " WHERE tag = ");
    dialect->string(&sql, tag);
    buf_puts(&sql, " ORDER BY experiment_id, segment, segment_value, metric, is_control DESC, variation_key");
    if (wh_query(wh, sql.data, collect, &rows, NULL, err, sizeof err) != ABC_OK) {
        bool missing = wh_last_error(wh) == WH_ERR_NO_TABLE;
        if (missing)
            fprintf(stderr, "abc report: no results for tag '%s' yet (run `abc run %s` first)\n", tag, spec_path);
        else
            fprintf(stderr, "abc report: %s\n", err);
        rc = missing ? 1 : 3;
        goto done;
    }
    if (rows.nrows == 0) {
        fprintf(stderr, "abc report: no results for tag '%s' yet (run `abc run %s` first)\n", tag, spec_path);
        rc = 1;
        goto done;
    }
    if (json) {
        render_json(&rows, &out);
        fwrite(out.data, 1, out.len, stdout);
    } else if (html) {
        render_html(&rows, tag, &out);
        if (file_write_atomic(html, out.data, out.len, err, sizeof err) != ABC_OK) {
            fprintf(stderr, "abc report: %s\n", err);
            rc = 3;
            goto done;
        }
        fprintf(stderr, "abc report: wrote %s\n", html);
    } else {
        render_markdown(&rows, tag, &out);
        fwrite(out.data, 1, out.len, stdout);
    }
done:
    rows_free(&rows);
    buf_free(&sql);
    buf_free(&out);
    arena_free(&arena);
    if (loaded)
        spec_unit_free(&u);
    wh_close(wh);
    wh_shutdown();
    config_free(cfg);
    return rc;
}
