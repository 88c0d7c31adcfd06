/* cmd_stats.c — abc stats (being built). */
#include "abc/cli.h"

#include <stdio.h>

int cmd_stats(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("abc stats: not available in this build\n", stderr);
    return 2;
}
