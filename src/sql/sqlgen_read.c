/* sqlgen_read.c — the queries that read a tag's stored growth rows back
 * for the renderers (the results page, `abc report`, --format json): every
 * row of the activity report table and of the cohort table, in the column
 * order report_series_read / report_cohort_read decode (report.h).  Not
 * steps of a run: nothing is written, and the text depends only on the
 * spec and the dialect. */
#include "sqlgen_emit.h"

static void ident_list(const Dialect *d, Buf *out, const char *const *cols, int n)
{
    for (int i = 0; i < n; i++) {
        buf_puts(out, i ? ", " : "");
        d->ident(out, cols[i]);
    }
}

bool sqlgen_activity_select(const SqlProgram *p, SqlActivityRead which, Buf *out)
{
    static const char *const series[] = {"activity", "grain", "period", "breakdown",
                                         "breakdown_value", "measure", "value"};
    static const char *const cohort[] = {"activity", "grain", "cohort", "k", "period",
                                         "cohort_size", "active", "ratio"};
    if (!p || !p->ir || p->ir->nactivities == 0 || p->ntables <= T_ACT_COHORT)
        return false;
    const Dialect *d = p->dialect;
    const TableDef *t = &p->tables[which == SQL_READ_SERIES ? T_ACT_REPORT : T_ACT_COHORT];
    buf_puts(out, "SELECT ");
    if (which == SQL_READ_SERIES)
        ident_list(d, out, series, 7);
    else
        ident_list(d, out, cohort, 8);
    buf_puts(out, " FROM ");
    dialect_qualified(d, out, t->db, t->name);
    buf_puts(out, " WHERE ");
    d->ident(out, "tag");
    buf_puts(out, " = ");
    d->string(out, p->ir->tag);
    buf_puts(out, " ORDER BY ");
    if (which == SQL_READ_SERIES) {
        static const char *const order[] = {"activity", "grain", "measure", "period", "breakdown",
                                            "breakdown_value"};
        ident_list(d, out, order, 6);
    } else {
        static const char *const order[] = {"activity", "grain", "cohort", "k"};
        ident_list(d, out, order, 4);
    }
    return true;
}
