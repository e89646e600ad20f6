#ifndef PRENSA_CSYSTEMSHIMS_H
#define PRENSA_CSYSTEMSHIMS_H

/// Atomically exchanges the two paths (Linux `renameat2` with `RENAME_EXCHANGE`).
/// Returns 0 on success, or -1 with `errno` set; `errno` is `ENOSYS` or `EINVAL`
/// where the kernel or filesystem cannot exchange, so callers can fall back.
int prensa_exchange_paths(const char *first, const char *second);

/// Flushes every pending write of the filesystem holding `path` to disk (`syncfs`).
/// Returns 0 on success, or -1 with `errno` set.
int prensa_sync_filesystem(const char *path);

/// Flushes the directory `path` itself (its entries, e.g. after a rename) with `fsync`.
/// Returns 0 on success, or -1 with `errno` set.
int prensa_sync_directory(const char *path);

/// Moves the calling process into a new, empty network namespace (Linux `unshare`), so it
/// can reach no network, not even the loopback interface. Tries `CLONE_NEWNET` (root) and
/// then `CLONE_NEWUSER | CLONE_NEWNET` (unprivileged user namespaces); call it while the
/// process has one thread. Returns 0 on success, or -1 with `errno` set (`ENOSYS` on other
/// systems).
int prensa_isolate_network(void);

/// Asks the kernel to kill the calling process with SIGKILL when its parent ends (Linux
/// `PR_SET_PDEATHSIG`), so that a helper does not outlive a build that was killed or stopped
/// with Ctrl-C. Returns 0 on success, or -1 with `errno` set (`ENOSYS` on other systems).
int prensa_die_with_parent(void);

/// Runs the rest of the program in a child that is process 1 of a new PID namespace, with a
/// mount namespace showing that namespace's own `/proc` (Linux `unshare` and `fork`, once a
/// throwaway child showed the system allows them): when the child ends or
/// is killed, the kernel kills every process it left behind, even one that moved to another
/// session or process group. Returns 0 in the child; the parent then never returns: it waits
/// and ends as the child did (same exit status, or killed by the same signal). Call it while
/// the process has one thread, after `prensa_isolate_network` (whose user namespace, when it
/// made one, allows these). Returns -1 with `errno` set, in the calling process, when the system
/// does not allow it (`ENOSYS` on other systems): the program then goes on as it was.
///
/// As process 1 the child ignores signals it has no handler for, except SIGKILL and SIGSTOP from
/// outside the namespace and the signals of its own faults (traps, bad memory accesses).
int prensa_isolate_processes(void);

/// The first occurrence of `needle` in `haystack` (glibc's `memmem`, a GNU extension the Swift
/// Glibc module does not show), or NULL.
#include <stddef.h>
const void *prensa_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);

#endif
