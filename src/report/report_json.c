/* report_json.c — `abc report --json`: every report row as a JSON object,
 * every column of the schema, typed: text and dates as strings, integers
 * and doubles as numbers (the shortest text that reads back to the same
 * double), NULL as null. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "report_int.h"

static void json_double(Buf *b, double v)
{
    if (!isfinite(v)) {
        buf_puts(b, "null");
        return;
    }
    char s[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, v);
        if (strtod(s, NULL) == v)
            break;
    }
    buf_puts(b, s);
}

void report_json(const ReportRow *rows, int n, Buf *out)
{
    buf_puts(out, "[");
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
            case RF_DOUBLE: json_double(out, report_row_num(&rows[i], c)); break;
            }
        }
        buf_putc(out, '}');
    }
    buf_puts(out, "\n]\n");
}
