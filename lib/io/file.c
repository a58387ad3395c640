/* file.c — dj_io_read_file: a whole file into memory under a size cap (uploads saved to disk,
 * fixtures, import files given on the command line). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dj/alloc.h"
#include "dj/io.h"
#include "dj/banned.h"

dj_rc dj_io_read_file(const char *path, size_t max, char **data, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0, cap;
	dj_rc rc = DJ_OK;
	*data = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? DJ_ERR_NOTFOUND : DJ_ERR_IO;
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		rc = DJ_ERR_IO;
		goto out;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		rc = DJ_ERR_TOOBIG;
		goto out;
	}
	/* The size is a hint only (pipes, files growing under us): read until EOF, capped. */
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 64 * 1024;
	buf = dj_malloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				rc = DJ_ERR_TOOBIG;
				goto out;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			buf = dj_realloc(buf, cap + 1);
		}
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = DJ_ERR_IO;
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > max) {
		rc = DJ_ERR_TOOBIG;
		goto out;
	}
	buf[n] = '\0'; /* a convenience for text files; len does not count it */
	*data = buf;
	*len = n;
	buf = NULL;
out:
	dj_free(buf);
	close(fd);
	return rc;
}
