/* gprocess-child-private.h: fork() and the child's life until _exit()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sys/types.h>

#include <glib.h>

#include "gprocess-fds-private.h"

G_BEGIN_DECLS

typedef struct _GProcessObject GProcessObject;

/* One start()'s fork, from the parent's preparation to the child's bootstrap. It lives on
 * the stack of start(); atfork_child() finds it through a thread-local pointer. */
typedef struct
{
  GProcessObject *object;
  pid_t creator;
  int gate_read_fd;    /* pidfd mode: the child waits here until the parent holds its pidfd */
  int gate_write_fd;
  int pipe_read_fd;    /* pipe fallback: the sentinel; only the child keeps the write end */
  int pipe_write_fd;
  gboolean use_pidfd;
  pid_t pid;
  int pidfd;           /* fork server: the pidfd clone() made, received with the reply */
} GProcessForkRequest;

#define G_PROCESS_FORK_REQUEST_INIT { NULL, 0, -1, -1, -1, -1, FALSE, 0, -1 }

G_GNUC_INTERNAL void     _g_process_child_register_atfork (void);
G_GNUC_INTERNAL gboolean _g_process_child_prepare_locked  (GProcessForkRequest *request,
                                                           GError             **error);
G_GNUC_INTERNAL pid_t    _g_process_child_fork            (GProcessForkRequest *request);
G_GNUC_INTERNAL gboolean _g_process_child_finish_locked   (GProcessForkRequest *request,
                                                           GProcessSentinel    *sentinel,
                                                           int                 *saved_errno);
G_GNUC_INTERNAL void     _g_process_child_abort_locked    (GProcessForkRequest *request);
G_GNUC_INTERNAL void     _g_process_child_reap_aborted    (pid_t                pid);
G_GNUC_INTERNAL pid_t    _g_process_child_fork_server     (void);
/* Child code, for the fork server's children too (gprocess-forkserver.c) */
G_GNUC_INTERNAL void     _g_process_child_wait_at_gate    (int                  gate_fd);
G_GNUC_INTERNAL void     _g_process_child_keep_sentinel_locked (int             pipe_write_fd);
G_GNUC_INTERNAL void     _g_process_child_main            (GProcessObject      *self)
                                                           G_GNUC_NORETURN;
G_GNUC_INTERNAL void     _g_process_child_set_server_reset (void (*reset_in_child) (void));

G_END_DECLS
