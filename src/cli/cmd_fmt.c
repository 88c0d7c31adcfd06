/* cmd_fmt.c — abc fmt (being built). */
#include "abc/cli.h"

#include <stdio.h>

int cmd_fmt(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("abc fmt: not available in this build\n", stderr);
    return 2;
}
