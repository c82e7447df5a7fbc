/* gprocess-lifecycle.h: beyond multiprocessing: no orphans, graceful stop, process groups,
 * resource usage, and results back from the child
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

GPROCESS_AVAILABLE_IN_0_2
int       g_process_object_get_parent_death_signal (GProcessObject *self);
GPROCESS_AVAILABLE_IN_0_2
void      g_process_object_set_parent_death_signal (GProcessObject *self,
                                                    int             signum);

GPROCESS_AVAILABLE_IN_0_2
gboolean  g_process_object_get_process_group       (GProcessObject *self);
GPROCESS_AVAILABLE_IN_0_2
void      g_process_object_set_process_group       (GProcessObject *self,
                                                    gboolean        process_group);

GPROCESS_AVAILABLE_IN_0_2
gboolean  g_process_object_stop                    (GProcessObject       *self,
                                                    gint64                grace_us,
                                                    GCancellable         *cancellable,
                                                    GError              **error);
GPROCESS_AVAILABLE_IN_0_2
void      g_process_object_stop_async              (GProcessObject       *self,
                                                    gint64                grace_us,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
GPROCESS_AVAILABLE_IN_0_2
gboolean  g_process_object_stop_finish             (GProcessObject       *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

GPROCESS_AVAILABLE_IN_0_2
gboolean  g_process_object_get_usage               (GProcessObject *self,
                                                    gint64         *user_time_us,
                                                    gint64         *system_time_us,
                                                    gint64         *max_rss_bytes);

GPROCESS_AVAILABLE_IN_0_2
void      g_process_set_result                     (GVariant       *value);
GPROCESS_AVAILABLE_IN_0_2
void      g_process_set_error                      (const GError   *error);
GPROCESS_AVAILABLE_IN_0_2
GVariant *g_process_object_get_result              (GProcessObject  *self,
                                                    GError         **error);

G_END_DECLS
