/* The throughput benchmark's ceiling (watch-bench.py compiles it with gcc): a change-source consumer that does
 * nothing but read and discard its events, so writers beside it show the most any watcher could sustain on this
 * machine with that kernel interface. Sets up like compliance watch does (fanotify: one FAN_MARK_FILESYSTEM mark
 * with FAN_REPORT_DFID_NAME and the same event mask; inotify: one watch per directory given), prints "ready", then
 * reads until killed.
 * Usage: watch-ceiling fanotify DIR | watch-ceiling inotify DIR... */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <unistd.h>

static int open_fanotify(const char *dir)
{
    int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_REPORT_DFID_NAME | FAN_UNLIMITED_QUEUE, O_RDONLY | O_LARGEFILE);
    unsigned long long mask = FAN_CREATE | FAN_DELETE | FAN_MOVED_FROM | FAN_MOVED_TO | FAN_ATTRIB | FAN_MODIFY
        | FAN_CLOSE_WRITE | FAN_ONDIR;
    if (fd < 0 || fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, mask, AT_FDCWD, dir) != 0) {
        perror("fanotify");
        return -1;
    }
    return fd;
}

static int open_inotify(int count, char **dirs)
{
    int fd = inotify_init1(IN_CLOEXEC);
    uint32_t mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_MODIFY | IN_CLOSE_WRITE
        | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;
    if (fd < 0) {
        perror("inotify_init1");
        return -1;
    }
    for (int i = 0; i < count; i++) {
        if (inotify_add_watch(fd, dirs[i], mask) < 0) {
            perror(dirs[i]);
            return -1;
        }
    }
    return fd;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "fanotify") != 0 && strcmp(argv[1], "inotify") != 0)) {
        fprintf(stderr, "usage: %s fanotify DIR | %s inotify DIR...\n", argv[0], argv[0]);
        return 2;
    }
    int fd = strcmp(argv[1], "fanotify") == 0 ? open_fanotify(argv[2]) : open_inotify(argc - 2, argv + 2);
    if (fd < 0)
        return 1;
    printf("ready\n");
    fflush(stdout);
    static char events[1 << 20];
    while (read(fd, events, sizeof events) > 0)
        ;
    return 0;
}
