/* report_json.c — `abc report --json`: one object with the tag, every
 * report row as a JSON object (every column of the schema, typed: text and
 * dates as strings, integers and doubles as numbers — the shortest text
 * that reads back to the same double — NULL as null) and the growth series
 * of the tag's activity blocks (report_activity_json). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "report_int.h"

void report_json(const char *tag, const ReportRow *rows, int n, const IrSpec *ir,
                 const ReportActivity *act, Buf *out)
{
    buf_puts(out, "{\"tag\": ");
    if (tag)
        buf_put_json_string(out, tag);
    else
        buf_puts(out, "null");
    buf_puts(out, ",\n\"rows\": [");
    for (int i = 0; i < n; i++) {
        buf_puts(out, i ? ",\n {" : "\n {");
        for (int c = 0; c < REPORT_NCOLUMNS; c++) {
            if (c)
                buf_puts(out, ", ");
            buf_put_json_string(out, REPORT_SCHEMA[c].col.name);
            buf_puts(out, ": ");
            switch (REPORT_SCHEMA[c].kind) {
            case RF_STR:
            case RF_DATE:
            case RF_DATETIME: {
                const char *s = report_row_str(&rows[i], c);
                if (s)
                    buf_put_json_string(out, s);
                else
                    buf_puts(out, "null");
                break;
            }
            case RF_INT: {
                double v = report_row_num(&rows[i], c);
                if (isfinite(v))
                    buf_printf(out, "%.0f", v);
                else
                    buf_puts(out, "null");
                break;
            }
            case RF_DOUBLE: rf_json_double(out, report_row_num(&rows[i], c)); break;
            }
        }
        buf_putc(out, '}');
    }
    buf_puts(out, "\n],\n\"activity\": ");
    report_activity_json(ir, act, out);
    buf_puts(out, "}\n");
}
