/* gprocess-pdeath-private.h: a child's signal when its parent process dies
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

/* In the parent, under the lock */
G_GNUC_INTERNAL gboolean _g_process_pdeath_prepare_locked (GError **error);
G_GNUC_INTERNAL int      _g_process_pdeath_read_fd_locked (void);

/* Child code (see gprocess-child.c) */
G_GNUC_INTERNAL void     _g_process_pdeath_keep_in_child  (void);
G_GNUC_INTERNAL void     _g_process_pdeath_adopt_in_child (int read_fd);
G_GNUC_INTERNAL void     _g_process_pdeath_reset_in_child (void);
G_GNUC_INTERNAL void     _g_process_pdeath_bootstrap_child (int   signum,
                                                            pid_t parent);
G_GNUC_INTERNAL int      _g_process_pdeath_arm            (int   death_read_fd,
                                                           int   signum,
                                                           pid_t parent);

G_END_DECLS
