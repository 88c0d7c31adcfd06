/* cmd_compile.c — abc compile (being built). */
#include "abc/cli.h"

#include <stdio.h>

int cmd_compile(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("abc compile: not available in this build\n", stderr);
    return 2;
}
