/* cmd_args.c — what the commands share when they read their arguments:
 * the nearest valid word for a mistyped command or option ("did you
 * mean"), the one message for an unknown option, and colour on a terminal
 * (never when NO_COLOR is set, TERM is dumb or the stream is not a tty). */
#include "abc/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int cli_edit_distance(const char *a, const char *b)
{
    /* optimal string alignment: insertions, deletions, substitutions and
     * transpositions of neighbours cost 1 (so "metirc" is 1 from "metric") */
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return 99;
    int d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

const char *cli_nearest(const char *word, const char *const *cands)
{
    /* an option given as --name=value is compared by its name */
    char w[80];
    snprintf(w, sizeof w, "%s", word);
    char *eq = strncmp(w, "--", 2) == 0 ? strchr(w, '=') : NULL;
    if (eq)
        *eq = '\0';
    size_t len = strlen(w);
    const char *best = NULL;
    int best_d = 99, ties = 0;
    for (size_t i = 0; cands[i]; i++) {
        int d = cli_edit_distance(w, cands[i]);
        /* a unique abbreviation counts as one edit away */
        if (d > 1 && len >= 4 && strncmp(cands[i], w, len) == 0)
            d = 1;
        if (d < best_d) {
            best = cands[i], best_d = d, ties = 0;
        } else if (d == best_d) {
            ties++;
        }
    }
    size_t core = len > 2 && w[0] == '-' && w[1] == '-' ? len - 2 : len;
    int limit = core <= 3 ? 1 : core <= 6 ? 2 : 3;
    if (!best || best_d == 0 || best_d > limit || ties)
        return NULL;
    return best;
}

bool cli_color(FILE *f)
{
    const char *no = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if (no && *no)
        return false;
    if (!term || !*term || strcmp(term, "dumb") == 0)
        return false;
    return isatty(fileno(f)) == 1;
}

const char *cli_sgr(FILE *f, CliColor c)
{
    static const char *const codes[] = {"\033[0m", "\033[1;31m", "\033[1;33m", "\033[1;32m",
                                        "\033[1m"};
    return cli_color(f) ? codes[c] : "";
}

static void prefix(const char *cmd)
{
    fprintf(stderr, "%sabc%s%s:%s ", cli_sgr(stderr, CLI_RED), *cmd ? " " : "", cmd,
            cli_sgr(stderr, CLI_RESET));
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    prefix(cmd);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_unknown_option(const char *cmd, const char *opt, const char *const *opts)
{
    const char *near = cli_nearest(opt, opts);
    if (near)
        cli_error(cmd, "unknown option '%s'; did you mean '%s'?", opt, near);
    else
        cli_error(cmd, "unknown option '%s'", opt);
    fprintf(stderr, "Try 'abc %s --help'.\n", cmd);
    return 2;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    prefix(cmd);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'abc %s --help'.\n", cmd);
    return 2;
}

/* diff -u old new, new content piped in; no shell involved. */
void cli_print_diff(const char *path, const char *rel, const char *data, size_t len, bool exists)
{
    fflush(stdout);
    int fds[2];
    if (pipe(fds) != 0)
        return;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return;
    }
    if (pid == 0) {
        dup2(fds[0], 0);
        close(fds[0]);
        close(fds[1]);
        char la[1100], lb[1100];
        const char *sep = rel[0] == '/' ? "" : "/";
        snprintf(la, sizeof la, "a%s%s", sep, rel);
        snprintf(lb, sizeof lb, "b%s%s", sep, rel);
        execlp("diff", "diff", "-u", "--label", la, "--label", lb, exists ? path : "/dev/null", "-",
               (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fds[1], data + done, len - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    close(fds[1]);
    int status;
    waitpid(pid, &status, 0);
}
