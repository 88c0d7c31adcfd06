/* test_diag.c — diagnostics: line/col with UTF-8, the printed form (source
 * line, caret, what is not echoed), JSON output, the error cap,
 * diag_suggest, and `abc check` (text and --format json) through the
 * binary. */
#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "abc/diag.h"

static Diag diag;
static char *printed;

static void teardown(void)
{
    diag_free(&diag);
    free(printed);
    printed = NULL;
}

TestSuite(diag, .fini = teardown);

static const char *print_all(void)
{
    free(printed);
    size_t len = 0;
    FILE *f = open_memstream(&printed, &len);
    diag_print(&diag, f);
    fclose(f);
    return printed;
}

static SrcLoc at(const char *src, const char *needle, uint32_t len)
{
    const char *p = strstr(src, needle);
    cr_assert_not_null(p, "%s not in source", needle);
    SrcLoc l = {(uint32_t)(p - src), len};
    return l;
}

Test(diag, line_col_counts_characters)
{
    const char *src = "ab\n\xc3\xa9\xe6\xbc\xa2\xf0\x9f\x98\x80x\n\nend";
    diag_init(&diag, "t.ab", src, strlen(src));
    int l, c;
    diag_line_col(&diag, 0, &l, &c);
    cr_assert(l == 1 && c == 1);
    diag_line_col(&diag, 2, &l, &c);
    cr_assert(l == 1 && c == 3, "the newline itself is at 1:3");
    diag_line_col(&diag, 3, &l, &c);
    cr_assert(l == 2 && c == 1);
    diag_line_col(&diag, (uint32_t)(strchr(src, 'x') - src), &l, &c);
    cr_assert(l == 2 && c == 4, "x after three multi-byte characters is at column 4, got %d", c);
    diag_line_col(&diag, (uint32_t)(strstr(src, "end") - src), &l, &c);
    cr_assert(l == 4 && c == 1);
    diag_line_col(&diag, 100000, &l, &c);
    cr_assert(l == 4 && c == 4, "offsets past the end clamp to the end");
}

/* Lines come from a table built once (binary search), not a scan from the
 * start of the file for every offset. */
Test(diag, line_table_is_built_once)
{
    const char *src = "a\nbb\n\nccc\n";
    diag_init(&diag, "t.ab", src, strlen(src));
    cr_assert_null(diag.line_starts, "built lazily");
    int l, c;
    diag_line_col(&diag, 4, &l, &c);
    cr_assert(l == 2 && c == 3);
    const uint32_t *table = diag.line_starts;
    cr_assert_not_null(table);
    cr_assert_eq(diag.nlines, 5);
    cr_assert_eq(diag_line_of(&diag, 6), 4);
    cr_assert_eq(diag_line_of(&diag, 5), 3);
    cr_assert_eq(diag_line_of(&diag, 10), 5);
    cr_assert_eq(diag_line_of(&diag, 999), 5);
    cr_assert_eq(diag.line_starts, table, "and reused");
}

Test(diag, utf8_validator)
{
    cr_assert_eq(diag_utf8_invalid_at("ok \xc3\xa9 \xf0\x9f\x98\x80", 10), -1);
    cr_assert_eq(diag_utf8_invalid_at("a\xc0\xaf", 3), 1, "overlong");
    cr_assert_eq(diag_utf8_invalid_at("ab\xed\xa0\x80", 5), 2, "surrogate");
    cr_assert_eq(diag_utf8_invalid_at("\xf4\x90\x80\x80", 4), 0, "above U+10FFFF");
    cr_assert_eq(diag_utf8_invalid_at("x\xe6\xbc", 3), 1, "truncated");
    cr_assert_eq(diag_utf8_invalid_at("\x80", 1), 0, "stray continuation byte");
}

Test(diag, line_col_without_source)
{
    diag_init(&diag, "t.ab", NULL, 0);
    int l, c;
    diag_line_col(&diag, 50, &l, &c);
    cr_assert(l == 1 && c == 1);
}

Test(diag, text_form_with_caret)
{
    const char *src = "tag t {\n  metric m = count(evnts);\n}\n";
    diag_init(&diag, "specs/t.ab", src, strlen(src));
    diag_error(&diag, at(src, "evnts", 5), "undefined source '%s'", "evnts");
    cr_assert_str_eq(print_all(), "specs/t.ab:2:20: error: undefined source 'evnts'\n"
                                  "      metric m = count(evnts);\n"
                                  "                       ^~~~~\n");
    cr_assert_eq(diag.nerrors, 1);
}

Test(diag, severities_and_file_errors)
{
    const char *src = "x y\n";
    diag_init(&diag, "t.ab", src, strlen(src));
    diag_warning(&diag, at(src, "y", 1), "careful");
    diag_note(&diag, at(src, "x", 1), "see %d", 1);
    diag_file_error(&diag, "cannot read: %s", "gone");
    cr_assert_eq(diag.nerrors, 1, "only errors count");
    cr_assert_str_eq(print_all(), "t.ab:1:3: warning: careful\n    x y\n      ^\n"
                                  "t.ab:1:1: note: see 1\n    x y\n    ^\n"
                                  "t.ab: error: cannot read: gone\n");
}

Test(diag, caret_under_utf8_and_tabs)
{
    const char *src = "\tx \"\xc3\xa9\xe6\xbc\xa2\" @@\n";
    diag_init(&diag, "t.ab", src, strlen(src));
    diag_error(&diag, at(src, "@@", 2), "bad");
    cr_assert_str_eq(print_all(), "t.ab:1:9: error: bad\n"
                                  "     x \"\xc3\xa9\xe6\xbc\xa2\" @@\n"
                                  "            ^~\n",
                     "a tab is echoed as one space and the caret counts characters");
    /* the tilde run stops at the end of the line */
    diag_free(&diag);
    diag_init(&diag, "t.ab", src, strlen(src));
    diag_error(&diag, at(src, "\xc3\xa9", 40), "long");
    cr_assert_str_eq(print_all(), "t.ab:1:5: error: long\n"
                                  "     x \"\xc3\xa9\xe6\xbc\xa2\" @@\n"
                                  "        ^~~~~~\n");
}

Test(diag, crlf_lines)
{
    const char *src = "a\r\nb c\r\n";
    diag_init(&diag, "t.ab", src, strlen(src));
    diag_error(&diag, at(src, "c", 1), "here");
    cr_assert_str_eq(print_all(), "t.ab:2:3: error: here\n    b c \n      ^\n");
}

Test(diag, lines_not_echoed)
{
    /* control bytes */
    const char *src = "a\x01 b\nc\n";
    diag_init(&diag, "t.ab", src, strlen(src));
    diag_error(&diag, at(src, "b", 1), "ctl");
    cr_assert_str_eq(print_all(), "t.ab:1:4: error: ctl\n");
    diag_free(&diag);
    /* invalid UTF-8 */
    const char *bad = "a \xff b\n";
    diag_init(&diag, "t.ab", bad, strlen(bad));
    diag_error(&diag, at(bad, "b", 1), "utf");
    cr_assert_str_eq(print_all(), "t.ab:1:5: error: utf\n");
    diag_free(&diag);
    /* truncated UTF-8 at the end of the line */
    const char *cut = "a b \xe6\xbc\nz";
    diag_init(&diag, "t.ab", cut, strlen(cut));
    diag_error(&diag, at(cut, "b", 1), "cut");
    cr_assert_str_eq(print_all(), "t.ab:1:3: error: cut\n");
    diag_free(&diag);
    /* lines over 300 bytes */
    char longline[400];
    memset(longline, 'x', 350);
    strcpy(longline + 350, " y\n");
    diag_init(&diag, "t.ab", longline, strlen(longline));
    diag_error(&diag, at(longline, "y", 1), "long");
    cr_assert_str_eq(print_all(), "t.ab:1:352: error: long\n");
}

Test(diag, location_at_end_of_input)
{
    const char *src = "tag t {\n";
    diag_init(&diag, "t.ab", src, strlen(src));
    SrcLoc end = {(uint32_t)strlen(src), 0};
    diag_error(&diag, end, "expected '}'");
    /* the position is enough: an empty line is not echoed with a caret */
    cr_assert_str_eq(print_all(), "t.ab:2:1: error: expected '}'\n");
}

Test(diag, error_cap)
{
    const char *src = "x\n";
    diag_init(&diag, "t.ab", src, strlen(src));
    SrcLoc l = {0, 1};
    for (int i = 0; i < 60; i++)
        diag_error(&diag, l, "e%d", i);
    diag_warning(&diag, l, "dropped too");
    cr_assert_eq(diag.nerrors, 60);
    cr_assert_eq(diag.nmsgs, 50);
    const char *p = print_all();
    cr_assert_not_null(strstr(p, "t.ab:1:1: error: e49\n"));
    cr_assert_null(strstr(p, "e50"));
    cr_assert_null(strstr(p, "dropped too"));
    size_t n = strlen(p);
    const char *tail = "t.ab: note: 10 more errors not shown\n";
    cr_assert_str_eq(p + n - strlen(tail), tail);
}

Test(diag, json_form)
{
    const char *src = "a\n  \xc3\xa9 b\n";
    diag_init(&diag, "dir/t \"x\".ab", src, strlen(src));
    diag_error(&diag, at(src, "b", 1), "quote \" backslash \\ newline \n tab \t ctl \x01 end");
    diag_warning(&diag, at(src, "a", 1), "w");
    diag_file_error(&diag, "file");
    Buf b;
    buf_init(&b);
    bool first = true;
    buf_putc(&b, '[');
    diag_to_json(&diag, &b, &first);
    buf_puts(&b, "\n]");
    cr_assert_not(first);
    cJSON *j = cJSON_Parse(b.data);
    cr_assert_not_null(j, "not JSON: %s", b.data);
    cr_assert_eq(cJSON_GetArraySize(j), 3);
    cJSON *e = cJSON_GetArrayItem(j, 0);
    cr_assert_str_eq(cJSON_GetObjectItem(e, "file")->valuestring, "dir/t \"x\".ab");
    cr_assert_eq(cJSON_GetObjectItem(e, "line")->valueint, 2);
    cr_assert_eq(cJSON_GetObjectItem(e, "col")->valueint, 5, "columns count characters");
    cr_assert_str_eq(cJSON_GetObjectItem(e, "severity")->valuestring, "error");
    cr_assert_str_eq(cJSON_GetObjectItem(e, "message")->valuestring,
                     "quote \" backslash \\ newline \n tab \t ctl \x01 end");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 1), "severity")->valuestring, "warning");
    e = cJSON_GetArrayItem(j, 2);
    cr_assert_eq(cJSON_GetObjectItem(e, "line")->valueint, 0, "a file error has no line");
    cr_assert_eq(cJSON_GetObjectItem(e, "col")->valueint, 0);
    cJSON_Delete(j);
    buf_free(&b);
}

Test(diag, json_appends_across_files)
{
    Diag a, c;
    diag_init(&a, "a.ab", "", 0);
    diag_init(&c, "c.ab", "", 0);
    diag_file_error(&a, "one");
    diag_file_error(&c, "two");
    Buf b;
    buf_init(&b);
    bool first = true;
    buf_putc(&b, '[');
    diag_to_json(&a, &b, &first);
    diag_to_json(&c, &b, &first);
    buf_puts(&b, "]");
    cJSON *j = cJSON_Parse(b.data);
    cr_assert_not_null(j, "%s", b.data);
    cr_assert_eq(cJSON_GetArraySize(j), 2);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 1), "file")->valuestring, "c.ab");
    cJSON_Delete(j);
    buf_free(&b);
    diag_free(&a);
    diag_free(&c);
}

Test(diag, suggest)
{
    const char *const k[] = {"module", "metric", "methods", "alpha", "srm", "bootstrap"};
    cr_assert_str_eq(diag_suggest("modul", k, 6), "module");
    cr_assert_str_eq(diag_suggest("mdoule", k, 6), "module", "a transposition is two edits");
    cr_assert_str_eq(diag_suggest("alfa", k, 6), "alpha");
    cr_assert_str_eq(diag_suggest("srn", k, 6), "srm");
    cr_assert_str_eq(diag_suggest("bootstrp", k, 6), "bootstrap");
    cr_assert_str_eq(diag_suggest("botstrp", k, 6), "bootstrap", "2 edits are fine for a long name");
    cr_assert_null(diag_suggest("xyz", k, 6), "nothing close");
    cr_assert_null(diag_suggest("module", k, 6), "an exact match is not a suggestion");
    cr_assert_null(diag_suggest("a", k, 6));
    cr_assert_null(diag_suggest("modul", k, 0));
    const char *funcs[] = {"any", "count", "sum", "mean"};
    cr_assert_str_eq(diag_suggest("cnt", funcs, 4), "count", "a tie goes to the shared prefix");
    cr_assert_str_eq(diag_suggest("mea", funcs, 4), "mean");
    cr_assert_null(diag_suggest("", k, 6));
    /* the limit grows with the length: 1/3 of it */
    const char *const longk[] = {"cohorts_monthly_report"};
    cr_assert_str_eq(diag_suggest("cohort_monthly_reprt", longk, 1), "cohorts_monthly_report");
    cr_assert_null(diag_suggest("cohorts_weekly_summary", longk, 1));
    /* names too long to compare give no suggestion (and no crash) */
    char big[200];
    memset(big, 'a', 199);
    big[199] = '\0';
    const char *const bigk[] = {big};
    cr_assert_null(diag_suggest(big + 1, bigk, 1));
}

/* ---- abc check through the binary ------------------------------------------ */

static const char *abc_bin(void)
{
    const char *b = getenv("ABC_BIN");
    if (!b)
        b = "build/abc";
    cr_assert_eq(access(b, X_OK), 0, "abc binary %s not found (set ABC_BIN)", b);
    return b;
}

static char tmpdir[256];
static void make_tmp(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/abc-test-diag.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}
static void rm_tmp(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
    teardown();
}

static void write_file(const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static char out_buf[65536], err_buf[65536];

static void slurp(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    size_t k = fread(buf, 1, n - 1, f);
    buf[k] = '\0';
    fclose(f);
}

/* Run `abc ARGS` inside the temp dir; stdout/stderr into out_buf/err_buf. */
static int run_abc(const char *args)
{
    char cmd[2048], abs[1024];
    const char *bin = abc_bin();
    if (bin[0] != '/') {
        cr_assert_not_null(getcwd(abs, sizeof abs - 300));
        strcat(abs, "/");
        strcat(abs, bin);
        bin = abs;
    }
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >stdout.txt 2>stderr.txt", tmpdir, bin, args);
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "abc died: %s", cmd);
    char p[512];
    snprintf(p, sizeof p, "%s/stdout.txt", tmpdir);
    slurp(p, out_buf, sizeof out_buf);
    snprintf(p, sizeof p, "%s/stderr.txt", tmpdir);
    slurp(p, err_buf, sizeof err_buf);
    return WEXITSTATUS(st);
}

#define GOOD                                                                                       \
    "tag good {\n  module \"m\";\n  source events \"ods.e\" {\n    user u;\n    time t;\n"      \
    "    date d;\n  }\n  exposure events {\n    experiment e;\n    variation v;\n  }\n"          \
    "  metric m = count(events) within 7d;\n}\n"

Test(diag, cli_check_text, .init = make_tmp, .fini = rm_tmp)
{
    write_file("good.ab", GOOD);
    write_file("bad.ab", "tag bad {\n  modul \"m\";\n}\n");
    cr_assert_eq(run_abc("check good.ab"), 0, "%s", err_buf);
    cr_assert_str_eq(err_buf, "");
    cr_assert_str_eq(out_buf, "");
    cr_assert_eq(run_abc("check good.ab bad.ab"), 1);
    cr_assert_str_eq(out_buf, "");
    const char *want = "bad.ab:2:3: error: unknown setting 'modul'; did you mean 'module'?\n"
                       "      modul \"m\";\n      ^~~~~\n";
    cr_assert(strncmp(err_buf, want, strlen(want)) == 0, "%s", err_buf);
    cr_assert_eq(run_abc("check --dump-ir good.ab"), 0);
    cr_assert_not_null(strstr(out_buf, "tag good\nmodule m\n"), "%s", out_buf);
    cr_assert_eq(run_abc("check missing.ab"), 1);
    cr_assert_not_null(strstr(err_buf, "missing.ab: error: cannot open 'missing.ab'"), "%s", err_buf);
}

Test(diag, cli_check_json, .init = make_tmp, .fini = rm_tmp)
{
    write_file("good.ab", GOOD);
    write_file("bad.yaml", "tag: bad\nmodule: \"m\"\nmetrics:\n  m: count(evnts) within 7d\n");
    cr_assert_eq(run_abc("check --format json good.ab"), 0, "%s", err_buf);
    cr_assert_str_eq(out_buf, "[]\n");
    cr_assert_str_eq(err_buf, "");

    cr_assert_eq(run_abc("check --format json good.ab bad.yaml"), 1);
    cr_assert_str_eq(err_buf, "", "JSON mode prints nothing on stderr");
    cJSON *j = cJSON_Parse(out_buf);
    cr_assert_not_null(j, "not JSON: %s", out_buf);
    cr_assert(cJSON_IsArray(j));
    cr_assert_geq(cJSON_GetArraySize(j), 2);
    bool found = false;
    cJSON *e;
    cJSON_ArrayForEach(e, j)
    {
        cr_assert_str_eq(cJSON_GetObjectItem(e, "file")->valuestring, "bad.yaml");
        cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(e, "line")));
        cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(e, "col")));
        cr_assert(cJSON_IsString(cJSON_GetObjectItem(e, "severity")));
        const char *m = cJSON_GetObjectItem(e, "message")->valuestring;
        if (strcmp(m, "undefined source 'evnts'") == 0) {
            found = true;
            cr_assert_eq(cJSON_GetObjectItem(e, "line")->valueint, 4);
            cr_assert_eq(cJSON_GetObjectItem(e, "col")->valueint, 12);
        }
    }
    cr_assert(found, "%s", out_buf);
    cJSON_Delete(j);

    cr_assert_eq(run_abc("check --format=json good.ab"), 0);
    cr_assert_str_eq(out_buf, "[]\n");
    cr_assert_eq(run_abc("check --format=text good.ab"), 0);
    cr_assert_str_eq(out_buf, "");
}

Test(diag, cli_check_usage, .init = make_tmp, .fini = rm_tmp)
{
    cr_assert_eq(run_abc("check"), 2);
    cr_assert_not_null(strstr(err_buf, "no spec given"));
    cr_assert_eq(run_abc("check --format xml x.ab"), 2);
    cr_assert_not_null(strstr(err_buf, "unknown format 'xml'"));
    cr_assert_eq(run_abc("check --frobnicate x.ab"), 2);
    cr_assert_eq(run_abc("check --help"), 0);
    cr_assert_not_null(strstr(out_buf, "usage: abc check"));
    write_file("-x.ab", "garbage");
    cr_assert_eq(run_abc("check -- -x.ab"), 1, "-- ends the options");
    cr_assert_not_null(strstr(err_buf, "-x.ab:1:1:"), "%s", err_buf);
}

Test(diag, cli_check_stdin, .init = make_tmp, .fini = rm_tmp)
{
    write_file("good.ab", GOOD);
    cr_assert_eq(run_abc("check - <good.ab"), 0, "stdin: the tag is not checked against a name: %s",
                 err_buf);
}
