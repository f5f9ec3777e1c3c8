/* The profile model: replay of maps, exec, fork and thread names, stack
 * resolution against this very test binary, and damaged files. */
#include <limits.h>
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <unistd.h>

#include "profile/format.h"
#include "profile/model.h"
#include "render/folded_profile.h"
#include "unit.h"

static char path[256], self[PATH_MAX];

__attribute__((noinline)) int model_target_function(int x)
{
	return x * 3 + 1;
}

/* vaddr of a function in this (PIE) binary; its PT_LOAD maps offset == vaddr. */
static uint64_t vaddr_of(void *fn)
{
	Dl_info info;
	struct link_map *lm;
	if (!dladdr1(fn, &info, (void **)&lm, RTLD_DL_LINKMAP))
		return 0;
	return (uint64_t)(uintptr_t)fn - lm->l_addr;
}

static const char *top_func(const struct profile *p, const struct prof_sample *s)
{
	const struct prof_rstack *rs = &p->rstacks.v[s->rstack];
	return prof_str(p, prof_frame_outer(p, &p->frames.v[rs->frame_first])->func);
}

static void write_file(bool finish)
{
	struct sd_writer *w = sd_writer_open(path);
	sd_write_meta(w, "event", "cpu-clock");
	struct sd_comm c = { .time = 1, .pid = 100, .tid = 100, .comm = "parent" };
	sd_write_comm(w, &c);
	struct sd_mmap m = { .time = 2, .pid = 100, .tid = 100, .start = 0x10000000, .len = 0x100000,
			     .pgoff = 0, .filename = self };
	sd_write_mmap(w, &m);
	uint64_t ip = 0x10000000 + vaddr_of((void *)model_target_function) + 2;
	uint64_t sid = sd_intern_stack(w, &ip, 1, 0, false);
	struct sd_sample s = { .time = 10, .pid = 100, .tid = 100, .period = 5, .stack_id = sid };
	sd_write_sample(w, &s);
	/* a thread of the parent, named later */
	struct sd_task t = { .time = 11, .pid = 100, .ppid = 100, .tid = 101, .ptid = 100 };
	sd_write_fork(w, &t);
	c = (struct sd_comm){ .time = 12, .pid = 100, .tid = 101, .comm = "worker" };
	sd_write_comm(w, &c);
	s.time = 13;
	s.tid = 101;
	sd_write_sample(w, &s);
	/* a child process: inherits maps and the name until it execs */
	t = (struct sd_task){ .time = 20, .pid = 200, .ppid = 100, .tid = 200, .ptid = 100 };
	sd_write_fork(w, &t);
	s = (struct sd_sample){ .time = 21, .pid = 200, .tid = 200, .period = 7, .stack_id = sid };
	sd_write_sample(w, &s);
	c = (struct sd_comm){ .time = 30, .pid = 200, .tid = 200, .exec = true, .comm = "child" };
	sd_write_comm(w, &c);
	s.time = 31;
	sd_write_sample(w, &s); /* after exec the old mapping is gone */
	/* written out of time order, as CPU buffers drain: applies by time */
	s = (struct sd_sample){ .time = 3, .pid = 100, .tid = 100, .period = 1, .stack_id = sid };
	sd_write_sample(w, &s);
	if (finish) {
		struct sd_finish f = { 40, 5, 0, 0 };
		sd_write_finish(w, &f);
	}
	sd_writer_close(w);
}

static void test_replay(void)
{
	write_file(true);
	struct profile *p = profile_load(path, NULL);
	CHECK(p);
	CHECK(p->finished);
	CHECK_INT(p->samples.n, 5);
	/* samples come out in time order */
	const struct prof_sample *s = p->samples.v;
	CHECK_INT(s[0].time, 3);
	CHECK_STR(top_func(p, &s[0]), "model_target_function");
	CHECK_STR(prof_str(p, s[1].comm), "parent");
	CHECK_STR(prof_str(p, s[2].comm), "worker");
	CHECK_STR(top_func(p, &s[2]), "model_target_function");
	CHECK_STR(prof_str(p, s[3].comm), "parent"); /* forked child, before exec */
	CHECK_STR(top_func(p, &s[3]), "model_target_function");
	CHECK_STR(prof_str(p, s[4].comm), "child");
	CHECK_STR(top_func(p, &s[4]), "[unknown]");
	CHECK_INT(p->total_period, 1 + 5 + 5 + 7 + 7);
	/* a CPU recording: the period is weight 0, in ns for cpu-clock; "samples" counts */
	CHECK_INT(p->weights.n, 1);
	CHECK_STR(profile_weight_name(p, 0), "period");
	CHECK_STR(profile_weight_unit(p, 0), "ns");
	CHECK_INT(profile_weight_find(p, "samples"), PROF_WEIGHT_SAMPLES);
	profile_free(p);
}

static void test_truncated(void)
{
	write_file(false);
	FILE *f = fopen(path, "r+");
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fclose(f);
	CHECK(truncate(path, len - 3) == 0);
	struct profile *p = profile_load(path, NULL);
	CHECK(p);
	CHECK(p->file_truncated);
	CHECK(!p->finished);
	CHECK_INT(p->samples.n, 4);
	profile_free(p);
}

/* Writes a recording of one sample of `pid` on `nr` frames (after the fork
 * record `fork`, if any) and loads it into *out (the caller frees it). */
static void one_sample(const struct sd_task *fork, const uint64_t *frames, uint32_t nr, uint32_t pid,
		       struct profile **out)
{
	struct sd_writer *w = sd_writer_open(path);
	sd_write_meta(w, "event", "cpu-clock");
	if (fork)
		sd_write_fork(w, fork);
	uint64_t sid = sd_intern_stack(w, frames, nr, 0, false);
	struct sd_sample s = { .time = 2, .pid = pid, .tid = pid, .period = 3, .stack_id = sid };
	sd_write_sample(w, &s);
	sd_writer_close(w);
	*out = profile_load(path, NULL);
	CHECK(*out);
	CHECK_INT((*out)->samples.n, 1);
}

/* A process forked from one whose maps were never seen (its parent started
 * before the recording, or the records were lost): the child starts with no
 * maps. Found by fuzz_profile: copying the parent's empty map list passed
 * memcpy a NULL source (undefined, UBSan stops the sanitizer build). */
static void test_fork_unmapped_parent(void)
{
	struct sd_task t = { .time = 1, .pid = 300, .ppid = 299, .tid = 300, .ptid = 299 };
	uint64_t ip = 0x10000000;
	struct profile *p;
	one_sample(&t, &ip, 1, 300, &p);
	if (p && p->samples.n == 1)
		CHECK_STR(top_func(p, &p->samples.v[0]), "[unknown]");
	profile_free(p);
}

/* A stack record with no frames, the only one (found by fuzz_profile:
 * appending its zero frames to the still empty frame array passed memcpy a
 * NULL pointer, and resolving its sample took an address in that NULL
 * array; gcc's UBSan sees the first, clang's both: the fuzz target replays
 * the input in tests/fuzz/regress/). Its sample loads with no frame. */
static void test_empty_stack(void)
{
	uint64_t none = 0;
	struct profile *p;
	one_sample(NULL, &none, 0, 400, &p);
	if (p && p->samples.n == 1)
		CHECK_INT(p->rstacks.v[p->samples.v[0].rstack].frame_n, 0);
	profile_free(p);
}

/* The builder API a reader uses, weight columns and their lookup, and
 * a folded rendering by a chosen weight. */
static void test_builder_weights(void)
{
	struct profile *p = profile_new();
	CHECK_INT(profile_add_weight(p, "allocations", "count"), 0);
	CHECK_INT(profile_add_weight(p, "leaked", "bytes"), 1);
	uint32_t mod = profile_add_module(p, "/usr/bin/app", false);
	CHECK_STR(prof_str(p, p->modules.v[mod].name), "app");
	struct prof_loc l = { 0 };
	l.func = intern(&p->strs, "main");
	l.module = mod;
	uint32_t main_loc = profile_intern_loc(p, &l);
	CHECK_INT(profile_intern_loc(p, &l), main_loc); /* interned */
	l.func = intern(&p->strs, "leaky");
	uint32_t leaf_loc = profile_intern_loc(p, &l);
	uint32_t n1 = profile_node_child(p, 0, main_loc), n2 = profile_node_child(p, n1, leaf_loc);
	CHECK_INT(profile_node_child(p, 0, main_loc), n1);
	CHECK_INT(p->nodes.v[n2].parent, n1);
	CHECK_INT(p->nodes.v[n2].depth, 2);
	/* a resolved stack: leaf first */
	vec_push(&p->frame_locs, leaf_loc);
	vec_push(&p->frame_locs, main_loc);
	struct prof_frame f1 = { 0x1000, 0, 1 }, f2 = { 0x2000, 1, 1 };
	vec_push(&p->frames, f1);
	vec_push(&p->frames, f2);
	struct prof_rstack rs = { 0, 2, n2, false };
	vec_push(&p->rstacks, rs);
	struct prof_sample s = { 0 };
	s.comm = intern(&p->strs, "app");
	int64_t v1[2] = { 3, 0 }, v2[2] = { 2, 64 };
	profile_add_sample(p, &s, v1);
	profile_add_sample(p, &s, v2);
	CHECK_INT(prof_value(p, 1, 1), 64);
	CHECK_INT(prof_value(p, 0, PROF_WEIGHT_SAMPLES), 1);
	CHECK_INT(p->total_period, 5);
	CHECK_INT(profile_weight_find(p, "leaked"), 1);
	CHECK_INT(profile_weight_find(p, "samples"), -1); /* only CPU data counts samples */
	CHECK_STR(profile_weight_unit(p, 1), "bytes");
	char list[64];
	profile_weight_list(p, list, sizeof(list));
	CHECK_STR(list, "allocations or leaked");
	struct folded_opts fo = { .weight = 1 };
	struct folded_set fs;
	folded_init(&fs);
	profile_to_folded(p, &fo, &fs);
	CHECK_INT(fs.v.n, 1); /* the sample without leaks is left out */
	CHECK_INT(fs.v.v[0].count, 64);
	CHECK(fs.v.v[0].len == strlen("app;main;leaky") && !memcmp(fs.v.v[0].stack, "app;main;leaky", fs.v.v[0].len));
	folded_free(&fs);
	profile_free(p);
}

int main(void)
{
	snprintf(path, sizeof(path), "/tmp/sonde-test-model-%d.data", (int)getpid());
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	RUN(test_replay);
	RUN(test_truncated);
	RUN(test_fork_unmapped_parent);
	RUN(test_empty_stack);
	RUN(test_builder_weights);
	unlink(path);
	UNIT_EXIT();
}
