/* gprocess-object.h: a process object, like Python's multiprocessing.Process
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (GPROCESS_INSIDE) && !defined (GPROCESS_COMPILATION)
# error "Only <gprocess/gprocess.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gprocess-types.h"
#include "gprocess-version-macros.h"

G_BEGIN_DECLS

/**
 * G_PROCESS_TYPE_OBJECT:
 *
 * The #GType of #GProcessObject.
 *
 * Since: 0.1
 */
#define G_PROCESS_TYPE_OBJECT (g_process_object_get_type ())

/**
 * GProcessObject:
 *
 * A process object: activity that runs in a forked child process. Its fields are private.
 *
 * Since: 0.1
 */
GPROCESS_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (GProcessObject, g_process_object, G_PROCESS, OBJECT, GObject)

/**
 * GProcessObjectClass:
 * @parent_class: the parent class
 * @run: the activity of the process; runs in the child after g_process_object_start(). The
 *   default implementation calls the target given to g_process_object_new_with_target(), if
 *   any. When it returns the child ends with status 0, or 1 if the last result it recorded
 *   is an error (g_process_set_error()); g_process_exit() ends it with another.
 *
 * The class structure of #GProcessObject. Subclasses override @run.
 *
 * Since: 0.1
 */
struct _GProcessObjectClass
{
  GObjectClass parent_class;

  void (* run) (GProcessObject *self);

  /*< private >*/
  gpointer padding[8];
};

/**
 * GProcessTargetFunc:
 * @process: the process object being run, in the child
 * @user_data: the data given with the target
 *
 * The function a #GProcessObject runs in its child when its class does not override
 * #GProcessObjectClass.run.
 *
 * Since: 0.1
 */
typedef void (* GProcessTargetFunc) (GProcessObject *process,
                                     gpointer        user_data);

/**
 * GProcessSourceFunc:
 * @process: the process that ended
 * @user_data: data passed to g_source_set_callback()
 *
 * The callback of the #GSource made by g_process_object_create_source(). The source dispatches
 * once; the return value is there for symmetry with #GSourceFunc and is ignored (return
 * %G_SOURCE_REMOVE).
 *
 * Returns: %G_SOURCE_REMOVE
 *
 * Since: 0.1
 */
typedef gboolean (* GProcessSourceFunc) (GProcessObject *process,
                                         gpointer        user_data);

/**
 * GProcessForkFunc:
 * @user_data: the data given to g_process_set_fork_func()
 *
 * A replacement for fork(), for language bindings whose runtime must do its own work around a
 * fork (PyGObject's override passes Python's `os.fork`). It must fork the calling process once.
 *
 * Returns: the child's pid in the parent, 0 in the child, or a negative errno value when no
 *   child was created
 *
 * Since: 0.1
 */
typedef int (* GProcessForkFunc) (gpointer user_data);

GPROCESS_AVAILABLE_IN_ALL
GProcessObject *g_process_object_new             (void);
GPROCESS_AVAILABLE_IN_ALL
GProcessObject *g_process_object_new_with_target (GProcessTargetFunc   target,
                                                  gpointer             user_data,
                                                  GDestroyNotify       destroy);

GPROCESS_AVAILABLE_IN_ALL
void            g_process_object_set_target      (GProcessObject      *self,
                                                  GProcessTargetFunc   target,
                                                  gpointer             user_data,
                                                  GDestroyNotify       destroy);
GPROCESS_AVAILABLE_IN_ALL
gboolean        g_process_object_start           (GProcessObject      *self,
                                                  GError             **error);
GPROCESS_AVAILABLE_IN_ALL
void            g_process_object_run             (GProcessObject      *self);
GPROCESS_AVAILABLE_IN_ALL
gboolean        g_process_object_join            (GProcessObject      *self,
                                                  gint64               timeout_us,
                                                  GCancellable        *cancellable,
                                                  GError             **error);
GPROCESS_AVAILABLE_IN_ALL
void            g_process_object_join_async      (GProcessObject      *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GPROCESS_AVAILABLE_IN_ALL
gboolean        g_process_object_join_finish     (GProcessObject      *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
GPROCESS_AVAILABLE_IN_ALL
GSource        *g_process_object_create_source   (GProcessObject      *self,
                                                  GCancellable        *cancellable);
GPROCESS_AVAILABLE_IN_ALL
gboolean        g_process_object_is_alive        (GProcessObject      *self);
GPROCESS_AVAILABLE_IN_ALL
void            g_process_object_terminate       (GProcessObject      *self);
GPROCESS_AVAILABLE_IN_ALL
void            g_process_object_kill            (GProcessObject      *self);
GPROCESS_AVAILABLE_IN_ALL
gboolean        g_process_object_close           (GProcessObject      *self,
                                                  GError             **error);
GPROCESS_AVAILABLE_IN_ALL
char           *g_process_object_to_string       (GProcessObject      *self);

GPROCESS_AVAILABLE_IN_ALL
const char     *g_process_object_get_name        (GProcessObject      *self);
GPROCESS_AVAILABLE_IN_0_2
char           *g_process_object_dup_name        (GProcessObject      *self);
GPROCESS_AVAILABLE_IN_ALL
void            g_process_object_set_name        (GProcessObject      *self,
                                                  const char          *name);
GPROCESS_AVAILABLE_IN_ALL
gboolean        g_process_object_get_daemon      (GProcessObject      *self);
GPROCESS_AVAILABLE_IN_ALL
void            g_process_object_set_daemon      (GProcessObject      *self,
                                                  gboolean             daemon);
GPROCESS_AVAILABLE_IN_ALL
GPid            g_process_object_get_pid         (GProcessObject      *self);
GPROCESS_AVAILABLE_IN_ALL
GPid            g_process_object_get_parent_pid  (GProcessObject      *self);
GPROCESS_AVAILABLE_IN_ALL
int             g_process_object_get_exit_code   (GProcessObject      *self);
GPROCESS_AVAILABLE_IN_ALL
GBytes         *g_process_object_get_authkey     (GProcessObject      *self);
GPROCESS_AVAILABLE_IN_0_2
GBytes         *g_process_object_dup_authkey     (GProcessObject      *self);
GPROCESS_AVAILABLE_IN_ALL
void            g_process_object_set_authkey     (GProcessObject      *self,
                                                  GBytes              *authkey);
GPROCESS_AVAILABLE_IN_ALL
int             g_process_object_get_sentinel    (GProcessObject      *self);
GPROCESS_AVAILABLE_IN_ALL
GProcessState   g_process_object_get_state       (GProcessObject      *self);

GPROCESS_AVAILABLE_IN_ALL
GProcessObject *g_process_get_current            (void);
GPROCESS_AVAILABLE_IN_ALL
GProcessObject *g_process_get_parent             (void);
GPROCESS_AVAILABLE_IN_ALL
GList          *g_process_get_active_children    (void);
GPROCESS_AVAILABLE_IN_ALL
void            g_process_exit                   (int                  status) G_GNUC_NORETURN;
GPROCESS_AVAILABLE_IN_ALL
void            g_process_set_fork_func          (GProcessForkFunc     fork_func,
                                                  gpointer             user_data,
                                                  GDestroyNotify       destroy);

G_END_DECLS
