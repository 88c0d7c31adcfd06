/* cli.h — the subcommands of the abc command line.
 *
 * Each cmd_* takes the arguments after the subcommand name (argv[0] is the
 * subcommand itself), prints its own --help, and returns the process exit
 * code of README "Exit codes": 0 ok, 1 spec/data error, 2 usage, 3 environment,
 * 4 health check failed.  None calls exit().
 */
#ifndef ABC_CLI_H
#define ABC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

int cmd_check(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_power(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* ---- shared by the commands (cmd_args.c) ---- */

/* Edit distance with transpositions (optimal string alignment). */
int cli_edit_distance(const char *a, const char *b);
/* The one candidate (NULL-terminated list) close enough to word to be what
 * was meant — a typo or a unique abbreviation — or NULL.  An option
 * --name=value is compared by its name. */
const char *cli_nearest(const char *word, const char *const *cands);
/* Whether to colour f: a terminal, TERM set and not dumb, NO_COLOR unset. */
bool cli_color(FILE *f);
typedef enum CliColor { CLI_RESET, CLI_RED, CLI_YELLOW, CLI_GREEN, CLI_BOLD } CliColor;
/* The escape sequence for c on f, or "" when f is not coloured. */
const char *cli_sgr(FILE *f, CliColor c);
/* "abc CMD: message" on stderr, the prefix in red on a terminal. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An unknown option: the message, "did you mean" when one of opts is near,
 * and "Try 'abc CMD --help'."; returns 2 (usage). */
int cli_unknown_option(const char *cmd, const char *opt, const char *const *opts);
/* A usage error: the message and "Try 'abc CMD --help'."; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* On stdout: `diff -u` of the file at path (or /dev/null when !exists)
 * against data, labelled a/rel and b/rel; no shell involved. */
void cli_print_diff(const char *path, const char *rel, const char *data, size_t len, bool exists);

#endif
