#define _GNU_SOURCE
#include "CSystemShims.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int prensa_exchange_paths(const char *first, const char *second) {
#if defined(__linux__) && defined(RENAME_EXCHANGE)
    return renameat2(AT_FDCWD, first, AT_FDCWD, second, RENAME_EXCHANGE);
#else
    (void)first;
    (void)second;
    errno = ENOSYS;
    return -1;
#endif
}

int prensa_sync_filesystem(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
#if defined(__linux__)
    int result = syncfs(fd);
#else
    int result = fsync(fd);
#endif
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

int prensa_sync_directory(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    int result = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

int prensa_isolate_network(void) {
#if defined(__linux__) && defined(CLONE_NEWNET)
    if (unshare(CLONE_NEWNET) == 0) {
        return 0;
    }
    return unshare(CLONE_NEWUSER | CLONE_NEWNET);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int prensa_die_with_parent(void) {
#if defined(__linux__)
    pid_t parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
        return -1;
    }
    // The parent died in between: the signal was due, and will not come.
    if (getppid() != parent) {
        raise(SIGKILL);
    }
    return 0;
#else
    errno = ENOSYS;
    return -1;
#endif
}

#if defined(__linux__) && defined(CLONE_NEWPID) && defined(CLONE_NEWNS)
/// Makes the calling process's mounts private (none of its later mounts propagates to other
/// mount namespaces) and mounts over /proc one for its PID namespace.
static int mount_own_proc(void) {
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        return -1;
    }
    return mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/// Whether a child may get new PID and mount namespaces with its own /proc: tried in a child
/// made with a bare `clone` (which leaves this process as it was) that only makes system calls,
/// since the C library's idea of that process (its thread id) is not updated.
static int can_isolate_processes(void) {
    long probe = syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, NULL, NULL, NULL, NULL);
    if (probe < 0) {
        return 0;
    }
    if (probe == 0) {
        syscall(SYS_exit_group, mount_own_proc() == 0 ? 0 : 1);
    }
    int status = 0;
    while (waitpid((pid_t)probe, &status, 0) < 0) {
        if (errno != EINTR) {
            return 0;
        }
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
#endif

int prensa_isolate_processes(void) {
#if defined(__linux__) && defined(CLONE_NEWPID) && defined(CLONE_NEWNS)
    if (!can_isolate_processes()) {
        errno = EPERM;
        return -1;
    }
    // From here on this process only waits, so the namespaces it enters (the PID namespace is
    // its children's) change nothing for it.
    if (unshare(CLONE_NEWPID | CLONE_NEWNS) != 0) {
        return -1;
    }
    pid_t child = fork();
    if (child < 0) {
        return -1;
    }
    if (child == 0) {
        // The parent waits for this child: should it be killed, so is the child.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        // A /proc of its own PID namespace, for what reads /proc/PID (the Swift backtracer). It
        // worked in the probe; should it fail now, only backtraces are lost.
        (void)mount_own_proc();
        return 0;
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            _exit(70);
        }
    }
    // The parent ends as the child did, with its exit status or killed by the same signal (a
    // trap), so that whoever started the process sees no difference.
    if (WIFSIGNALED(status)) {
        int signal_number = WTERMSIG(status);
        signal(signal_number, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, signal_number);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(signal_number);
        _exit(128 + signal_number);
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 70);
#else
    errno = ENOSYS;
    return -1;
#endif
}

const void *prensa_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}
