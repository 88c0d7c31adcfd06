/* cmd_run.c — abc run (being built). */
#include "abc/cli.h"

#include <stdio.h>

int cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("abc run: not available in this build\n", stderr);
    return 2;
}
