/* gprocess-start-method.h: how a child is made: fork() of the caller, or a fork server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (GPROCESS_INSIDE) && !defined (GPROCESS_COMPILATION)
# error "Only <gprocess/gprocess.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gprocess-object.h"
#include "gprocess-version-macros.h"

G_BEGIN_DECLS

/**
 * GProcessStartMethod:
 * @G_PROCESS_START_METHOD_FORK: g_process_object_start() forks the calling process: the child
 *   is a copy of the caller as it is at that moment (its memory, its descriptors, only the
 *   calling thread)
 * @G_PROCESS_START_METHOD_FORKSERVER: the fork server, a small process forked from the
 *   application by g_process_start_fork_server(), makes the child with `clone(CLONE_PARENT)`:
 *   the child is a copy of the server (single-threaded, the application as it was when the
 *   server started) and still a child of the application. Data made after the server
 *   started reaches it only through #GProcessObject:args; a target's user data that the
 *   server does not have as the application has it is refused
 *
 * How g_process_object_start() makes a child. See the chapter
 * [Start methods][gprocess-start-methods].
 *
 * Since: 0.2
 */
typedef enum
{
  G_PROCESS_START_METHOD_FORK,
  G_PROCESS_START_METHOD_FORKSERVER,
} GProcessStartMethod;

/**
 * GProcessForkServerChildFunc:
 * @user_data: the data given to g_process_set_fork_server_child_func()
 *
 * Runs first in every child the fork server makes, before the process object is rebuilt
 * there. It is for language bindings whose runtime must reset itself in a new process
 * (PyGObject's override calls `PyOS_AfterFork_Child`): `pthread_atfork` handlers do not
 * run in a fork-server child.
 *
 * Since: 0.2
 */
typedef void (* GProcessForkServerChildFunc) (gpointer user_data);

GPROCESS_AVAILABLE_IN_0_2
gboolean            g_process_set_start_method           (GProcessStartMethod          method,
                                                          GError                     **error);
GPROCESS_AVAILABLE_IN_0_2
GProcessStartMethod g_process_get_start_method           (void);
GPROCESS_AVAILABLE_IN_0_2
gboolean            g_process_start_fork_server          (GError                     **error);
GPROCESS_AVAILABLE_IN_0_2
void                g_process_set_fork_server_child_func (GProcessForkServerChildFunc  func,
                                                          gpointer                     user_data,
                                                          GDestroyNotify               destroy);

GPROCESS_AVAILABLE_IN_0_3
void                g_process_set_fork_server_warm_children (guint                    n);
GPROCESS_AVAILABLE_IN_0_3
guint               g_process_get_fork_server_warm_children (void);

GPROCESS_AVAILABLE_IN_0_2
GProcessStartMethod g_process_object_get_start_method    (GProcessObject              *self);
GPROCESS_AVAILABLE_IN_0_2
void                g_process_object_set_start_method    (GProcessObject              *self,
                                                          GProcessStartMethod          method);
GPROCESS_AVAILABLE_IN_0_2
GVariant           *g_process_object_get_args            (GProcessObject              *self);
GPROCESS_AVAILABLE_IN_0_2
void                g_process_object_set_args            (GProcessObject              *self,
                                                          GVariant                    *args);
GPROCESS_AVAILABLE_IN_0_2
void                g_process_object_set_fds             (GProcessObject              *self,
                                                          const int                   *fds,
                                                          gsize                        n_fds);
GPROCESS_AVAILABLE_IN_0_2
const int          *g_process_object_get_fds             (GProcessObject              *self,
                                                          gsize                       *n_fds);

G_END_DECLS
