#include "util/writable.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int check_writable(const char *path)
{
	if (!strcmp(path, "-"))
		return 0;
	/* Not a plain file (a FIFO, a terminal, /dev/stdout): opening it for a
	 * test would end a reader's stream when we close it again. */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return EISDIR;
		return access(path, W_OK) == 0 ? 0 : errno;
	}
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == ENXIO) /* a FIFO nobody reads yet */
		return 0;
	if (errno != ENOENT)
		return errno;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return errno == EEXIST ? 0 : errno; /* EEXIST: made meanwhile, by someone else */
	close(fd);
	unlink(path);
	return 0;
}
