/* cmd_power.c — abc power (being built). */
#include "abc/cli.h"

#include <stdio.h>

int cmd_power(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("abc power: not available in this build\n", stderr);
    return 2;
}
