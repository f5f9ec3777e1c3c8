/* The symbolizer: modules (an ELF file, its separate debug file, symbol
 * table, DWARF index) loaded lazily on first use, and a per-module cache of
 * resolved addresses. See docs/symbols.md for the search order. */
#include "binary/symbolizer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "binary/buildid_cache.h"
#include "binary/dwarf_lines.h"
#include "binary/elf_symbols.h"
#include "binary/kallsyms.h"
#include "binary/unwind.h"
#include "binary/vdso.h"
#include "util/die.h"
#include "util/hashmap.h"
#include "util/vec.h"

#define MAX_LOADS 32
#define NO_NAME UINT32_MAX

struct module {
	char *path;
	uint8_t bid[ELF_BUILD_ID_MAX]; /* as recorded */
	size_t bid_len;
	uint8_t disk_bid[ELF_BUILD_ID_MAX]; /* the file's at its path now */
	size_t disk_bid_len;
	uint32_t next_same; /* index+1 of another module with the same key hash */
	const char *name;
	const char *problem;
	bool loaded, found;
	enum sym_stale stale;
	Elf *elf, *dbg;
	int fd, dbg_fd;
	void *mem; /* ELF image held in memory ([vdso]) */
	Elf *dwarf_elf;
	struct dwarf_lines *dw;
	bool dw_tried;
	struct elf_symtab syms;
	uint32_t *sym_names; /* demangled name per symbol, NO_NAME until needed */
	struct u64map dw_names; /* libdw string pointer -> interned display name */
	struct elf_load loads[MAX_LOADS];
	size_t nloads;
	struct u64map cache[2]; /* [inline on] vaddr -> struct sym_result * */
	struct cfi_table *cfi;  /* names code without symbols by its FDE */
	bool cfi_tried;
};

struct symbolizer {
	VEC(struct module *) mods;
	struct u64map mod_index;
	struct interner strs;
	bool inline_on;
	bool fde_names;
	bool symbol_names;
	VEC(struct sym_result *) results;
	struct sym_result *unknown;
	VEC(char *) debug_roots;
	char *buildid_dir; /* sonde's build-id cache, or NULL */
	bool ksyms_loaded;
	bool ksyms_loading; /* a prefetch thread is filling ksyms */
	pthread_t ksyms_thread;
	struct kallsyms ksyms;
	struct u64map kcache;
};

static const char *istr(struct symbolizer *s, const char *str)
{
	return interned(&s->strs, intern(&s->strs, str));
}

static struct sym_result *new_result(struct symbolizer *s, uint32_t nr)
{
	struct sym_result *r = xcalloc(1, sizeof(*r) + nr * sizeof(struct sym_frame));
	r->nr = nr;
	r->frames = (const struct sym_frame *)(r + 1);
	vec_push(&s->results, r);
	return r;
}

static struct sym_frame *frames_of(struct sym_result *r)
{
	return (struct sym_frame *)(r + 1);
}

struct symbolizer *symbolizer_new(void)
{
	elf_version(EV_CURRENT);
	struct symbolizer *s = xcalloc(1, sizeof(*s));
	s->inline_on = true;
	s->unknown = new_result(s, 1);
	const char *env = getenv("SONDE_DEBUG_DIRS");
	if (env) {
		const char *p = env;
		while (*p) {
			size_t n = strcspn(p, ":");
			if (n)
				vec_push(&s->debug_roots, xstrndup(p, n));
			p += n;
			if (*p == ':')
				p++;
		}
	}
	vec_push(&s->debug_roots, xstrdup("/usr/lib/debug"));
	s->buildid_dir = buildid_cache_dir();
	return s;
}

static void module_free(struct module *m)
{
	dwarf_lines_free(m->dw);
	elf_close_file(m->elf, m->fd);
	elf_close_file(m->dbg, m->dbg_fd);
	free(m->mem);
	elf_symtab_free(&m->syms);
	free(m->sym_names);
	u64map_free(&m->dw_names);
	u64map_free(&m->cache[0]);
	u64map_free(&m->cache[1]);
	if (m->cfi)
		cfi_table_free(m->cfi);
	free(m->path);
	free(m);
}

void symbolizer_free(struct symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->mods.n; i++)
		module_free(s->mods.v[i]);
	vec_free(&s->mods);
	u64map_free(&s->mod_index);
	for (size_t i = 0; i < s->results.n; i++)
		free(s->results.v[i]);
	vec_free(&s->results);
	for (size_t i = 0; i < s->debug_roots.n; i++)
		free(s->debug_roots.v[i]);
	vec_free(&s->debug_roots);
	free(s->buildid_dir);
	if (s->ksyms_loading)
		pthread_join(s->ksyms_thread, NULL);
	kallsyms_free(&s->ksyms);
	u64map_free(&s->kcache);
	interner_free(&s->strs);
	free(s);
}

void symbolizer_set_inline(struct symbolizer *s, bool on)
{
	s->inline_on = on;
}

void symbolizer_set_fde_names(struct symbolizer *s, bool on)
{
	s->fde_names = on;
}

void symbolizer_set_symbol_names(struct symbolizer *s, bool on)
{
	s->symbol_names = on;
}

/* ---- modules ---------------------------------------------------------- */

static uint64_t module_key(const char *path, const uint8_t *bid, size_t bid_len)
{
	return hash_bytes(path, strlen(path)) ^ (hash_bytes(bid, bid_len) * 31 + bid_len);
}

/* "libc.so.6" from "/usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)". */
static char *strip_deleted(const char *path)
{
	size_t n = strlen(path);
	static const char suffix[] = " (deleted)";
	if (n > sizeof(suffix) - 1 && !strcmp(path + n - (sizeof(suffix) - 1), suffix))
		n -= sizeof(suffix) - 1;
	return xstrndup(path, n);
}

int symbolizer_module(struct symbolizer *s, const char *path, const uint8_t *build_id, size_t build_id_len)
{
	if (!path)
		path = "";
	if (!build_id || !build_id_len) {
		build_id = (const uint8_t *)"";
		build_id_len = 0;
	}
	if (build_id_len > ELF_BUILD_ID_MAX)
		build_id_len = ELF_BUILD_ID_MAX;
	uint64_t key = module_key(path, build_id, build_id_len);
	bool inserted;
	uint64_t *head = u64map_upsert(&s->mod_index, key, 0, &inserted);
	for (uint64_t i = *head; i; i = s->mods.v[i - 1]->next_same) {
		struct module *m = s->mods.v[i - 1];
		if (!strcmp(m->path, path) && m->bid_len == build_id_len && !memcmp(m->bid, build_id, build_id_len))
			return (int)(i - 1);
	}
	struct module *m = xcalloc(1, sizeof(*m));
	m->path = xstrdup(path);
	memcpy(m->bid, build_id, build_id_len);
	m->bid_len = build_id_len;
	m->fd = m->dbg_fd = -1;
	m->next_same = (uint32_t)*head;
	if (path[0] == '[' || !strchr(path, '/')) {
		m->name = istr(s, path);
	} else {
		char *p = strip_deleted(path);
		m->name = istr(s, strrchr(p, '/') + 1);
		free(p);
	}
	vec_push(&s->mods, m);
	*head = s->mods.n; /* u64map pointers are valid until the next insert: none since */
	return (int)(s->mods.n - 1);
}

static bool has_debug_info(Elf *elf)
{
	return elf_has_section_data(elf, ".debug_info") || elf_has_section_data(elf, ".zdebug_info");
}

static bool has_symtab(Elf *elf)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB && sh.sh_size > 0)
			return true;
	}
	return false;
}

/* Opens a candidate debug file; it must carry the wanted build-id (when
 * both are known) and something useful (symbols or DWARF). */
static Elf *open_debug(const char *path, const uint8_t *bid, size_t bid_len, int *fd)
{
	Elf *e = elf_open_file(path, fd);
	if (!e)
		return NULL;
	uint8_t got[ELF_BUILD_ID_MAX];
	size_t got_len = elf_build_id(e, got, sizeof(got));
	if ((bid_len && got_len && !buildid_equal(got, got_len, bid, bid_len)) || (!has_symtab(e) && !has_debug_info(e))) {
		elf_close_file(e, *fd);
		*fd = -1;
		return NULL;
	}
	return e;
}

static bool file_crc32(const char *path, uint32_t *crc)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	uLong c = crc32(0L, Z_NULL, 0);
	static unsigned char buf[1 << 16];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		c = crc32(c, buf, (uInt)n);
	close(fd);
	if (n < 0)
		return false;
	*crc = (uint32_t)c;
	return true;
}

static Elf *find_debug_by_build_id(struct symbolizer *s, const uint8_t *bid, size_t bid_len, int *fd)
{
	if (bid_len < 2)
		return NULL;
	char hex[2 * ELF_BUILD_ID_MAX + 1];
	for (size_t i = 0; i < bid_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", bid[i]);
	for (size_t r = 0; r < s->debug_roots.n; r++) {
		char *p = xasprintf("%s/.build-id/%.2s/%s.debug", s->debug_roots.v[r], hex, hex + 2);
		Elf *e = open_debug(p, bid, bid_len, fd);
		free(p);
		if (e)
			return e;
	}
	return NULL;
}

static Elf *find_debug_by_link(struct symbolizer *s, Elf *main_elf, const char *path, const uint8_t *bid,
			       size_t bid_len, int *fd)
{
	char name[256];
	uint32_t want_crc;
	if (!elf_debuglink(main_elf, name, sizeof(name), &want_crc))
		return NULL;
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	else
		strcpy(dir, ".");
	VEC(char *) cands = { 0 };
	vec_push(&cands, xasprintf("%s/%s", dir, name));
	vec_push(&cands, xasprintf("%s/.debug/%s", dir, name));
	for (size_t r = 0; r < s->debug_roots.n; r++)
		vec_push(&cands, xasprintf("%s%s%s/%s", s->debug_roots.v[r], dir[0] == '/' ? "" : "/", dir, name));
	Elf *found = NULL;
	struct stat self;
	bool have_self = stat(path, &self) == 0;
	for (size_t i = 0; i < cands.n && !found; i++) {
		struct stat st;
		if (stat(cands.v[i], &st) != 0)
			continue;
		if (have_self && st.st_dev == self.st_dev && st.st_ino == self.st_ino)
			continue; /* the debuglink names the file itself */
		uint32_t crc;
		if (!file_crc32(cands.v[i], &crc) || crc != want_crc)
			continue;
		found = open_debug(cands.v[i], bid, bid_len, fd);
	}
	for (size_t i = 0; i < cands.n; i++)
		free(cands.v[i]);
	vec_free(&cands);
	free(dir);
	return found;
}

/* The vdso is the same for every process on this kernel: read our own. */
static Elf *open_own_vdso(struct module *m)
{
	const void *start;
	size_t len;
	if (!own_vdso(&start, &len))
		return NULL;
	m->mem = xmalloc(len);
	memcpy(m->mem, start, len);
	Elf *e = elf_memory(m->mem, len);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		if (e)
			elf_end(e);
		free(m->mem);
		m->mem = NULL;
		return NULL;
	}
	return e;
}

static void module_load(struct symbolizer *s, struct module *m)
{
	m->loaded = true;
	char *path = strip_deleted(m->path);
	int err = 0;
	if (!strcmp(path, "[vdso]")) {
		m->elf = open_own_vdso(m);
		if (!m->elf)
			err = ENOENT;
	} else if (path[0] == '/') {
		errno = 0;
		m->elf = elf_open_file(path, &m->fd);
		if (!m->elf)
			err = errno ? errno : ENOENT;
	} else {
		err = ENOENT;
	}

	/* A file without the recorded build-id (or without any, now) is
	 * another build: its addresses would name the wrong functions. */
	bool mismatch = false;
	m->disk_bid_len = m->elf ? elf_build_id(m->elf, m->disk_bid, sizeof(m->disk_bid)) : 0;
	if (m->elf && m->bid_len && !buildid_equal(m->disk_bid, m->disk_bid_len, m->bid, m->bid_len)) {
		mismatch = true;
		elf_close_file(m->elf, m->fd);
		m->elf = NULL;
		m->fd = -1;
	}
	/* Rebuilt or gone: the copy the recorder put in the build-id cache. */
	if (!m->elf && m->bid_len)
		m->elf = buildid_cache_open(s->buildid_dir, m->bid, m->bid_len, &m->fd);
	const uint8_t *want = m->bid_len ? m->bid : m->disk_bid;
	size_t want_len = m->bid_len ? m->bid_len : m->disk_bid_len;

	if (!m->elf || !has_symtab(m->elf) || !has_debug_info(m->elf)) {
		m->dbg = find_debug_by_build_id(s, want, want_len, &m->dbg_fd);
		if (!m->dbg && m->elf && path[0] == '/')
			m->dbg = find_debug_by_link(s, m->elf, path, want, want_len, &m->dbg_fd);
	}
	free(path);

	m->found = m->elf || m->dbg;
	if (!m->found && m->bid_len && (mismatch || err == ENOEXEC))
		m->stale = SYM_STALE_CHANGED;
	else if (!m->found && m->bid_len && err == ENOENT)
		m->stale = SYM_STALE_GONE;
	if (!m->found) {
		if (mismatch)
			m->problem =
				"build-id mismatch: the file changed since recording and is not in the build-id cache";
		else if (err == ENOENT)
			m->problem = "no such file";
		else if (err == ENOEXEC || err == 0)
			m->problem = "not an ELF file";
		else
			m->problem = istr(s, strerror(err));
		return;
	}
	/* Symbols: the debug file's full .symtab first, then the file's own. */
	if (m->dbg)
		elf_symtab_add(&m->syms, m->dbg);
	if (m->elf)
		elf_symtab_add(&m->syms, m->elf);
	elf_symtab_finish(&m->syms);
	if (m->syms.n) {
		m->sym_names = xmalloc(m->syms.n * sizeof(*m->sym_names));
		memset(m->sym_names, 0xff, m->syms.n * sizeof(*m->sym_names));
	}
	/* Program headers survive objcopy --only-keep-debug, so the debug file
	 * serves when the file itself is gone or was replaced. */
	m->nloads = elf_loads(m->elf ? m->elf : m->dbg, m->loads, MAX_LOADS);
	if (!m->nloads && m->elf && m->dbg)
		m->nloads = elf_loads(m->dbg, m->loads, MAX_LOADS);
	if (m->elf && has_debug_info(m->elf))
		m->dwarf_elf = m->elf;
	else if (m->dbg && has_debug_info(m->dbg))
		m->dwarf_elf = m->dbg;
	if (!m->syms.n && !m->dwarf_elf)
		m->problem = "no symbols: stripped, and no debug file found";
}

static struct module *get_module(struct symbolizer *s, int module)
{
	if (module < 0 || (size_t)module >= s->mods.n)
		return NULL;
	struct module *m = s->mods.v[module];
	if (!m->loaded)
		module_load(s, m);
	return m;
}

bool symbolizer_offset_to_vaddr(struct symbolizer *s, int module, uint64_t file_offset, uint64_t *vaddr)
{
	struct module *m = get_module(s, module);
	return m && elf_loads_offset_to_vaddr(m->loads, m->nloads, file_offset, vaddr);
}

const char *symbolizer_module_name(struct symbolizer *s, int module)
{
	if (module < 0 || (size_t)module >= s->mods.n)
		return NULL;
	return s->mods.v[module]->name;
}

bool symbolizer_module_found(struct symbolizer *s, int module)
{
	struct module *m = get_module(s, module);
	return m && m->found;
}

const char *symbolizer_module_problem(struct symbolizer *s, int module)
{
	struct module *m = get_module(s, module);
	return m ? m->problem : "no such module";
}

enum sym_stale symbolizer_module_stale(struct symbolizer *s, int module)
{
	struct module *m = get_module(s, module);
	return m ? m->stale : SYM_NOT_STALE;
}

void symbolizer_stale_message(struct symbolizer *s, int module, const char *effect, char *buf, size_t n)
{
	struct module *m = get_module(s, module);
	if (!m || m->stale == SYM_NOT_STALE) {
		snprintf(buf, n, "%s", m ? m->path : "?");
		return;
	}
	char recorded[2 * ELF_BUILD_ID_MAX + 1], now[2 * ELF_BUILD_ID_MAX + 1];
	buildid_hex(m->bid, m->bid_len, recorded);
	buildid_hex(m->disk_bid, m->disk_bid_len, now);
	if (m->stale == SYM_STALE_GONE)
		snprintf(buf, n, "%s is gone since the recording (build-id %s) and is not in the build-id cache: %s; "
			 "record again to name them", m->path, recorded, effect);
	else
		snprintf(buf, n, "%s changed since the recording (build-id %s recorded, %.12s%s now) and is not in the "
			 "build-id cache: %s; record again to name them", m->path, recorded, now[0] ? now : "none",
			 now[0] ? "..." : "", effect);
}

/* ---- lookups ---------------------------------------------------------- */

/* Display name for a mangled or plain name: demangled if it demangles. */
static const char *display_name(struct symbolizer *s, const char *raw)
{
	size_t n = strlen(raw);
	if (n > 4 && !strcmp(raw + n - 4, "@plt")) {
		char *base = xstrndup(raw, n - 4);
		char *d = sonde_demangle(base);
		char *full = xasprintf("%s@plt", d ? d : base);
		const char *r = istr(s, full);
		free(full);
		free(d);
		free(base);
		return r;
	}
	char *d = sonde_demangle(raw);
	if (!d)
		return istr(s, raw);
	const char *r = istr(s, d);
	free(d);
	return r;
}

static const char *elf_sym_display(struct symbolizer *s, struct module *m, const struct elf_sym *es)
{
	size_t i = (size_t)(es - m->syms.syms);
	if (m->sym_names[i] == NO_NAME) {
		const char *n = display_name(s, elf_sym_name(&m->syms, es));
		m->sym_names[i] = intern(&s->strs, n);
	}
	return interned(&s->strs, m->sym_names[i]);
}

/* The name of a DWARF function: its linkage name demangled (full Rust and
 * C++ paths), else DW_AT_name. Cached by libdw's string pointer. */
static const char *dwarf_display(struct symbolizer *s, struct module *m, const struct dwarf_raw_frame *f)
{
	const char *key = f->linkage ? f->linkage : f->name;
	if (!key)
		return NULL;
	uint64_t *slot = u64map_get(&m->dw_names, (uint64_t)(uintptr_t)key);
	if (slot)
		return interned(&s->strs, (uint32_t)*slot);
	const char *out = NULL;
	if (f->linkage) {
		char *d = sonde_demangle(f->linkage);
		if (d) {
			out = istr(s, d);
			free(d);
		}
	}
	if (!out)
		out = istr(s, f->name ? f->name : f->linkage);
	*u64map_upsert(&m->dw_names, (uint64_t)(uintptr_t)key, 0, NULL) = intern(&s->strs, out);
	return out;
}

/* Code no symbol covers (a stripped binary): the function the .eh_frame
 * FDE holding vaddr describes, named by module and start ("rg+0x4a2b10"),
 * so its samples make one row rather than joining every other unknown.
 * The CFI comes from the file m->elf was opened from (m->fd: the recorded
 * build itself, or its copy in the build-id cache), never from a path
 * that may hold another build by now. */
static const struct sym_result *fde_named(struct symbolizer *s, struct module *m, uint64_t vaddr)
{
	if (!s->fde_names || !m->elf || m->fd < 0)
		return s->unknown;
	if (!m->cfi_tried) {
		m->cfi_tried = true;
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", m->fd);
		m->cfi = cfi_table_load(path);
	}
	uint64_t start, end;
	if (!m->cfi || !cfi_table_fde_range(m->cfi, vaddr, &start, &end))
		return s->unknown;
	char name[512];
	snprintf(name, sizeof(name), "%s+%#llx", m->name, (unsigned long long)start);
	struct sym_result *r = new_result(s, 1);
	frames_of(r)[0].func = istr(s, name);
	r->sym_offset = vaddr - start;
	return r;
}

static const struct sym_result *resolve(struct symbolizer *s, struct module *m, uint64_t vaddr, bool with_dwarf)
{
	const struct elf_sym *es = elf_symtab_find(&m->syms, vaddr);
	if (with_dwarf && m->dwarf_elf) {
		if (!m->dw_tried) {
			m->dw_tried = true;
			m->dw = dwarf_lines_new(m->dwarf_elf);
		}
		struct dwarf_raw_frame raw[DWARF_MAX_INLINE + 1];
		uint64_t lo;
		int n = m->dw ? dwarf_lines_lookup(m->dw, vaddr, raw, DWARF_MAX_INLINE + 1, &lo) : 0;
		if (n > 0) {
			struct sym_result *r = new_result(s, (uint32_t)n);
			struct sym_frame *f = frames_of(r);
			for (int i = 0; i < n; i++) {
				f[i].func = dwarf_display(s, m, &raw[i]);
				f[i].file = raw[i].file ? istr(s, raw[i].file) : NULL;
				f[i].line = raw[i].line;
				f[i].comp_dir = raw[i].comp_dir ? istr(s, raw[i].comp_dir) : NULL;
				f[i].inlined = i < n - 1;
			}
			/* a symbol that starts inside the function (a clone's, a
			 * .cold part's) names the part the address is in */
			if (es && (!f[n - 1].func || (s->symbol_names && es->start >= lo)))
				f[n - 1].func = elf_sym_display(s, m, es);
			r->sym_offset = es ? vaddr - es->start : vaddr - lo;
			return r;
		}
	}
	if (!es)
		return fde_named(s, m, vaddr);
	struct sym_result *r = new_result(s, 1);
	frames_of(r)[0].func = elf_sym_display(s, m, es);
	r->sym_offset = vaddr - es->start;
	return r;
}

static const struct sym_result *lookup(struct symbolizer *s, int module, uint64_t vaddr, bool with_dwarf)
{
	struct module *m = get_module(s, module);
	if (!m || !m->found)
		return s->unknown;
	struct u64map *cache = &m->cache[with_dwarf];
	uint64_t *slot = u64map_get(cache, vaddr);
	if (slot)
		return (const struct sym_result *)(uintptr_t)*slot;
	const struct sym_result *r = resolve(s, m, vaddr, with_dwarf);
	*u64map_upsert(cache, vaddr, 0, NULL) = (uint64_t)(uintptr_t)r;
	return r;
}

const struct sym_result *symbolizer_lookup(struct symbolizer *s, int module, uint64_t vaddr)
{
	return lookup(s, module, vaddr, s->inline_on);
}

const struct sym_result *symbolizer_lookup_name(struct symbolizer *s, int module, uint64_t vaddr)
{
	return lookup(s, module, vaddr, false);
}

/* ---- kernel ----------------------------------------------------------- */

static void *kallsyms_thread(void *arg)
{
	struct symbolizer *s = arg;
	const char *path = getenv("SONDE_KALLSYMS");
	kallsyms_load(&s->ksyms, path && *path ? path : "/proc/kallsyms");
	return NULL;
}

void symbolizer_prefetch_kernel(struct symbolizer *s)
{
	if (s->ksyms_loaded || s->ksyms_loading)
		return;
	/* Reading /proc/kallsyms costs tens of milliseconds of kernel time:
	 * overlap it with the user-space work. */
	if (pthread_create(&s->ksyms_thread, NULL, kallsyms_thread, s) == 0)
		s->ksyms_loading = true;
}

static void load_kernel(struct symbolizer *s)
{
	if (s->ksyms_loaded)
		return;
	s->ksyms_loaded = true;
	if (s->ksyms_loading) {
		pthread_join(s->ksyms_thread, NULL);
		s->ksyms_loading = false;
		return;
	}
	kallsyms_thread(s);
}

bool symbolizer_kernel_available(struct symbolizer *s)
{
	load_kernel(s);
	return s->ksyms.visible && s->ksyms.n > 0;
}

const struct sym_result *symbolizer_kernel(struct symbolizer *s, uint64_t addr)
{
	if (!symbolizer_kernel_available(s))
		return NULL;
	uint64_t *slot = u64map_get(&s->kcache, addr);
	if (slot)
		return (const struct sym_result *)(uintptr_t)*slot;
	const struct ksym *k = kallsyms_find(&s->ksyms, addr);
	const struct sym_result *res = s->unknown;
	if (k) {
		struct sym_result *r = new_result(s, 1);
		struct sym_frame *f = frames_of(r);
		f[0].func = istr(s, s->ksyms.names + k->name);
		/* Module symbols carry their module ("[ext4]") where a file would be. */
		f[0].file = k->module != UINT32_MAX ? istr(s, s->ksyms.names + k->module) : NULL;
		r->sym_offset = addr - k->start;
		res = r;
	}
	*u64map_upsert(&s->kcache, addr, 0, NULL) = (uint64_t)(uintptr_t)res;
	return res;
}
