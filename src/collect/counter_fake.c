/* The fake counter source of tests (collect/counter_source.h): counts,
 * multiplexing and refusals read from a file, for a machine without a PMU. */
#include "collect/counter_source.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/events.h"
#include "util/die.h"
#include "util/vec.h"

struct fake_event {
	uint32_t type;
	uint64_t config;
	int err; /* 0: counted */
	uint64_t v[3];
};

static VEC(struct fake_event) fakes;
static int fake_pmu = -1; /* -1: ask perf */

/* Fake handles sit far above real descriptors, so both kinds can mix. */
#define FAKE_BASE (1 << 28)

static int fake_open(struct perf_event_attr *attr, pid_t pid)
{
	for (size_t i = 0; i < fakes.n; i++) {
		const struct fake_event *f = &fakes.v[i];
		if (f->type != attr->type || f->config != attr->config)
			continue;
		if (f->err) {
			errno = f->err;
			return -1;
		}
		return FAKE_BASE + (int)i;
	}
	return counter_source_perf.open(attr, pid);
}

static int fake_read(int h, uint64_t v[3])
{
	if (h < FAKE_BASE)
		return counter_source_perf.read(h, v);
	memcpy(v, fakes.v[h - FAKE_BASE].v, sizeof(fakes.v[0].v));
	return 0;
}

static void fake_close(int h)
{
	if (h < FAKE_BASE)
		counter_source_perf.close(h);
}

static bool fake_has_pmu(void) { return fake_pmu < 0 ? counter_source_perf.has_pmu() : fake_pmu; }

static const struct counter_source fake_source = { fake_open, fake_read, fake_close, fake_has_pmu };

static bool parse_line(char *line)
{
	char name[64], word[32];
	uint64_t en = 1000000, run = 1000000, count;
	int n = sscanf(line, "%63s %31s", name, word);
	if (n <= 0 || name[0] == '#')
		return true;
	if (n < 2)
		return false;
	if (!strcmp(name, "pmu")) {
		fake_pmu = !strcmp(word, "yes");
		return fake_pmu || !strcmp(word, "no");
	}
	struct event_spec ev;
	unsigned type;
	unsigned long long config;
	char end;
	/* TYPE:CONFIG as perf_event_attr has them, to check which attr a name gets */
	if (sscanf(name, "%u:%lli%c", &type, &config, &end) == 2) {
		ev.type = type;
		ev.config = config;
	} else if (event_parse(name, &ev) < 0) {
		return false;
	}
	struct fake_event f = { .type = ev.type, .config = ev.config };
	int e;
	if (!strcmp(word, "unsupported")) {
		f.err = ENOENT;
	} else if (sscanf(line, "%*s error %d", &e) == 1 && e > 0) {
		f.err = e;
	} else {
		n = sscanf(line, "%*s %" SCNu64 " %" SCNu64 " %" SCNu64, &count, &en, &run);
		if (n != 1 && n != 3)
			return false;
		f.v[0] = count;
		f.v[1] = en;
		f.v[2] = run;
	}
	vec_push(&fakes, f);
	return true;
}

const struct counter_source *counter_fake_load(const char *path)
{
	FILE *fp = fopen(path, "re");
	if (!fp) {
		error("%s=%s: %s", COUNTER_FAKE_ENV, path, strerror(errno));
		return NULL;
	}
	char line[256];
	int lineno = 0;
	bool ok = true;
	while (ok && fgets(line, sizeof(line), fp)) {
		lineno++;
		ok = parse_line(line);
	}
	fclose(fp);
	if (!ok) {
		error("%s:%d: want 'EVENT COUNT [ENABLED RUNNING]', 'EVENT unsupported', "
		      "'EVENT error ERRNO' or 'pmu yes|no'",
		      path, lineno);
		return NULL;
	}
	return &fake_source;
}
