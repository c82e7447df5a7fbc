/* gprocess-reaper.c: a main loop notices the end of a child without any call
 *
 * One source per main context watches the sentinels of every child started from that context
 * through an epoll set. A start costs one epoll_ctl() (no context lock, no wake-up write); the
 * context sleeps in poll() on the epoll descriptor, which becomes readable when any sentinel
 * does. Entries are one-shot and keyed by the start's serial, not the pid.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "gprocess.h"
#include "gprocess-object-private.h"
#include "gprocess-wait-private.h"

struct _GProcessReaper
{
  GSource source;
  GMainContext *context;   /* not owned: the context owns the source */
  int epfd;                /* (lock process_lock) */
  pid_t owner;             /* (lock process_lock) the process whose epoll set epfd is */
  gpointer fd_tag;
  GProcessReapFunc reap;   /* the collector */
};

static GHashTable *reapers;   /* (lock process_lock) GMainContext * → GProcessReaper * */

static gboolean
reaper_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  GProcessReaper *reaper = (GProcessReaper *) source;
  struct epoll_event events[64];
  gboolean stale;
  int n;

  G_LOCK (process_lock);
  stale = reaper->owner != _g_process_self_pid ();
  G_UNLOCK (process_lock);
  if (stale)
    {
      /* Inherited by a child of start(), whose copy of the epoll set was closed: a child must
       * not use its parent's contexts, but if it does, this source sleeps for good. */
      if (reaper->fd_tag != NULL)
        g_source_remove_unix_fd (source, g_steal_pointer (&reaper->fd_tag));
      return G_SOURCE_CONTINUE;
    }

  do
    n = epoll_wait (reaper->epfd, events, G_N_ELEMENTS (events), 0);
  while (n < 0 && errno == EINTR);

  for (int i = 0; i < n; i++)
    {
      GProcessObject *ended = NULL;
      GProcessObject *child;

      G_LOCK (process_lock);
      /* Not found: already reaped by someone else (a join, is_alive…) */
      child = _g_process_tree_find_by_serial_locked (events[i].data.u64);
      if (child != NULL)
        {
          /* fired: a one-shot entry disarms itself */
          GProcessObjectPrivate *cpriv = _g_process_object_get_private (child);

          cpriv->reaper.epfd = -1;
          if (!reaper->reap (child, &ended) && !cpriv->sentinel.is_pidfd)
            {
              /* Pipe fallback: end-of-file came just before the child became a zombie.
               * Re-arm; the entry fires again at the next iteration until it is reapable. */
              struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = cpriv->reaper.serial };

              if (epoll_ctl (reaper->epfd, EPOLL_CTL_MOD, cpriv->sentinel.fd, &ev) == 0)
                cpriv->reaper.epfd = reaper->epfd;
            }
        }
      G_UNLOCK (process_lock);
      _g_process_object_notify_ended (ended);
    }
  return G_SOURCE_CONTINUE;
}

static void
reaper_finalize (GSource *source)
{
  GProcessReaper *reaper = (GProcessReaper *) source;

  G_LOCK (process_lock);
  if (reapers != NULL && g_hash_table_lookup (reapers, reaper->context) == reaper)
    g_hash_table_remove (reapers, reaper->context);
  for (GProcessObject *c = _g_process_tree_first_locked (); c != NULL;
       c = _g_process_tree_next_locked (c))
    {
      GProcessObjectPrivate *cpriv = _g_process_object_get_private (c);

      if (cpriv->reaper.epfd == reaper->epfd)
        cpriv->reaper.epfd = -1;
    }
  if (reaper->epfd >= 0 && reaper->owner == _g_process_self_pid ())
    _g_process_fds_close_locked (reaper->epfd);
  G_UNLOCK (process_lock);
}

static GSourceFuncs reaper_funcs = {
  NULL,
  NULL,
  reaper_dispatch,
  reaper_finalize,
  NULL,
  NULL,
};

/* The reaper of @context, created and attached on first use; NULL if epoll fails. Called
 * before the fork: after it, every page written is a copy. */
GProcessReaper *
_g_process_reaper_for_context_locked (GMainContext    *context,
                                      GProcessReapFunc reap)
{
  GProcessReaper *reaper;
  int epfd;

  if (reapers == NULL)
    reapers = g_hash_table_new (NULL, NULL);
  reaper = g_hash_table_lookup (reapers, context);
  if (reaper != NULL && reaper->owner == _g_process_self_pid ())
    return reaper;
  if (reaper != NULL)
    {
      /* A reaper this process inherited from a plain fork() of the application (see
       * _g_process_reaper_reset_in_child()): its number may now be anybody's, so it is never
       * used; it stops polling, and this process makes its own. */
      if (reaper->fd_tag != NULL)
        g_source_remove_unix_fd ((GSource *) reaper, g_steal_pointer (&reaper->fd_tag));
      g_hash_table_remove (reapers, context);
    }

  epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (epfd < 0)
    return NULL;
  _g_process_fds_add_locked (epfd);

  reaper = (GProcessReaper *) g_source_new (&reaper_funcs, sizeof (GProcessReaper));
  reaper->context = context;
  reaper->epfd = epfd;
  reaper->owner = _g_process_self_pid ();
  reaper->reap = reap;
  g_source_set_static_name ((GSource *) reaper, "GProcess reaper");
  reaper->fd_tag = g_source_add_unix_fd ((GSource *) reaper, epfd, G_IO_IN);
  g_hash_table_insert (reapers, context, reaper);
  g_source_attach ((GSource *) reaper, context);
  g_source_unref ((GSource *) reaper);  /* the context owns it */
  return reaper;
}

void
_g_process_reaper_watch_locked (GProcessReaper      *reaper,
                                GProcessReaperEntry *entry,
                                int                  sentinel_fd)
{
  struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = entry->serial };

  if (reaper->owner != _g_process_self_pid ())
    return;  /* stale: its number is not ours to write to */
  if (epoll_ctl (reaper->epfd, EPOLL_CTL_ADD, sentinel_fd, &ev) == 0)
    entry->epfd = reaper->epfd;
}

/* The end was observed without the reaper's help: its entry would wake the loop for nothing */
void
_g_process_reaper_unwatch_locked (GProcessReaperEntry *entry,
                                  int                  sentinel_fd)
{
  if (entry->epfd >= 0 && sentinel_fd >= 0)
    epoll_ctl (entry->epfd, EPOLL_CTL_DEL, sentinel_fd, NULL);
  entry->epfd = -1;
}

/* Runs in every new process after the library's descriptors were closed (gprocess-child.c).
 * A child of start() never uses the reapers it inherited (its children are watched by their
 * joins, not by contexts it must not touch): nothing is written, dispatch notices. A plain
 * fork() of the application goes on as the main process and may start children from the
 * same contexts. Its inherited reapers stay stale (owner is the parent): the first start from
 * a context makes a reaper of the copy's own, with a new epoll set at a number nobody else
 * holds (_g_process_reaper_for_context_locked()). A stale reaper is never written to, as its
 * number may by then be the application's: the copy may close the descriptors it inherited
 * (an epoll set is shared with the parent across fork()) and reuse the number. Until then
 * the number holds a new, empty epoll set, so that the context sleeps instead of polling a
 * closed descriptor. */
void
_g_process_reaper_reset_in_child (gboolean started_child)
{
  GHashTableIter iter;
  gpointer value;

  if (started_child || reapers == NULL)
    return;

  g_hash_table_iter_init (&iter, reapers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GProcessReaper *reaper = value;
      int placeholder = epoll_create1 (EPOLL_CLOEXEC);

      if (placeholder >= 0 && placeholder != reaper->epfd)
        {
          dup3 (placeholder, reaper->epfd, O_CLOEXEC);
          close (placeholder);
        }
      _g_process_fds_add_locked (reaper->epfd);
    }
}
