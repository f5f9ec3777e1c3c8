/* Folded stacks and `perf script` text as profile models: each frame name
 * an interned location, one unsigned weight "samples" (unit count), one
 * sample per distinct stack. Rendering the model back (render/
 * folded_profile.h) gives the text's names exactly. */
#ifndef SONDE_PROFILE_FOLDED_READER_H
#define SONDE_PROFILE_FOLDED_READER_H
#include <stdbool.h>

struct folded_set;
struct profile;

/* The model of a folded set ("a;b;c" -> count). Frame kinds come from
 * the annotations the flame tree reads: _[k] kernel, _[i] inlined, _[j]
 * JIT. Sets p->from_text: renderers add no command root. */
struct profile *profile_from_folded(const struct folded_set *s);

/* Reads a folded file or `perf script` text ('-' = stdin) into a model,
 * warning about skipped lines; dies when it cannot be read. *capped is
 * set when a count or the total reached 2^64 - 1 (may be NULL). */
struct profile *profile_read_folded(const char *path, bool *capped);
struct profile *profile_read_perf_script(const char *path, bool *capped);
/* Either, told apart by the first line that is not blank or a '#'
 * comment: folded text's ends in a count. */
struct profile *profile_read_text(const char *path, bool *capped);

#endif
