/* memcheck's findings in valgrind's XML output protocol 4, the format IDE
 * integrations read (valgrind's docs/internals/xml-output-protocol4.txt).
 * Every string is escaped: names come from untrusted binaries. */
#ifndef SONDE_MEMCHECK_XML_H
#define SONDE_MEMCHECK_XML_H
#include <stdint.h>

#include "memcheck/mc_model.h"
#include "memcheck/mc_opts.h"
#include "memcheck/mc_supp.h"
#include "util/strbuf.h"

/* The header up to the RUNNING status. elapsed_ms: time since start. */
void mc_xml_begin(struct strbuf *sb, const struct mc_result *r, uint64_t elapsed_ms);
/* One <error> (nothing for a suppressed one); `unique` numbers it (the
 * index of the error in r->errors, as mc_xml_finish counts them). */
void mc_xml_error(struct strbuf *sb, const struct mc_error *e, uint64_t unique,
		  const struct mc_opts *o);
/* The FINISHED status, the loss records as Leak_* errors, errorcounts,
 * suppcounts and the closing tag. */
void mc_xml_finish(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o,
		   const struct mc_supps *supps, uint64_t elapsed_ms);
/* Everything at once. */
void mc_xml_report(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o,
		   const struct mc_supps *supps, uint64_t elapsed_ms);

#endif
