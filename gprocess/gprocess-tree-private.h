/* gprocess-tree-private.h: the process tree: this process, its parent, its children
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sys/types.h>

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _GProcessObject GProcessObject;

/* A child's place on the children list (started, end not yet observed; oldest first). The list
 * owns a reference to each child on it. */
typedef struct
{
  GProcessObject *prev;  /* (lock process_lock) */
  GProcessObject *next;  /* (lock process_lock) */
  gboolean listed;       /* (lock process_lock) */
} GProcessTreeLink;

#define G_PROCESS_TREE_LINK_INIT { NULL, NULL, FALSE }

G_GNUC_INTERNAL void            _g_process_tree_add_locked        (GProcessObject *child);
G_GNUC_INTERNAL void            _g_process_tree_set_pid_locked    (GProcessObject *child);
G_GNUC_INTERNAL void            _g_process_tree_remove_locked     (GProcessObject *child);
G_GNUC_INTERNAL GProcessObject *_g_process_tree_find_by_serial_locked (guint64 serial);
G_GNUC_INTERNAL GProcessObject *_g_process_tree_find_by_pid_locked    (pid_t pid);
G_GNUC_INTERNAL GProcessObject *_g_process_tree_first_locked      (void);
G_GNUC_INTERNAL GProcessObject *_g_process_tree_next_locked       (GProcessObject *child);
G_GNUC_INTERNAL guint64         _g_process_tree_next_serial_locked (void);

G_GNUC_INTERNAL GProcessObject *_g_process_tree_current          (void);
G_GNUC_INTERNAL gboolean        _g_process_tree_is_current       (GProcessObject *self);
G_GNUC_INTERNAL int             _g_process_tree_next_count       (void);
G_GNUC_INTERNAL void            _g_process_tree_reset_in_child   (void);
G_GNUC_INTERNAL void            _g_process_tree_become_child     (GProcessObject *self,
                                                                  pid_t           parent_pid);
G_GNUC_INTERNAL pid_t           _g_process_tree_parent_pid       (void);
G_GNUC_INTERNAL const char     *_g_process_tree_parent_name      (void);
G_GNUC_INTERNAL gboolean        _g_process_tree_begin_exit       (void);
G_GNUC_INTERNAL gboolean        _g_process_tree_is_exiting       (void);

G_GNUC_INTERNAL int             _g_process_tree_parent_fd_locked (GProcessObject *parent);
G_GNUC_INTERNAL gboolean        _g_process_tree_parent_is_alive_locked (GProcessObject *parent);

G_END_DECLS
