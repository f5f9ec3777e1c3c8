/* memcheck's findings as valgrind 3.19 prints them: "==PID== " lines,
 * thousands separators, the same messages, summaries and hints, so people
 * and scripts that read valgrind's output read sonde's. Only the preamble
 * differs (sonde's own name and version). */
#ifndef SONDE_MEMCHECK_TEXT_H
#define SONDE_MEMCHECK_TEXT_H
#include <stdbool.h>
#include <stdint.h>

#include "memcheck/mc_model.h"
#include "memcheck/mc_opts.h"
#include "memcheck/mc_supp.h"
#include "util/strbuf.h"

/* 1234567 -> "1,234,567" (valgrind's %' in the C locale-independent way). */
const char *mc_commas(uint64_t v, char buf[32]);

/* An error's message ("Invalid read of size 4") and its address line
 * ("Address 0x.. is 4 bytes after a block of size 10 alloc'd"; false when
 * it has none), without prefix or newline; the XML writer shares them. */
void mc_error_what(struct strbuf *sb, const struct mc_error *e);
bool mc_error_address(struct strbuf *sb, const struct mc_error *e);
/* "in frame #1, created by main (x.c:5)" for a stack address (no prefix);
 * false when the error has no such line. */
bool mc_error_frame_line(struct strbuf *sb, const struct mc_error *e);

/* valgrind's words for what the kernel said about a fatal signal
 * ("Access not within mapped region"), NULL when there are none;
 * *has_addr: followed by " at address 0x..". */
const char *mc_fatal_event(int sig, const struct mc_fatal *f, bool *has_addr);

/* sonde's three preamble lines (valgrind's name/copyright/version lines). */
extern const char *const mc_preamble[3];

/* "Command: ARG..." as valgrind escapes the words (no prefix, no newline);
 * cachegrind's preamble shares it. */
void mc_text_command(struct strbuf *sb, char *const *argv, int argc);
/* valgrind's "Process terminating with default action of signal N" block
 * (its blank line first; nothing when valgrind would print none, as with
 * -q for a signal sent by a process); cachegrind's report shares it. */
void mc_text_fatal(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o);
/* The preamble: name, version, "Command: ...", then a blank line. */
void mc_text_preamble(struct strbuf *sb, const struct mc_result *r);
/* One error as valgrind prints it when it happens (a "Thread N:" line if
 * its thread is not *last_tid, message, stack, the block's description and
 * stacks, a blank line), then its suppression block with
 * --gen-suppressions. Nothing for a suppressed error. *last_tid: the
 * thread printed last, 1 before the first report. */
void mc_text_error(struct strbuf *sb, const struct mc_result *r, const struct mc_error *e,
		   const struct mc_opts *o, int *last_tid);
/* Everything after the program ended: the fatal signal, HEAP SUMMARY, loss
 * records, LEAK SUMMARY with its hints, ERROR SUMMARY and the -s lists.
 * supps (may be NULL) gives the used_suppression lines. Loss records must
 * be grouped and sorted already (mc_result_group_losses). */
void mc_text_finish(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o,
		    const struct mc_supps *supps, int *last_tid);
/* The report's start: valgrind's complaint about --exit-on-first-error
 * without --error-exitcode, the preamble (unless -q). */
void mc_text_head(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o);
/* The rest: every error (up to the first with --exit-on-first-error),
 * the finish. */
void mc_text_body(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o,
		  const struct mc_supps *supps);
/* The whole report: head and body. */
void mc_text_report(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o,
		    const struct mc_supps *supps);

struct mc_counts {
	uint64_t errors, contexts;        /* ERROR SUMMARY: E errors from C contexts */
	uint64_t supp_errors, supp_contexts;
};
/* valgrind's counting: each error context with its occurrences, plus each
 * loss record (one error) with --leak-check=full whose kind is in
 * --errors-for-leak-kinds. */
struct mc_counts mc_count_errors(const struct mc_result *r, const struct mc_opts *o);

/* The status valgrind exits with: killed by a signal -> *raise_signal is
 * set (valgrind re-raises it; the shell sees 128+N, which is returned),
 * else --error-exitcode when it is non-zero and errors were counted, else
 * the program's own exit code. */
int mc_exit_status(const struct mc_result *r, const struct mc_opts *o, int *raise_signal);

#endif
