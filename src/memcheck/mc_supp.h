/* valgrind suppression files: parsing (with valgrind's complaints and
 * line numbers), matching loss records and errors, and writing the blocks
 * --gen-suppressions prints. */
#ifndef SONDE_MEMCHECK_SUPP_H
#define SONDE_MEMCHECK_SUPP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memcheck/mc_model.h"
#include "util/strbuf.h"
#include "util/vec.h"

enum mc_supp_kind {
	MC_SK_LEAK, MC_SK_FREE, MC_SK_ADDR, MC_SK_OVERLAP, MC_SK_FISHY, MC_SK_PARAM,
	MC_SK_VALUE, MC_SK_COND, MC_SK_JUMP, MC_SK_USER, MC_SK_MEMPOOL,
	MC_SK_REALLOC_ZERO, MC_SK_BAD_ALIGN,
};

enum mc_supp_loc { MC_LOC_FUN, MC_LOC_OBJ, MC_LOC_SRC, MC_LOC_DOTS };

struct mc_supp_frame {
	enum mc_supp_loc type;
	char *pattern;   /* '*' and '?' wildcards; NULL for "..." */
	unsigned line;   /* src:FILE:LINE; 0: any line */
};

struct mc_supp {
	char *name;
	const char *file;   /* as given to the parser (owned by the set) */
	unsigned line;      /* of the name, as valgrind reports it */
	enum mc_supp_kind kind;
	unsigned size;      /* MC_SK_ADDR / MC_SK_VALUE: the access size */
	unsigned leak_kinds; /* MC_SK_LEAK: MC_KIND_BIT set (match-leak-kinds:, default all) */
	char *extra;        /* Param / FishyValue: the extra line */
	VEC(struct mc_supp_frame) frames;
	/* use, for -s and the XML suppcounts */
	uint64_t count;
	uint64_t leak_bytes, leak_blocks;
};

struct mc_supps {
	VEC(struct mc_supp) v;   /* in load order; the last loaded is tried first */
	VEC(char *) files;
};

void mc_supps_free(struct mc_supps *s);

/* Parses suppression text (any bytes) named `name` in messages. Returns 0,
 * or -1 with valgrind's message lines in err (without the ==PID== prefix):
 * 'FATAL: in suppressions file "NAME" near line N:', '   WHY',
 * 'exiting now.'. Suppressions for other tools are skipped. */
int mc_supp_parse_text(struct mc_supps *s, const char *text, size_t len, const char *name,
		       struct strbuf *err);
/* Reads and parses a file ('FATAL: can't open suppressions file "F"'). */
int mc_supp_load_file(struct mc_supps *s, const char *path, struct strbuf *err);

/* The suppression matching a loss record / an error (stacks cut as they
 * are shown: --num-callers, at main), or NULL. */
struct mc_supp *mc_supp_find_loss(struct mc_supps *s, const struct mc_loss *l, unsigned num_callers);
struct mc_supp *mc_supp_find_error(struct mc_supps *s, const struct mc_error *e, unsigned num_callers);

/* Marks every loss record and error a suppression matches (suppressed,
 * supp_name) and counts the uses. */
void mc_supp_apply(struct mc_supps *s, struct mc_result *r, unsigned num_callers);

/* valgrind's pattern match (VG_(string_match)): '*' any run, '?' one
 * character, '\' quotes the next (a trailing one matches nothing); the
 * whole string must match. Suppressions and --trace-children-skip use it. */
bool mc_supp_glob(const char *pattern, const char *str);

/* The "Memcheck:KIND" of an error ("Memcheck:Addr4"), into buf. */
const char *mc_supp_error_kind(const struct mc_error *e, char *buf, size_t n);
/* One frame as a suppression location: "fun:NAME", "obj:PATH" or "obj:*". */
void mc_supp_frame_line(struct strbuf *sb, const struct mc_frame *f);

/* The --gen-suppressions block for a loss record / an error, as valgrind
 * prints it (no ==PID== prefix, ending in "}\n"). */
void mc_supp_gen_loss(struct strbuf *sb, const struct mc_loss *l, unsigned num_callers);
void mc_supp_gen_error(struct strbuf *sb, const struct mc_error *e, unsigned num_callers);

#endif
