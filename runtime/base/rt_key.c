/* The clock of the event keys (rt_key.h): the TSC when the kernel keeps
 * time with it (then it is synchronised across CPUs and never stops),
 * else CLOCK_MONOTONIC. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "rt_key.h"

bool rt_key_tsc;

void rt_key_init(void)
{
	char buf[32] = { 0 };
	int fd = open("/sys/devices/system/clocksource/clocksource0/current_clocksource", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	rt_key_tsc = n >= 3 && !strncmp(buf, "tsc", 3) && (buf[3] == '\n' || buf[3] == 0);
}
