/* cmd_plan.c — abc plan (being built). */
#include "abc/cli.h"

#include <stdio.h>

int cmd_plan(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("abc plan: not available in this build\n", stderr);
    return 2;
}
