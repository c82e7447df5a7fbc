/* gprocess-forkserver-warm-private.h: the fork server's warm children
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

/* Warm children a server keeps, at most */
#define G_PROCESS_FORKSERVER_MAX_WARM 64
/* Without g_process_set_fork_server_warm_children() or the environment variable */
#define G_PROCESS_FORKSERVER_DEFAULT_WARM 2
#define G_PROCESS_FORKSERVER_WARM_ENV "GPROCESS_FORK_SERVER_WARM_CHILDREN"

/* What a message from the server to the application is (the last field of its reply) */
typedef enum
{
  G_PROCESS_FORKSERVER_MESSAGE_REPLY = 0,   /* the answer to a request */
  G_PROCESS_FORKSERVER_MESSAGE_WARM = 1,    /* a warm child was made: its pid */
  G_PROCESS_FORKSERVER_MESSAGE_LOST = 2,    /* a warm child died before it was used: reap it */
} GProcessForkServerMessage;

/* In the server (the loop of gprocess-forkserver.c) */
/* What a warm child becomes once made: it waits for its request, then runs it (the server's
 * _g_process_forkserver_become_warm(), given here so that this file stays below the
 * server's) */
typedef void (* GProcessWarmChildMain) (int handoff_fd) G_GNUC_NORETURN;

G_GNUC_INTERNAL void  _g_process_forkserver_warm_server_init     (int          app_fd,
                                                                   gboolean     with_pidfd,
                                                                   GProcessWarmChildMain warm_main);
G_GNUC_INTERNAL void  _g_process_forkserver_warm_refill          (void);
G_GNUC_INTERNAL pid_t _g_process_forkserver_warm_take            (int         *pidfd);
G_GNUC_INTERNAL void  _g_process_forkserver_warm_forward         (const void  *request,
                                                                   gsize        size,
                                                                   const int   *fds,
                                                                   int          n_fds);
G_GNUC_INTERNAL void  _g_process_forkserver_warm_close_in_child  (void);

/* Defined in gprocess-forkserver.c: a warm child waits for its request, then runs it */
G_GNUC_INTERNAL void  _g_process_forkserver_become_warm          (int          handoff_fd) G_GNUC_NORETURN;

/* In the application, server_mutex held */
G_GNUC_INTERNAL void  _g_process_forkserver_warm_note            (GProcessForkServerMessage kind,
                                                                   pid_t        pid,
                                                                   int          pidfd);
G_GNUC_INTERNAL int   _g_process_forkserver_warm_claim           (pid_t        pid);
G_GNUC_INTERNAL void  _g_process_forkserver_warm_forget          (int          server_fd);
G_GNUC_INTERNAL void  _g_process_forkserver_warm_atfork_child    (void);

G_END_DECLS
