/* test_report.c — the renderers of src/report/ on hand-made report rows:
 * every field may be NULL (a row of NULLs renders in every format), every
 * field is escaped for its format (Markdown cells, HTML text, attributes and
 * <title>), numbers are for people (p < 0.001, 3 significant digits, no
 * 17-digit floats), the verdict names the variation, the health banner
 * carries SRM expected vs observed counts, and an experiment of the tag
 * without rows is shown with its failure.
 */
#include "abc/report.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "abc/spec.h"

static const char SPEC[] =
    "tag rt {\n"
    "  module \"rt\";\n"
    "  experiments from growthbook tag \"rt\";\n"
    "  source events \"ods.app_events\" { user user_id; time event_time; date event_date; }\n"
    "  exposure events where event_name = \"experiment_viewed\" { experiment exp_key; variation var_key; first; }\n"
    "  metric conv = any(events where event_name = \"buy\") within 7d;\n"
    "  guardrail crashes = any(events where event_name = \"crash\") within 7d lower is better;\n"
    "  analysis { power 0.8; mde 0.05; }\n"
    "}\n";

static SpecUnit su;

static void setup(void)
{
    cr_assert_eq(spec_load_bytes(&su, "rt.ab", SPEC, strlen(SPEC), SYNTAX_DSL), ABC_OK);
}

static void teardown(void)
{
    spec_unit_free(&su);
}

static const char EVIL[] = "A|B\n<script>alert(1)</script>\"q\" 'x' & `t`";

static ReportRow row(const char *metric, const char *role, const char *var, int control)
{
    ReportRow r;
    report_row_init(&r);
    r.tag = "rt";
    r.experiment_id = "e1";
    r.tracking_key = "exp-1";
    r.experiment_name = EVIL;
    r.phase_name = "Main";
    r.phase_start = "2026-10-01 00:00:00";
    r.analysis_date = "2026-10-10";
    r.metric = metric;
    r.metric_role = role;
    r.segment = "";
    r.segment_value = "";
    r.variation_key = var;
    r.variation_name = control ? "Control" : EVIL;
    r.is_control = control;
    r.users = control ? 1000 : 600;
    r.mean = 0.123456789012345;
    r.stddev = 0.3;
    r.effect_type = "relative";
    if (!control) {
        r.rel_effect = 0.0512345678901234;
        r.abs_effect = 0.00632;
        r.ci_low = 0.0101234;
        r.ci_high = 0.0923456;
        r.p_value = 0.000012;
        r.p_value_adjusted = 0.0123456789;
        r.decision = "winner";
    }
    r.srm_p_value = 0.5;
    return r;
}

static char *render(const ReportInput *in, int fmt)
{
    Buf b;
    buf_init(&b);
    if (fmt == 0)
        report_markdown(in, &b);
    else
        report_html(in, &b);
    return buf_take(&b);
}

Test(report, null_fields_render_in_every_format, .init = setup, .fini = teardown)
{
    ReportRow r[2];
    report_row_init(&r[0]);
    report_row_init(&r[1]);
    r[1].metric = "conv";
    ReportInput in = {.tag = "rt", .ir = su.ir, .rows = r, .nrows = 2, .daily = r, .ndaily = 2};
    for (int fmt = 0; fmt < 2; fmt++) {
        char *s = render(&in, fmt);
        cr_assert_not_null(s);
        cr_assert(strstr(s, "rt"));
        free(s);
    }
    Buf b;
    buf_init(&b);
    report_json("rt", r, 2, su.ir, NULL, &b);
    cr_assert(strstr(b.data, "\"tracking_key\": null"));
    buf_free(&b);
    /* no rows at all; an experiment known only from experiment_data */
    ReportExperiment x = {0};
    ReportInput none = {.tag = "rt", .ir = su.ir, .exps = &x, .nexps = 1};
    for (int fmt = 0; fmt < 2; fmt++)
        free(render(&none, fmt));
}

Test(report, markdown_escapes_and_formats, .init = setup, .fini = teardown)
{
    ReportRow r[4] = {row("conv", "goal", "0", 1), row("conv", "goal", "1", 0), row("crashes", "guardrail", "0", 1),
                      row("crashes", "guardrail", "1", 0)};
    ReportInput in = {.tag = "rt", .ir = su.ir, .rows = r, .nrows = 4};
    char *s = render(&in, 0);
    cr_assert_null(strstr(s, "<script>"), "raw <script> in the Markdown");
    cr_assert(strstr(s, "A\\|B &lt;script&gt;"), "%s", s);
    cr_assert(strstr(s, "**Verdict: ship A\\|B &lt;script&gt;"), "%s", s);
    cr_assert(strstr(s, "| <0.001 (0.0123) |"), "%s", s);
    cr_assert(strstr(s, "+5.12%"));
    cr_assert_null(strstr(s, "0.1234567"), "long float in %s", s);
    cr_assert(strstr(s, "Sample: conv needs "), "%s", s);
    /* no line of a table row broken by the newline in the name */
    for (const char *p = strstr(s, "| conv |"); p && *p != '\n'; p++)
        cr_assert(*p != '\r');
    free(s);
}

Test(report, html_escapes_attributes_and_title, .init = setup, .fini = teardown)
{
    ReportRow r[2] = {row("conv", "goal", "0", 1), row("conv", "goal", "1\" onmouseover=\"x", 0)};
    r[0].tracking_key = r[1].tracking_key = "k\"><script>";
    ReportInput in = {.tag = "t<script>", .ir = su.ir, .rows = r, .nrows = 2, .daily = r + 1, .ndaily = 1};
    char *s = render(&in, 1);
    cr_assert_null(strstr(s, "<script"), "unescaped <script> in the page");
    cr_assert_null(strstr(s, "\" onmouseover"), "an attribute broken out of");
    cr_assert(strstr(s, "<title>t&lt;script&gt; — "), "title not escaped");
    cr_assert(strstr(s, "data-tracking-key=\"k&quot;&gt;&lt;script&gt;\""));
    cr_assert(strstr(s, "<meta name=\"viewport\""));
    cr_assert_null(strstr(s, "http://"));
    cr_assert_null(strstr(s, "https://"));
    free(s);
}

Test(report, health_banner_and_verdicts, .init = setup, .fini = teardown)
{
    ReportRow r[4] = {row("conv", "goal", "0", 1), row("conv", "goal", "1", 0), row("crashes", "guardrail", "0", 1),
                      row("crashes", "guardrail", "1", 0)};
    r[3].decision = "loser";
    ReportVariation vars[2] = {{"0", "Control", 0.5}, {"1", "Treatment", 0.5}};
    ReportExperiment xs[2] = {{"e1", "exp-1", "One", "Main", "2026-10-01", NULL, vars, 2},
                              {"e2", "exp-ghost", "Ghost", "Main", "2026-10-01", NULL, vars, 2}};
    ReportInput in = {.tag = "rt", .ir = su.ir, .exps = xs, .nexps = 2, .rows = r, .nrows = 4};
    char *s = render(&in, 1);
    cr_assert(strstr(s, "data-verdict=\"do not ship\""), "guardrail loser: %s", s);
    cr_assert(strstr(s, "data-check=\"guardrail\""));
    cr_assert(strstr(s, "data-tracking-key=\"exp-ghost\" data-verdict=\"invalid\""), "ghost experiment dropped");
    cr_assert(strstr(s, "data-check=\"data_quality\""));
    free(s);
    /* SRM: expected vs observed under the weights */
    for (int i = 0; i < 4; i++) {
        r[i].flags = "srm";
        r[i].srm_p_value = 1e-9;
        r[i].decision = i % 2 ? "invalid" : NULL;
    }
    s = render(&in, 1);
    cr_assert(strstr(s, "data-check=\"srm\""));
    cr_assert(strstr(s, "<td>800</td><td>1,000</td>"), "expected 800, observed 1,000: %s", strstr(s, "data-check"));
    cr_assert(strstr(s, "p &lt; 0.001, below the threshold 0.001"));
    free(s);
    s = render(&in, 0);
    cr_assert(strstr(s, "**Verdict: invalid**"));
    cr_assert(strstr(s, "Control 800 vs 1,000"), "%s", s);
    free(s);
}

/* ---- growth analytics ------------------------------------------------------- */

static const char GSPEC[] =
    "tag gt {\n"
    "  module \"gt\";\n"
    "  experiments from growthbook tag \"gt\";\n"
    "  source events \"ods.app_events\" { user user_id; time event_time; date event_date; }\n"
    "  exposure events where event_name = \"experiment_viewed\" { experiment exp_key; variation var_key; first; }\n"
    "  metric conv = any(events where event_name = \"buy\") within 7d;\n"
    "  activity chats { active events where event_name = \"chat\"; reports dau, wau, mau, growth, cohorts_weekly; by variation; }\n"
    "}\n";

/* attribute value of the first occurrence of attr after p, as a double */
static double attr_after(const char *p, const char *attr)
{
    const char *a = strstr(p, attr);
    cr_assert_not_null(a, "no %s", attr);
    return strtod(a + strlen(attr), NULL);
}

Test(report, growth_charts_and_json)
{
    SpecUnit g;
    cr_assert_eq(spec_load_bytes(&g, "gt.ab", GSPEC, strlen(GSPEC), SYNTAX_DSL), ABC_OK);
    ReportSeriesRow s[] = {
        {"chats", "day", "2026-10-05", "", "", "dau", 10},
        {"chats", "day", "2026-10-05", "", "", "wau_rolling", 30},
        {"chats", "day", "2026-10-05", "", "", "mau_rolling", 50},
        {"chats", "day", "2026-10-06", "", "", "dau", 12},
        {"chats", "day", "2026-10-06", "", "", "wau_rolling", 31},
        {"chats", "day", "2026-10-06", "", "", "mau_rolling", 52},
        {"chats", "day", "2026-10-06", "variation", "exp-1/1", "dau", 5},
        {"chats", "week", "2026-10-05", "", "", "wau", 40},
        {"chats", "week", "2026-10-05", "", "", "new", 20},
        {"chats", "week", "2026-10-05", "", "", "retained", 15},
        {"chats", "week", "2026-10-05", "", "", "resurrected", 5},
        {"chats", "week", "2026-10-05", "", "", "churned", 8},
        {"chats", "week", "2026-10-05", "", "", "quick_ratio", 3.125},
        {"chats", "week", "2026-09-28", "", "", "new", 30},
        {"chats", "week", "2026-09-28", "", "", "churned", 0},
        {"chats", "week", "2026-09-28", "", "", "quick_ratio", NAN},
    };
    ReportCohortRow c[] = {
        {"chats", "week", "2026-09-28", "2026-09-28", 0, 30, 30, 1.0},
        {"chats", "week", "2026-09-28", "2026-10-05", 1, 30, 12, 0.4},
        {"chats", "week", "2026-10-05", "2026-10-05", 0, 20, 20, 1.0},
    };
    ReportActivity act = {s, (int)(sizeof s / sizeof s[0]), c, 3};
    ReportInput in = {.tag = "gt", .ir = g.ir, .activity = &act};
    char *h = render(&in, 1);
    cr_assert(strstr(h, "<section class=\"growth\" id=\"growth\""), "no growth section");
    cr_assert(strstr(h, "href=\"#growth\""));
    for (const char *m = "dau\0wau_rolling\0mau_rolling\0"; *m; m += strlen(m) + 1) {
        char want[64];
        snprintf(want, sizeof want, "class=\"line\" data-measure=\"%s\"", m);
        cr_assert(strstr(h, want), "no %s line", m);
    }
    /* the churned bar hangs below the zero line, the others stand on it */
    const char *bars = strstr(h, "growth-bars growth-week");
    cr_assert_not_null(bars);
    double zero = attr_after(bars, "class=\"zero\" data-y=\"");
    const char *ch = strstr(bars, "data-measure=\"churned\" data-period=\"2026-10-05\"");
    cr_assert_not_null(ch);
    double cy = attr_after(ch, " y=\""), chh = attr_after(ch, "height=\"");
    cr_assert(cy >= zero - 0.05 && chh > 1, "churned y %g height %g, zero line %g", cy, chh, zero);
    const char *nw = strstr(bars, "data-measure=\"new\" data-period=\"2026-10-05\"");
    cr_assert(attr_after(nw, " y=\"") + attr_after(nw, "height=\"") <= zero + 0.05);
    /* heatmap cells: the ratio as colour and as text */
    const char *cell = strstr(h, "data-cohort=\"2026-09-28\" data-k=\"1\" data-ratio=\"0.4\"");
    cr_assert_not_null(cell, "no k=1 cell");
    cr_assert(strstr(cell, ">40</text>"), "no number in the cell");
    cr_assert(strstr(h, "<desc id=") && strstr(h, "quick ratio 3.125"), "description");
    free(h);
    /* no activity rows: no growth section */
    ReportActivity none = {0};
    in.activity = &none;
    h = render(&in, 1);
    cr_assert_null(strstr(h, "class=\"growth\""));
    cr_assert_null(strstr(h, "growth-bars"));
    free(h);
    /* JSON: activity -> series grain -> measure -> rows, and cohorts */
    Buf b;
    buf_init(&b);
    report_json("gt", NULL, 0, g.ir, &act, &b);
    cr_assert(strstr(b.data, "\"activity\": {\n  \"chats\": {\"series\": {\"day\": {\"dau\": [{\"period\": "
                             "\"2026-10-05\", \"breakdown\": \"\", \"breakdown_value\": \"\", \"value\": 10}, "
                             "{\"period\": \"2026-10-06\", \"breakdown\": \"\", \"breakdown_value\": \"\", \"value\": 12}, "
                             "{\"period\": \"2026-10-06\", \"breakdown\": \"variation\", \"breakdown_value\": \"exp-1/1\", "
                             "\"value\": 5}]"),
              "%s", b.data);
    cr_assert(strstr(b.data, "\"quick_ratio\": [{\"period\": \"2026-09-28\", \"breakdown\": \"\", "
                             "\"breakdown_value\": \"\", \"value\": null}"), "%s", b.data);
    cr_assert(strstr(b.data, "\"cohorts\": {\"week\": [{\"cohort\": \"2026-09-28\", \"k\": 0, \"period\": "
                             "\"2026-09-28\", \"cohort_size\": 30, \"active\": 30, \"ratio\": 1}"), "%s", b.data);
    cr_assert(strstr(b.data, "\"rows\": [\n]"), "%s", b.data);
    buf_free(&b);
    spec_unit_free(&g);
}

Test(report, growth_rows_read_back)
{
    Arena a;
    arena_init(&a);
    char err[128];
    const char *v[] = {"chats", "week", "2026-10-05", "", "", "new", "20"};
    ReportSeriesRow s;
    cr_assert_eq(report_series_read(&s, v, 7, &a, err, sizeof err), ABC_OK);
    cr_assert(s.value == 20 && !strcmp(s.measure, "new"));
    const char *bad[] = {"chats", "week", "2026-10-05", "", "", "new", "2x"};
    cr_assert_eq(report_series_read(&s, bad, 7, &a, err, sizeof err), ABC_ERR_SPEC);
    cr_assert(strstr(err, "value"), "%s", err);
    cr_assert_eq(report_series_read(&s, v, 6, &a, err, sizeof err), ABC_ERR_SPEC);
    const char *cv[] = {"chats", "week", "2026-09-28", "1", "2026-10-05", "30", "12", NULL};
    ReportCohortRow c;
    cr_assert_eq(report_cohort_read(&c, cv, 8, &a, err, sizeof err), ABC_OK);
    cr_assert(c.k == 1 && c.cohort_size == 30 && c.active == 12 && isnan(c.ratio));
    arena_free(&a);
}
