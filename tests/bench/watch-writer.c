/* The throughput benchmark's writer (watch-bench.py compiles it with gcc): creates files FIRST..FIRST+COUNT-1 as
 * DIR/dNN/sNNNNNNN, spread over DIRS existing subdirectories, each written with SIZE bytes and closed, as fast as
 * one process can. Prints the CLOCK_MONOTONIC nanoseconds (Python's time.monotonic clock) before the first open
 * and after the last close, so the script can time the watcher against the same clock. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s DIR DIRS FIRST COUNT SIZE\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    long dirs = atol(argv[2]), first = atol(argv[3]), count = atol(argv[4]), size = atol(argv[5]);
    char *data = malloc(size > 0 ? size : 1);
    memset(data, 'x', size > 0 ? size : 1);
    char path[4096];
    long long start = now_ns();
    for (long i = first; i < first + count; i++) {
        snprintf(path, sizeof path, "%s/d%02ld/s%07ld", dir, i % dirs, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write(fd, data, size) != size || close(fd) != 0) {
            perror(path);
            return 1;
        }
    }
    printf("%lld %lld\n", start, now_ns());
    return 0;
}
