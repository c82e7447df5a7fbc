/* gprocess-reaper-private.h: one watch per main context on the ends of its children
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "gprocess-object.h"

G_BEGIN_DECLS

typedef struct _GProcessObject GProcessObject;

/* A started object's place in the reaper of the context it was started from */
typedef struct
{
  guint64 serial;  /* (lock process_lock) names this start (not the pid: an event read before
                    * taking the lock may belong to a child reaped meanwhile, whose pid a new
                    * child may have) */
  int epfd;        /* (lock process_lock) the reaper's epoll set while registered and armed,
                    * or -1 */
} GProcessReaperEntry;

#define G_PROCESS_REAPER_ENTRY_INIT { 0, -1 }

typedef struct _GProcessReaper GProcessReaper;

/* What the reaper calls, under the lock, for a child whose end it saw: collects it (the
 * collector, gprocess-wait.c's _g_process_reap_locked(), given by start(): the reaper is
 * below the collector). Returns whether the child was reaped; *ended gathers the objects to
 * notify. */
typedef gboolean (* GProcessReapFunc) (GProcessObject *child, GProcessObject **ended);

G_GNUC_INTERNAL GProcessReaper *_g_process_reaper_for_context_locked (GMainContext    *context,
                                                                      GProcessReapFunc reap);
G_GNUC_INTERNAL void _g_process_reaper_watch_locked   (GProcessReaper      *reaper,
                                                       GProcessReaperEntry *entry,
                                                       int                  sentinel_fd);
G_GNUC_INTERNAL void _g_process_reaper_unwatch_locked (GProcessReaperEntry *entry,
                                                       int                  sentinel_fd);
G_GNUC_INTERNAL void _g_process_reaper_reset_in_child (gboolean started_child);

G_END_DECLS
