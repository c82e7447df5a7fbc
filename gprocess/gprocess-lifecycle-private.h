/* gprocess-lifecycle-private.h: parent-death signal, process group, stop, usage
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sys/types.h>

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _GProcessObject GProcessObject;

/* The lifecycle settings of an object, fixed at start */
typedef struct
{
  int parent_death_signal;          /* (lock process_lock) as set */
  gboolean parent_death_signal_set; /* (lock process_lock) FALSE: the default applies */
  gboolean process_group;           /* (lock process_lock) */
} GProcessLifecycle;

G_GNUC_INTERNAL void     _g_process_lifecycle_install_properties (GParamSpec **properties);
G_GNUC_INTERNAL int      _g_process_lifecycle_parent_death_signal_locked (GProcessObject *self);
G_GNUC_INTERNAL gboolean _g_process_lifecycle_prepare_start_locked (GProcessObject  *self,
                                                                    GError         **error);
G_GNUC_INTERNAL void     _g_process_lifecycle_signal_group_locked  (GProcessObject  *self,
                                                                    int              signum);

/* Child code (see gprocess-child.c) */
G_GNUC_INTERNAL void     _g_process_lifecycle_keep_in_child        (GProcessObject  *self);
G_GNUC_INTERNAL void     _g_process_lifecycle_reset_in_child       (void);
G_GNUC_INTERNAL void     _g_process_lifecycle_bootstrap_served_child (gboolean process_group,
                                                                      int      signum,
                                                                      int      death_read_fd,
                                                                      int      result_send_fd,
                                                                      pid_t    parent);
G_GNUC_INTERNAL void     _g_process_lifecycle_bootstrap_child      (GProcessObject  *self,
                                                                    pid_t            parent);

G_END_DECLS
