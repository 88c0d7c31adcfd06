/* main.c — the abc command line: dispatch to the subcommands of cli.h. */
#include "abc/cli.h"

#include <stdio.h>
#include <string.h>

typedef struct Command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} Command;

static const Command commands[] = {
    {"check", cmd_check, "parse and validate specs; diagnostics only"},
    {"fmt", cmd_fmt, "print specs in canonical form (-w rewrites, --to yaml|ab converts)"},
    {"compile", cmd_compile, "write StarRocks/MariaDB SQL and plan.json into generated/"},
    {"plan", cmd_plan, "show what a run would do for a spec and dates"},
    {"run", cmd_run, "resolve phases, fill tables, analyse, write reports"},
    {"stats", cmd_stats, "analyse sufficient statistics given as JSON"},
    {"power", cmd_power, "sample size and minimum detectable effect"},
    {"synth", cmd_synth, "write a seeded synthetic dataset with known effects"},
    {"report", cmd_report, "render stored results of a tag"},
};

static void usage(FILE *f)
{
    fputs("usage: abc <command> [options] [args]\n\ncommands:\n", f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs("  version  print the version\n\n"
          "'abc <command> --help' describes a command.\n"
          "exit codes: 0 ok, 1 spec or data error, 2 usage, 3 environment, 4 health check failed\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
            fputs("usage: abc version\n\nPrint the version of abc.\n\n"
                  "exit codes: 0 ok, 2 usage\n", stdout);
            return 0;
        }
        if (argc > 2) {
            fprintf(stderr, "abc version: unexpected argument '%s'\nTry 'abc version --help'.\n",
                    argv[2]);
            return 2;
        }
        printf("abc %s\n", ABC_VERSION);
        return 0;
    }
    const char *names[sizeof commands / sizeof commands[0] + 3];
    size_t n = 0;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
        names[n++] = commands[i].name;
    }
    names[n++] = "version";
    names[n++] = "help";
    names[n] = NULL;
    const char *near = cli_nearest(cmd, names);
    if (near)
        cli_error("", "'%s' is not an abc command; did you mean '%s'?", cmd, near);
    else
        cli_error("", "'%s' is not an abc command", cmd);
    fputs("Try 'abc --help' for the list of commands.\n", stderr);
    return 2;
}
