# A 10 MB spec on one line: a 10 MB string and a missing ';'.  The source
# line is too long to echo; the position is enough.
out=$1/t.ab
{
    printf 'tag t { module "'
    head -c 10485760 /dev/zero | tr '\0' 'x'
    printf '" }\n'
} >"$out"
