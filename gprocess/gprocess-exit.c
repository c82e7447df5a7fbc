/* gprocess-exit.c: the end of the current process (the daemon rules) and the children it
 * still has
 *
 * Above the collector (gprocess-wait.c): ending the children joins them, listing them reaps
 * those that have ended.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "gprocess.h"
#include "gprocess-object-private.h"
#include "gprocess-wait-private.h"
#include "gprocess-exit-private.h"

#define get_priv _g_process_object_get_private

/* ---------------------------------------------------------------------------------------- */
/* Exit: the daemon rules                                                                    */

/* Kept (write-only, hence volatile) for leak checkers: nothing is unreferenced at exit */
static GPtrArray *volatile joined_at_exit;

/* Terminates the daemonic children of the current process and waits for all of them, after
 * _g_process_tree_begin_exit() said there are some. Used when a child's run ends and at exit
 * of the main process. */
void
_g_process_exit_end_children (void)
{
  GPtrArray *waiting;

  G_LOCK (process_lock);
  if (_g_process_tree_first_locked () == NULL)
    {
      G_UNLOCK (process_lock);
      return;
    }
  waiting = g_ptr_array_new ();
  for (GProcessObject *c = _g_process_tree_first_locked (); c != NULL;
       c = _g_process_tree_next_locked (c))
    {
      GProcessObjectPrivate *cpriv = get_priv (c);

      if (cpriv->pid == 0)
        continue;  /* still being started by another thread */
      if (cpriv->daemon)
        _g_process_wait_signal_locked (c, SIGTERM);
      g_ptr_array_add (waiting, c);
    }
  G_UNLOCK (process_lock);

  /* Nothing is unreferenced while exiting (a binding's toggle reference could call into a
   * finalized interpreter): the array keeps the children, for good. */
  for (guint i = 0; i < waiting->len; i++)
    g_process_object_join (waiting->pdata[i], -1, NULL, NULL);

  joined_at_exit = waiting;
}

static void
at_exit_handler (void)
{
  if (_g_process_tree_begin_exit ())
    _g_process_exit_end_children ();
}

void
_g_process_exit_register_atexit (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      atexit (at_exit_handler);
      g_once_init_leave (&registered, 1);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* The children of this process                                                              */

/**
 * g_process_get_active_children:
 *
 * Lists the children of the current process that are still running. Children that have ended
 * are reaped first (notifying their #GProcessObject:state and #GProcessObject:exit-code), so a
 * process object that was dropped without a join leaves no zombie. A new child starts with an
 * empty list.
 *
 * Returns: (transfer full) (element-type GProcessObject): the running children
 *
 * Since: 0.1
 */
GList *
g_process_get_active_children (void)
{
  GProcessObject *ended = NULL;
  GProcessObject *next;
  GList *list = NULL;

  G_LOCK (process_lock);
  for (GProcessObject *c = _g_process_tree_first_locked (); c != NULL; c = next)
    {
      next = _g_process_tree_next_locked (c);
      _g_process_reap_locked (c, &ended);
    }
  /* The list already holds a reference on each, so these are not first extra references. */
  for (GProcessObject *c = _g_process_tree_first_locked (); c != NULL;
       c = _g_process_tree_next_locked (c))
    if (get_priv (c)->pid != 0)
      list = g_list_prepend (list, g_object_ref (c));
  G_UNLOCK (process_lock);
  list = g_list_reverse (list);

  _g_process_object_notify_ended (ended);
  return list;
}
