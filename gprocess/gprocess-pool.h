/* gprocess-pool.h: a pool of warm worker processes that survives its workers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (GPROCESS_INSIDE) && !defined (GPROCESS_COMPILATION)
# error "Only <gprocess/gprocess.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gprocess-start-method.h"
#include "gprocess-version-macros.h"

G_BEGIN_DECLS

/**
 * G_PROCESS_TYPE_POOL:
 *
 * The #GType of #GProcessPool.
 *
 * Since: 0.3
 */
#define G_PROCESS_TYPE_POOL (g_process_pool_get_type ())

/**
 * GProcessPool:
 *
 * A pool of warm worker processes that runs #GVariant tasks and survives its workers. Its
 * fields are private.
 *
 * Since: 0.3
 */
GPROCESS_AVAILABLE_IN_0_3
G_DECLARE_FINAL_TYPE (GProcessPool, g_process_pool, G_PROCESS, POOL, GObject)

/**
 * GProcessPoolFunc:
 * @task: the task's value, as given to g_process_pool_submit_async()
 * @user_data: the data given to g_process_pool_new()
 * @error: return location for a #GError
 *
 * The function a #GProcessPool runs in its workers, once per task. It runs in a worker
 * process, never in the process that submitted the task.
 *
 * Returns: (transfer full) (nullable): the task's result (a floating reference is sunk), or
 *   %NULL with @error set
 *
 * Since: 0.3
 */
typedef GVariant *(* GProcessPoolFunc) (GVariant  *task,
                                        gpointer   user_data,
                                        GError   **error);

/**
 * GProcessPoolProgressFunc:
 * @pool: the #GProcessPool
 * @progress: the value the task gave to g_process_pool_send_progress()
 * @user_data: the data given with the callback
 *
 * Receives the progress messages of one task in the pool's main context, while the task runs.
 *
 * Since: 0.3
 */
typedef void (* GProcessPoolProgressFunc) (GProcessPool *pool,
                                           GVariant     *progress,
                                           gpointer      user_data);

GPROCESS_AVAILABLE_IN_0_3
GProcessPool       *g_process_pool_new                      (GProcessPoolFunc          func,
                                                             gpointer                  user_data,
                                                             GDestroyNotify            destroy,
                                                             int                       max_workers);
GPROCESS_AVAILABLE_IN_0_3
void                g_process_pool_submit_async             (GProcessPool             *self,
                                                             GVariant                 *task,
                                                             GCancellable             *cancellable,
                                                             GAsyncReadyCallback       callback,
                                                             gpointer                  user_data);
GPROCESS_AVAILABLE_IN_0_3
GVariant           *g_process_pool_submit_finish            (GProcessPool             *self,
                                                             GAsyncResult             *result,
                                                             GError                  **error);
GPROCESS_AVAILABLE_IN_0_3
void                g_process_pool_submit_with_progress_async (GProcessPool           *self,
                                                             GVariant                 *task,
                                                             GProcessPoolProgressFunc  progress,
                                                             gpointer                  progress_data,
                                                             GDestroyNotify            progress_destroy,
                                                             GCancellable             *cancellable,
                                                             GAsyncReadyCallback       callback,
                                                             gpointer                  user_data);
GPROCESS_AVAILABLE_IN_0_3
GVariant           *g_process_pool_submit_with_progress_finish (GProcessPool          *self,
                                                             GAsyncResult             *result,
                                                             GError                  **error);
GPROCESS_AVAILABLE_IN_0_3
GVariant           *g_process_pool_submit                   (GProcessPool             *self,
                                                             GVariant                 *task,
                                                             GCancellable             *cancellable,
                                                             GError                  **error);
GPROCESS_AVAILABLE_IN_0_3
void                g_process_pool_close                    (GProcessPool             *self);
GPROCESS_AVAILABLE_IN_0_3
gboolean            g_process_pool_join                     (GProcessPool             *self,
                                                             gint64                    timeout_us,
                                                             GCancellable             *cancellable,
                                                             GError                  **error);
GPROCESS_AVAILABLE_IN_0_3
void                g_process_pool_terminate                (GProcessPool             *self);

GPROCESS_AVAILABLE_IN_0_3
gboolean            g_process_pool_send_progress            (GVariant                 *progress);

GPROCESS_AVAILABLE_IN_0_3
int                 g_process_pool_get_max_workers          (GProcessPool             *self);
GPROCESS_AVAILABLE_IN_0_3
void                g_process_pool_set_max_workers          (GProcessPool             *self,
                                                             int                       max_workers);
GPROCESS_AVAILABLE_IN_0_3
gint64              g_process_pool_get_task_timeout         (GProcessPool             *self);
GPROCESS_AVAILABLE_IN_0_3
void                g_process_pool_set_task_timeout         (GProcessPool             *self,
                                                             gint64                    timeout_us);
GPROCESS_AVAILABLE_IN_0_3
guint               g_process_pool_get_max_tasks_per_worker (GProcessPool             *self);
GPROCESS_AVAILABLE_IN_0_3
void                g_process_pool_set_max_tasks_per_worker (GProcessPool             *self,
                                                             guint                     max_tasks);
GPROCESS_AVAILABLE_IN_0_3
guint64             g_process_pool_get_max_worker_memory    (GProcessPool             *self);
GPROCESS_AVAILABLE_IN_0_3
void                g_process_pool_set_max_worker_memory    (GProcessPool             *self,
                                                             guint64                   max_bytes);
GPROCESS_AVAILABLE_IN_0_3
gint64              g_process_pool_get_idle_timeout         (GProcessPool             *self);
GPROCESS_AVAILABLE_IN_0_3
void                g_process_pool_set_idle_timeout         (GProcessPool             *self,
                                                             gint64                    timeout_us);
GPROCESS_AVAILABLE_IN_0_3
GProcessStartMethod g_process_pool_get_start_method         (GProcessPool             *self);
GPROCESS_AVAILABLE_IN_0_3
void                g_process_pool_set_start_method         (GProcessPool             *self,
                                                             GProcessStartMethod       method);
GPROCESS_AVAILABLE_IN_0_3
guint               g_process_pool_get_n_workers            (GProcessPool             *self);
GPROCESS_AVAILABLE_IN_0_3
guint               g_process_pool_get_n_pending            (GProcessPool             *self);

G_END_DECLS
