/* cmd_synth.c — abc synth (being built). */
#include "abc/cli.h"

#include <stdio.h>

int cmd_synth(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("abc synth: not available in this build\n", stderr);
    return 2;
}
