/* gprocess-wait-private.h: observing the end of a child
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gprocess-fds-private.h"

G_BEGIN_DECLS

typedef struct _GProcessObject GProcessObject;

G_GNUC_INTERNAL gboolean _g_process_reap_locked          (GProcessObject  *self,
                                                          GProcessObject **ended);
G_GNUC_INTERNAL void     _g_process_reap_finished_locked (GProcessObject **ended);
G_GNUC_INTERNAL gboolean _g_process_wait_try_reap        (GProcessObject  *self);
G_GNUC_INTERNAL gboolean _g_process_wait_check_joinable_locked (GProcessObject  *self,
                                                         GError         **error);
G_GNUC_INTERNAL gboolean _g_process_wait_is_process_source (GSource *source);
G_GNUC_INTERNAL void     _g_process_wait_signal_locked   (GProcessObject  *self,
                                                          int              signum);
G_GNUC_INTERNAL gboolean _g_process_wait_nap_until      (gint64           deadline,
                                                          gulong          *nap_us,
                                                          GCancellable    *cancellable,
                                                          GError         **error);
G_GNUC_INTERNAL void     _g_process_wait_reap_by_pid     (const GProcessSentinel *proc,
                                                          pid_t                   pid);
G_GNUC_INTERNAL gboolean _g_process_wait_for_fd          (int              fd,
                                                          gint64           timeout_us,
                                                          GCancellable    *cancellable,
                                                          GError         **error);

G_END_DECLS
