#include "collect/secure_exec.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/die.h"
#include "util/path_search.h"

static int is_elf(const char *path)
{
	unsigned char m[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, m, sizeof(m));
	close(fd);
	return n == 4 && !memcmp(m, "\177ELF", 4);
}

static int in_my_groups(gid_t g)
{
	if (g == getegid())
		return 1;
	gid_t list[256];
	int n = getgroups(256, list);
	for (int i = 0; i < n; i++)
		if (list[i] == g)
			return 1;
	return 0;
}

int secure_exec(const char *file, char *why, size_t n)
{
	char *path = strchr(file, '/') ? strdup(file) : path_search(path_env(), file, NULL, NULL, NULL);
	struct stat st;
	struct statvfs vfs;
	int secure = 0;
	if (!path || stat(path, &st) != 0 || !S_ISREG(st.st_mode) || !is_elf(path) ||
	    (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_NOSUID)))
		goto out;
	if ((st.st_mode & S_ISUID) && st.st_uid != getuid()) {
		struct passwd *pw = getpwuid(st.st_uid);
		if (pw)
			snprintf(why, n, "set-user-ID %s", pw->pw_name);
		else
			snprintf(why, n, "set-user-ID %u", (unsigned)st.st_uid);
		secure = 1;
	} else if ((st.st_mode & S_ISGID) && !in_my_groups(st.st_gid)) {
		struct group *gr = getgrgid(st.st_gid);
		if (gr)
			snprintf(why, n, "set-group-ID %s", gr->gr_name);
		else
			snprintf(why, n, "set-group-ID %u", (unsigned)st.st_gid);
		secure = 1;
	} else if (getuid() != 0 && getxattr(path, "security.capability", NULL, 0) > 0) {
		snprintf(why, n, "given file capabilities");
		secure = 1;
	}
out:
	free(path);
	return secure;
}

int secure_exec_refuse(const char *file, const char *why, bool perf_events)
{
	if (perf_events)
		error("cannot measure '%s': it is %s, and the kernel detaches perf events from a program that "
		      "gains privileges at exec, so nothing would be counted; start it, then attach with -p PID "
		      "as root, or run sonde as that user",
		      file, why);
	else
		error("cannot check '%s': it is %s, and the dynamic loader ignores LD_PRELOAD for such programs, "
		      "so sonde's runtime would see nothing; run sonde as that user, or on a copy without the bit",
		      file, why);
	return 126;
}
