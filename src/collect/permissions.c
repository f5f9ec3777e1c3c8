/* Permission decisions around perf_event_paranoid. */
#include "collect/permissions.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int perm_read_paranoid(void)
{
	int v = 2;
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 2;
		fclose(f);
	}
	return v;
}

bool perm_privileged(void)
{
	if (geteuid() == 0)
		return true;
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return false;
	char line[256];
	unsigned long long caps = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "CapEff:", 7)) {
			caps = strtoull(line + 7, NULL, 16);
			break;
		}
	}
	fclose(f);
	const int cap_sys_admin = 21, cap_perfmon = 38;
	return (caps >> cap_sys_admin & 1) || (caps >> cap_perfmon & 1);
}

bool perm_default_exclude_kernel(int paranoid, bool privileged)
{
	return !privileged && paranoid >= 2;
}

enum perm_next perm_after_error(int err, bool exclude_kernel, bool user_chose_kernel)
{
	if (err != EACCES && err != EPERM)
		return PERM_NOT_PERMISSION;
	if (!exclude_kernel && !user_chose_kernel)
		return PERM_RETRY_USER;
	return PERM_DENIED;
}

void perm_denied_message(char *buf, size_t len, int paranoid, bool privileged, bool kernel_wanted)
{
	if (!privileged && (paranoid >= 3 || (paranoid >= 2 && kernel_wanted)))
		snprintf(buf, len,
			 "not allowed to profile (kernel.perf_event_paranoid=%d); run 'sudo sysctl "
			 "kernel.perf_event_paranoid=1' or run as root",
			 paranoid);
	else
		snprintf(buf, len,
			 "not allowed to profile (perf_event_open: %s, kernel.perf_event_paranoid=%d); "
			 "a security policy (seccomp, container, LSM) may forbid perf events, or the "
			 "target belongs to another user",
			 strerror(EACCES), paranoid);
}
