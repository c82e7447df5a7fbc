/* gprocess-result-private.h: results and errors sent back by a child
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GProcessObject GProcessObject;

/* What a child sent, in its parent's object */
typedef struct
{
  GBytes *message;   /* (lock process_lock) the child's memfd, as sent; NULL: nothing sent */
  GVariant *value;   /* (lock process_lock) the validated value, once read */
  GError *error;     /* (lock process_lock) the validated error (or why the message was
                      * refused), once read */
} GProcessResultSlot;

#define G_PROCESS_RESULT_SLOT_INIT { NULL, NULL, NULL }

/* In the parent */
G_GNUC_INTERNAL gboolean _g_process_result_prepare_locked  (GError            **error);
G_GNUC_INTERNAL void     _g_process_result_collect_locked  (GProcessObject     *self);
G_GNUC_INTERNAL void     _g_process_result_slot_clear      (GProcessResultSlot *slot);

/* Child code (see gprocess-child.c) */
G_GNUC_INTERNAL void     _g_process_result_keep_in_child   (void);
G_GNUC_INTERNAL void     _g_process_result_adopt_in_child  (int send_fd);
G_GNUC_INTERNAL int      _g_process_result_send_fd_locked  (void);
G_GNUC_INTERNAL void     _g_process_result_reset_in_child  (void);
G_GNUC_INTERNAL void     _g_process_result_bootstrap_child (void);
G_GNUC_INTERNAL void     _g_process_result_send_in_child   (void);
G_GNUC_INTERNAL gboolean _g_process_result_error_recorded  (void);

G_END_DECLS
