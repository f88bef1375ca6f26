/*
 * Macros spatch 1.1.1 cannot parse on its own, given to it by
 * scripts/cocci-check.sh: a function it cannot parse is skipped, and with
 * it any legacy call inside.  Only their shape matters.
 */
#define scoped_guard(_name, args...) for (;;)
#define scoped_cond_guard(_name, _fail, args...) for (;;)
