/* gprocess-exit-private.h: the end of the current process
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* At the end of the current process (after _g_process_tree_begin_exit() said there are
 * children): the daemon rules */
G_GNUC_INTERNAL void     _g_process_exit_end_children     (void);
G_GNUC_INTERNAL void     _g_process_exit_register_atexit  (void);

G_END_DECLS
