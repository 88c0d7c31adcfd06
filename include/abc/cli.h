/* cli.h — the subcommands of the abc command line.
 *
 * Each cmd_* takes the arguments after the subcommand name (argv[0] is the
 * subcommand itself), prints its own --help, and returns the process exit
 * code of README "Exit codes": 0 ok, 1 spec/data error, 2 usage, 3 environment,
 * 4 health check failed.  None calls exit().
 */
#ifndef ABC_CLI_H
#define ABC_CLI_H

int cmd_check(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_power(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
