/* cmd_check.c — abc check (being built). */
#include "abc/cli.h"

#include <stdio.h>

int cmd_check(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("abc check: not available in this build\n", stderr);
    return 2;
}
