/* gprocess-fds-private.h: the descriptors the library owns, and the kernel's pidfd calls
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

/* How a started child's end is observed. With a pidfd (Linux >= 5.3) the descriptor is the
 * child: it is readable once the child has exited, signals go through it and its status is
 * collected through it, so a recycled pid can never be mistaken for the child. Without one (old
 * kernels, valgrind, GPROCESS_NO_PIDFD=1) it is the read end of a pipe whose write end only
 * the child holds: it reaches end-of-file when the child exits. */
typedef struct
{
  int fd;            /* (lock process_lock) the pidfd or the pipe's read end; -1 */
  pid_t owner;       /* (lock process_lock) the process in which fd is open */
  guint users;       /* (lock process_lock) waiters polling fd outside the lock: the last one
                      * closes it after g_process_object_close() */
  gboolean is_pidfd; /* (lock process_lock) */
  int proc_fd;       /* (lock process_lock) the pipe fallback: /proc/<pid> of the child, opened
                      * at start. It names the process, not the pid: lookups through it fail
                      * once the child is reaped, even if the pid was given to another process
                      * meanwhile. -1 without /proc */
  gboolean gone;     /* (lock process_lock) the pipe fallback: somebody else had reaped the
                      * child before start() could open proc_fd */
} GProcessSentinel;

#define G_PROCESS_SENTINEL_INIT { -1, 0, 0, FALSE, -1, FALSE }

G_GNUC_INTERNAL void     _g_process_fds_add_locked          (int fd);
G_GNUC_INTERNAL void     _g_process_fds_remove_locked       (int fd);
G_GNUC_INTERNAL void     _g_process_fds_close_locked        (int fd);
G_GNUC_INTERNAL void     _g_process_fds_close_in_child      (void);
G_GNUC_INTERNAL gboolean _g_process_fds_ensure_devnull_locked (void);
G_GNUC_INTERNAL void     _g_process_fds_redirect_stdin      (void);
G_GNUC_INTERNAL void     _g_process_fds_forget_devnull      (void);

G_GNUC_INTERNAL gboolean _g_process_pidfd_supported         (void);
G_GNUC_INTERNAL int      _g_process_pidfd_open              (pid_t pid);
G_GNUC_INTERNAL int      _g_process_pidfd_send_signal       (int pidfd, int signum);
G_GNUC_INTERNAL int      _g_process_pidfd_waitid            (int            pidfd,
                                                             int            options,
                                                             siginfo_t     *info,
                                                             struct rusage *usage);
G_GNUC_INTERNAL gboolean _g_process_pidfd_get_exit_status   (int pidfd, int *wait_status);

G_GNUC_INTERNAL int      _g_process_sentinel_acquire_locked (GProcessSentinel *sentinel);
G_GNUC_INTERNAL void     _g_process_sentinel_release_locked (GProcessSentinel *sentinel,
                                                             gboolean          closed);
G_GNUC_INTERNAL void     _g_process_sentinel_close_locked   (GProcessSentinel *sentinel);
G_GNUC_INTERNAL gboolean _g_process_sentinel_is_ours        (const GProcessSentinel *sentinel);
G_GNUC_INTERNAL gboolean _g_process_sentinel_fired          (const GProcessSentinel *sentinel);
G_GNUC_INTERNAL void     _g_process_sentinel_bind_pid_locked (GProcessSentinel *sentinel,
                                                             pid_t             pid);
G_GNUC_INTERNAL gboolean _g_process_sentinel_names_child    (const GProcessSentinel *sentinel);

G_END_DECLS
