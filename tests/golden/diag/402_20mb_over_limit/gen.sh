# A 20 MB spec is over the 16 MB limit: refused before parsing.
out=$1/t.ab
{
    printf 'tag t {\n'
    yes '  # filler: a comment line that is exactly sixty-four bytes long.' | head -n 327680
    printf '}\n'
} >"$out"
