/* cmd_report.c — abc report (being built). */
#include "abc/cli.h"

#include <stdio.h>

int cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("abc report: not available in this build\n", stderr);
    return 2;
}
