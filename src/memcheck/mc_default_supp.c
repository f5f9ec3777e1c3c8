/* The suppressions sonde applies unless --default-suppressions=no: blocks
 * the Rust standard library and glibc allocate once on purpose and never
 * free, so a clean program reports clean (valgrind ships its own
 * default.supp for the same reason). Still-reachable only: a lost block
 * is never the runtime's intent. */
#include "memcheck/mc_default_supp.h"

#include <string.h>

static const char k_default_supp[] =
	/* Rust std: the main thread's ThreadInfo for the stack-overflow
	 * handler, kept in a static BTreeMap until exit */
	"{\n"
	"   rust-std-stack-overflow-thread-info\n"
	"   Memcheck:Leak\n"
	"   match-leak-kinds: reachable\n"
	"   ...\n"
	"   fun:*stack_overflow*thread_info*\n"
	"}\n"
	/* Rust std: stdout's LineWriter buffer and the stdio handles */
	"{\n"
	"   rust-std-stdio-buffers\n"
	"   Memcheck:Leak\n"
	"   match-leak-kinds: reachable\n"
	"   ...\n"
	"   fun:*std*io*stdio*\n"
	"}\n"
	/* Rust std: the current thread's handle and name, set once */
	"{\n"
	"   rust-std-thread-current\n"
	"   Memcheck:Leak\n"
	"   match-leak-kinds: reachable\n"
	"   ...\n"
	"   fun:*std*thread*current*\n"
	"}\n"
	/* glibc: the dynamic loader's own tables for dlopen'd objects */
	"{\n"
	"   glibc-dl-open-tables\n"
	"   Memcheck:Leak\n"
	"   match-leak-kinds: reachable\n"
	"   ...\n"
	"   fun:_dl_open\n"
	"}\n"
	"{\n"
	"   glibc-dl-init-tls\n"
	"   Memcheck:Leak\n"
	"   match-leak-kinds: reachable\n"
	"   ...\n"
	"   fun:_dl_allocate_tls\n"
	"}\n";

int mc_default_supp_load(struct mc_supps *s, struct strbuf *err)
{
	return mc_supp_parse_text(s, k_default_supp, strlen(k_default_supp), "<sonde default suppressions>", err);
}
