/* cmd_args.c — what the commands share when they read their arguments:
 * the nearest valid word for a mistyped command or option ("did you
 * mean"), the one message for an unknown option, and colour on a terminal
 * (never when NO_COLOR is set, TERM is dumb or the stream is not a tty). */
#include "abc/cli.h"

#include "abc/base.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int cli_edit_distance(const char *a, const char *b)
{
    return word_distance(a, b);
}

const char *cli_nearest(const char *word, const char *const *cands)
{
    return word_nearest(word, cands);
}

bool cli_color(FILE *f)
{
    return term_color(f);
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
