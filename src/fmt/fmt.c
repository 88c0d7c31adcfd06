/* fmt.c — canonical DSL and YAML printers over the AST (see fmt.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/fmt.h"
#include "abc/ir.h"

/* ---- shared pieces ------------------------------------------------------------ */

static void fmt_word(const AstWord *w, Buf *out)
{
    switch (w->kind) {
    case W_STRING: ir_put_dsl_string(out, w->text); break;
    case W_QNAME: buf_printf(out, "%s.%s", w->text, w->text2); break;
    case W_RANGE: buf_printf(out, "%s..%s", w->text, w->text2); break;
    case W_PATH: ir_put_column(out, w); break;
    default: buf_puts(out, w->text); break;
    }
}

void fmt_words(const AstWord *w, Buf *out)
{
    for (const AstWord *p = w; p; p = p->next) {
        if (p != w)
            buf_puts(out, p->comma_before ? ", " : " ");
        fmt_word(p, out);
    }
}

static void fmt_call(const AstCall *c, Buf *out)
{
    buf_printf(out, "%s(", c->func->text);
    for (const AstArg *a = c->args; a; a = a->next) {
        if (a != c->args)
            buf_puts(out, ", ");
        fmt_words(a->words, out);
        if (a->where) {
            buf_puts(out, " where ");
            ir_cond_to_text(a->where, out);
        }
    }
    buf_putc(out, ')');
}

/* words [where cond] */
static void fmt_value(const AstWord *words, const AstCond *where, Buf *out)
{
    fmt_words(words, out);
    if (where) {
        if (words)
            buf_putc(out, ' ');
        buf_puts(out, "where ");
        ir_cond_to_text(where, out);
    }
}

/* ---- DSL ------------------------------------------------------------------------ */

typedef struct DslPrinter {
    Buf *out;
    const AstComment *next_comment;
} DslPrinter;

static void indent(Buf *out, int depth)
{
    for (int i = 0; i < depth; i++)
        buf_puts(out, "  ");
}

/* Print own-line comments that start before off. */
static void leading_comments(DslPrinter *p, uint32_t off, int depth)
{
    while (p->next_comment && p->next_comment->loc.off < off) {
        indent(p->out, depth);
        buf_puts(p->out, p->next_comment->text);
        buf_putc(p->out, '\n');
        p->next_comment = p->next_comment->next;
    }
}

/* A comment after the item on the same source line stays on its line. */
static void trailing_comment(DslPrinter *p, uint32_t end, uint32_t limit)
{
    const AstComment *c = p->next_comment;
    if (c && !c->own_line && c->loc.off >= end && c->loc.off < limit) {
        buf_puts(p->out, "  ");
        buf_puts(p->out, c->text);
        p->next_comment = c->next;
    }
}

static void dsl_items(DslPrinter *p, const AstItem *items, int depth, uint32_t limit);

static void dsl_item(DslPrinter *p, const AstItem *it, int depth, uint32_t limit)
{
    Buf *out = p->out;
    leading_comments(p, it->loc.off, depth);
    indent(out, depth);
    switch (it->kind) {
    case I_SETTING:
        buf_puts(out, it->key->text);
        if (it->words || it->where)
            buf_putc(out, ' ');
        fmt_value(it->words, it->where, out);
        buf_putc(out, ';');
        break;
    case I_WHERE:
        buf_puts(out, "where ");
        ir_cond_to_text(it->where, out);
        buf_putc(out, ';');
        break;
    case I_SEGMENT:
        buf_printf(out, "segment %s = ", it->name->text);
        fmt_words(it->words, out);
        buf_putc(out, ';');
        break;
    case I_METRIC:
        buf_printf(out, "%s %s = ", it->key->text, it->name->text);
        fmt_call(it->call, out);
        if (it->words) {
            buf_putc(out, ' ');
            fmt_words(it->words, out);
        }
        buf_putc(out, ';');
        break;
    case I_BLOCK:
        buf_puts(out, it->key->text);
        if (it->words || it->where)
            buf_putc(out, ' ');
        fmt_value(it->words, it->where, out);
        buf_puts(out, " {");
        buf_putc(out, '\n');
        dsl_items(p, it->items, depth + 1, it->close_loc.off);
        leading_comments(p, it->close_loc.off, depth + 1);
        indent(out, depth);
        buf_putc(out, '}');
        break;
    }
    trailing_comment(p, it->loc.off + it->loc.len, limit);
    buf_putc(out, '\n');
}

static int item_group(const AstItem *it)
{
    switch (it->kind) {
    case I_BLOCK: return 0;
    case I_SEGMENT: return 2;
    case I_METRIC: return 3;
    default: return 1;
    }
}

static void dsl_items(DslPrinter *p, const AstItem *items, int depth, uint32_t limit)
{
    const AstItem *prev = NULL;
    for (const AstItem *it = items; it; prev = it, it = it->next) {
        uint32_t next_off = it->next ? it->next->loc.off : limit;
        if (prev && depth == 1 && (item_group(prev) != item_group(it) || it->kind == I_BLOCK))
            buf_putc(p->out, '\n');
        dsl_item(p, it, depth, next_off);
    }
}

void fmt_dsl(const AstSpec *spec, Buf *out)
{
    DslPrinter p = {out, spec->comments};
    leading_comments(&p, spec->loc.off, 0);
    buf_printf(out, "tag %s {\n", spec->tag->text);
    uint32_t end = spec->loc.off + spec->loc.len;
    dsl_items(&p, spec->items, 1, end ? end - 1 : 0);
    leading_comments(&p, end ? end - 1 : 0, 1);
    buf_puts(out, "}\n");
    /* comments after the closing brace */
    for (const AstComment *c = p.next_comment; c; c = c->next) {
        buf_puts(out, c->text);
        buf_putc(out, '\n');
    }
}

/* ---- YAML ----------------------------------------------------------------------- */

/* Can text be written as a plain YAML scalar and read back unchanged, in a
 * block (flow=false) or flow collection (flow=true)? */
static bool yaml_plain_ok(const char *s, bool flow)
{
    size_t n = strlen(s);
    if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':')
        return false;
    if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]))
        return false;
    if (strstr(s, ": ") || strstr(s, " #") || strchr(s, '\n') || strchr(s, '\t'))
        return false;
    if (flow && strpbrk(s, ",[]{}"))
        return false;
    /* words YAML would read as something else */
    static const char *const special[] = {"~", "null", "Null", "NULL", "true", "True", "TRUE",
                                          "false", "False", "FALSE", "yes", "no", "on", "off"};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        if (strcmp(s, special[i]) == 0)
            return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20)
            return false;
    return true;
}

static void yaml_double_quoted(Buf *out, const char *s)
{
    buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': buf_puts(out, "\\\""); break;
        case '\\': buf_puts(out, "\\\\"); break;
        case '\n': buf_puts(out, "\\n"); break;
        case '\t': buf_puts(out, "\\t"); break;
        case '\r': buf_puts(out, "\\r"); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                buf_printf(out, "\\x%02x", *p);
            else
                buf_putc(out, (char)*p);
        }
    }
    buf_putc(out, '"');
}

/* A scalar holding DSL text: plain when safe, else a literal block. */
static void yaml_dsl_scalar(Buf *out, const char *text, int depth, bool flow)
{
    if (yaml_plain_ok(text, flow)) {
        buf_puts(out, text);
        return;
    }
    buf_puts(out, "|-\n");
    indent(out, depth + 1);
    buf_puts(out, text);
}

/* The value of a key: words [where], after the key's ':' (an inline value
 * gets a leading space; a block sequence starts on the next line). */
static void yaml_value(Buf *out, const AstWord *words, const AstCond *where, int depth)
{
    if (!words && !where)
        return; /* an empty value: `first:` */
    if (words && !where && !words->next && words->kind == W_STRING) {
        buf_putc(out, ' ');
        yaml_double_quoted(out, words->text);
        return;
    }
    bool has_comma = false;
    int ngroups = 1;
    for (const AstWord *w = words; w; w = w->next) {
        has_comma |= w->comma_before;
        ngroups += w->comma_before;
    }
    if (!has_comma || where) { /* DSL text reads back commas and all */
        Buf t;
        buf_init(&t);
        fmt_value(words, where, &t);
        buf_putc(out, ' ');
        yaml_dsl_scalar(out, t.data, depth, false);
        buf_free(&t);
        return;
    }
    /* comma groups → a sequence; flow when every element is simple.  A
     * group that is one string is a YAML string; any other group is DSL
     * text (plain when safe, else a literal block). */
    Buf *elems = malloc(sizeof *elems * (size_t)ngroups);
    bool *lone = malloc(sizeof *lone * (size_t)ngroups);
    if (!elems || !lone)
        abort();
    int n = 0;
    bool flow_ok = true;
    for (const AstWord *w = words; w;) {
        buf_init(&elems[n]);
        const AstWord *g = w;
        AstWord tmp;
        lone[n] = g->kind == W_STRING && (!g->next || g->next->comma_before);
        /* print one comma group */
        for (const AstWord *p = g; p && (p == g || !p->comma_before); p = p->next) {
            tmp = *p;
            tmp.next = NULL;
            tmp.comma_before = false;
            if (p != g)
                buf_putc(&elems[n], ' ');
            if (lone[n])
                yaml_double_quoted(&elems[n], tmp.text); /* a lone string stays a string */
            else
                fmt_words(&tmp, &elems[n]);
            w = p->next;
        }
        if (!lone[n] && !yaml_plain_ok(elems[n].data, true))
            flow_ok = false;
        n++;
    }
    if (flow_ok) {
        buf_puts(out, " [");
        for (int i = 0; i < n; i++)
            buf_printf(out, "%s%s", i ? ", " : "", elems[i].data);
        buf_putc(out, ']');
    } else {
        for (int i = 0; i < n; i++) {
            buf_putc(out, '\n');
            indent(out, depth + 1);
            buf_puts(out, "- ");
            if (lone[i])
                buf_puts(out, elems[i].data);
            else
                yaml_dsl_scalar(out, elems[i].data, depth + 1, false);
        }
    }
    for (int i = 0; i < n; i++)
        buf_free(&elems[i]);
    free(elems);
    free(lone);
}

static void yaml_key(Buf *out, const char *key, int depth)
{
    indent(out, depth);
    if (yaml_plain_ok(key, true))
        buf_puts(out, key);
    else
        yaml_double_quoted(out, key);
    buf_putc(out, ':');
}

static AbcStatus yaml_items(const AstItem *items, Buf *out, int depth, char *err, size_t errlen);

static AbcStatus yaml_block_body(const AstItem *it, Buf *out, int depth, char *err, size_t errlen)
{
    return yaml_items(it->items, out, depth, err, errlen);
}

static AbcStatus yaml_items(const AstItem *items, Buf *out, int depth, char *err, size_t errlen)
{
    for (const AstItem *it = items; it; it = it->next) {
        if (it->kind == I_WHERE) {
            yaml_key(out, "where", depth);
            Buf t;
            buf_init(&t);
            ir_cond_to_text(it->where, &t);
            buf_putc(out, ' ');
            yaml_dsl_scalar(out, t.data, depth, false);
            buf_free(&t);
            buf_putc(out, '\n');
        } else if (it->kind == I_SETTING) {
            yaml_key(out, it->key->text, depth);
            yaml_value(out, it->words, it->where, depth);
            buf_putc(out, '\n');
        } else if (it->kind == I_BLOCK) {
            if (it->words || it->where) {
                snprintf(err, errlen, "the block '%s' with arguments has no YAML form", it->key->text);
                return ABC_ERR_SPEC;
            }
            yaml_key(out, it->key->text, depth);
            buf_putc(out, '\n');
            AbcStatus st = yaml_block_body(it, out, depth + 1, err, errlen);
            if (st != ABC_OK)
                return st;
        } else {
            snprintf(err, errlen, "'%s' cannot appear inside a block", it->key->text);
            return ABC_ERR_SPEC;
        }
    }
    return ABC_OK;
}

static bool key_is(const AstItem *it, const char *k) { return strcmp(it->key->text, k) == 0; }

/* Group of a top-level item in the YAML layout, or NULL for a plain key. */
static const char *yaml_group(const AstItem *it)
{
    if (it->kind == I_SEGMENT)
        return "segments";
    if (it->kind == I_METRIC)
        return "metrics";
    if (it->kind == I_BLOCK && key_is(it, "source"))
        return "sources";
    if (it->kind == I_BLOCK && key_is(it, "assignment"))
        return "assignments";
    if (it->kind == I_BLOCK && key_is(it, "activity"))
        return "activities";
    return NULL;
}

static AbcStatus yaml_group_member(const AstItem *it, Buf *out, char *err, size_t errlen)
{
    if (it->kind == I_SEGMENT || it->kind == I_METRIC) {
        yaml_key(out, it->name->text, 1);
        Buf t;
        buf_init(&t);
        if (it->kind == I_SEGMENT) {
            fmt_words(it->words, &t);
        } else {
            fmt_call(it->call, &t);
            if (it->words) {
                buf_putc(&t, ' ');
                fmt_words(it->words, &t);
            }
            if (key_is(it, "guardrail"))
                buf_puts(&t, " guardrail");
        }
        buf_putc(out, ' ');
        yaml_dsl_scalar(out, t.data, 1, false);
        buf_free(&t);
        buf_putc(out, '\n');
        return ABC_OK;
    }
    const AstWord *name = it->words;
    if (key_is(it, "activity")) {
        yaml_key(out, name ? name->text : "activity", 1);
        if (name && name->next) {
            snprintf(err, errlen, "activity takes one name");
            return ABC_ERR_SPEC;
        }
    } else if (key_is(it, "assignment")) {
        if (!name || name->kind != W_STRING || name->next) {
            snprintf(err, errlen, "assignment needs one tracking key string");
            return ABC_ERR_SPEC;
        }
        indent(out, 1);
        yaml_double_quoted(out, name->text);
        buf_putc(out, ':');
    } else { /* source NAME "table" */
        if (!name || name->kind != W_IDENT || !name->next || name->next->kind != W_STRING ||
            name->next->next) {
            snprintf(err, errlen, "source needs a name and a table string");
            return ABC_ERR_SPEC;
        }
        yaml_key(out, name->text, 1);
        buf_putc(out, '\n');
        yaml_key(out, "table", 2);
        buf_putc(out, ' ');
        yaml_double_quoted(out, name->next->text);
    }
    if (it->where) {
        snprintf(err, errlen, "'%s' takes its filter inside the block", it->key->text);
        return ABC_ERR_SPEC;
    }
    buf_putc(out, '\n');
    return yaml_items(it->items, out, 2, err, errlen);
}

static bool is_experiments(const AstItem *it)
{
    return it->kind == I_SETTING && key_is(it, "experiments");
}

/* `experiments from ...;` together with `experiments keys ...;`: YAML has
 * one `experiments:` key, so the two become a mapping, printed where the
 * first of them stands, which the YAML front end maps back to the two
 * settings (in that order):
 *     experiments:
 *       from: growthbook tag "x"
 *       keys: ["a", "b"]
 * A spec with one experiments setting keeps `experiments: keys "a"`. */
static AbcStatus yaml_experiments(const AstItem *items, Buf *out, char *err, size_t errlen)
{
    bool seen_from = false, seen_keys = false;
    buf_puts(out, "experiments:\n");
    for (const AstItem *it = items; it; it = it->next) {
        if (!is_experiments(it))
            continue;
        const AstWord *w = it->words;
        bool from = w && w->kind == W_IDENT && strcmp(w->text, "from") == 0;
        bool keys = w && w->kind == W_IDENT && strcmp(w->text, "keys") == 0;
        if ((!from && !keys) || it->where || (from && seen_from) || (keys && seen_keys) ||
            (w->next && w->next->comma_before)) {
            snprintf(err, errlen, "the YAML form holds one 'experiments from ...' and one "
                                  "'experiments keys ...'");
            return ABC_ERR_SPEC;
        }
        seen_from |= from;
        seen_keys |= keys;
        yaml_key(out, w->text, 1);
        yaml_value(out, w->next, NULL, 1);
        buf_putc(out, '\n');
    }
    return ABC_OK;
}

AbcStatus fmt_yaml(const AstSpec *spec, Buf *out, char *err, size_t errlen)
{
    buf_printf(out, "tag: %s\n", spec->tag->text);
    const char *done[8];
    int ndone = 0;
    int nexperiments = 0;
    for (const AstItem *it = spec->items; it; it = it->next)
        nexperiments += is_experiments(it);
    bool experiments_done = false;
    for (const AstItem *it = spec->items; it; it = it->next) {
        if (nexperiments > 1 && is_experiments(it)) {
            if (!experiments_done) {
                AbcStatus st = yaml_experiments(it, out, err, errlen);
                if (st != ABC_OK)
                    return st;
                experiments_done = true;
            }
            continue;
        }
        const char *g = yaml_group(it);
        if (g) {
            bool seen = false;
            for (int i = 0; i < ndone; i++)
                seen |= strcmp(done[i], g) == 0;
            if (seen)
                continue;
            done[ndone++] = g;
            buf_printf(out, "%s:\n", g);
            for (const AstItem *m = it; m; m = m->next) {
                const char *mg = yaml_group(m);
                if (mg && strcmp(mg, g) == 0) {
                    AbcStatus st = yaml_group_member(m, out, err, errlen);
                    if (st != ABC_OK)
                        return st;
                }
            }
            continue;
        }
        if (it->kind == I_BLOCK && key_is(it, "exposure")) {
            buf_puts(out, "exposure:\n");
            if (it->words) {
                yaml_key(out, "source", 1);
                yaml_value(out, it->words, NULL, 1);
                buf_putc(out, '\n');
            }
            if (it->where) {
                Buf t;
                buf_init(&t);
                ir_cond_to_text(it->where, &t);
                yaml_key(out, "where", 1);
                buf_putc(out, ' ');
                yaml_dsl_scalar(out, t.data, 1, false);
                buf_free(&t);
                buf_putc(out, '\n');
            }
            AbcStatus st = yaml_items(it->items, out, 1, err, errlen);
            if (st != ABC_OK)
                return st;
            continue;
        }
        AstItem one = *it;
        one.next = NULL;
        AbcStatus st = yaml_items(&one, out, 0, err, errlen);
        if (st != ABC_OK)
            return st;
    }
    return ABC_OK;
}
