/* gprocess-stop.c: stop(): SIGTERM, a grace period, SIGKILL, the end observed; with a process
 * group, the same for the members that outlive the child
 *
 * The child is waited for on its pidfd (g_process_object_join() and its sources). The members
 * of its group are not our children: they are found in /proc and waited for on pidfds of
 * their own (opened and registered under the lock, as every library descriptor).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gprocess.h"
#include "gprocess-object-private.h"
#include "gprocess-lifecycle-private.h"
#include "gprocess-wait-private.h"

#define get_priv _g_process_object_get_private

/* ---------------------------------------------------------------------------------------- */
/* Waiting for a process group                                                               */

/* The live members (not zombies) of process group @pgid, read from /proc; NULL without /proc */
static GArray *
group_members (pid_t pgid)
{
  DIR *dir = opendir ("/proc");
  struct dirent *e;
  GArray *members;

  if (dir == NULL)
    return NULL;
  members = g_array_new (FALSE, FALSE, sizeof (pid_t));
  while ((e = readdir (dir)) != NULL)
    {
      char path[64], buf[512];
      const char *end;
      char state;
      int ppid, pgrp;
      ssize_t n;
      int fd;

      if (e->d_name[0] < '1' || e->d_name[0] > '9')
        continue;
      g_snprintf (path, sizeof path, "/proc/%s/stat", e->d_name);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        continue;
      n = read (fd, buf, sizeof buf - 1);
      close (fd);
      if (n <= 0)
        continue;
      buf[n] = '\0';
      /* "pid (comm) state ppid pgrp …": comm may hold anything, so parse after its last ')' */
      end = strrchr (buf, ')');
      if (end != NULL && sscanf (end + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 &&
          pgrp == pgid && state != 'Z' && state != 'X')
        {
          pid_t pid = (pid_t) atoi (e->d_name);

          g_array_append_val (members, pid);
        }
    }
  closedir (dir);
  return members;
}

static gboolean
set_timed_out (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       _("Timed out waiting for the process group to end"));
  return FALSE;
}

/* Waits until one of @fds is readable, @deadline (monotonic µs, -1: none) passes, or
 * @cancellable is cancelled. */
static gboolean
poll_until (GArray        *fds,
            gint64         deadline,
            GCancellable  *cancellable,
            GError       **error)
{
  GPollFD cancel_fd;
  gboolean with_cancel = cancellable != NULL && g_cancellable_make_pollfd (cancellable, &cancel_fd);
  struct pollfd *pfds = g_new0 (struct pollfd, fds->len + 1);
  nfds_t n = fds->len;
  gboolean ok = FALSE;

  for (guint i = 0; i < fds->len; i++)
    {
      pfds[i].fd = g_array_index (fds, int, i);
      pfds[i].events = POLLIN;
    }
  if (with_cancel)
    {
      pfds[n].fd = cancel_fd.fd;
      pfds[n].events = POLLIN;
      n++;
    }
  for (;;)
    {
      struct timespec ts, *tsp = NULL;
      int r;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;
      if (deadline >= 0)
        {
          gint64 left = MAX (deadline - g_get_monotonic_time (), 0);

          ts.tv_sec = left / G_USEC_PER_SEC;
          ts.tv_nsec = (left % G_USEC_PER_SEC) * 1000;
          tsp = &ts;
        }
      r = ppoll (pfds, n, tsp, NULL);
      if (r < 0 && errno == EINTR)
        continue;
      if (r == 0)
        {
          set_timed_out (error);
          break;
        }
      if (r > 0 && (!with_cancel || pfds[n - 1].revents == 0 || r > 1))
        {
          ok = TRUE;
          break;
        }
      if (r < 0)
        {
          int saved_errno = errno;

          _g_process_record_errno (saved_errno);
          g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
                       _("Could not wait for the process: %s"), g_strerror (saved_errno));
          break;
        }
    }
  if (with_cancel)
    g_cancellable_release_fd (cancellable);
  g_free (pfds);
  return ok;
}

/* One look at process group @pgid: TRUE when no live member remains. Otherwise @pidfds gets
 * pidfds on its members (opened and registered under the lock, as every library descriptor),
 * or NULL/empty when pidfds are not available (valgrind, no /proc): then the caller naps. */
static gboolean
group_gone_or_watch (pid_t    pgid,
                     GArray **pidfds)
{
  GArray *members = group_members (pgid);

  *pidfds = NULL;
  if (members == NULL)
    return kill (-pgid, 0) < 0 && errno == ESRCH;
  if (members->len == 0)
    {
      g_array_unref (members);
      return TRUE;
    }

  *pidfds = g_array_new (FALSE, FALSE, sizeof (int));
  G_LOCK (process_lock);
  for (guint i = 0; i < members->len; i++)
    {
      int fd = _g_process_pidfd_open (g_array_index (members, pid_t, i));

      if (fd >= 0)
        {
          _g_process_fds_add_locked (fd);
          g_array_append_val (*pidfds, fd);
        }
    }
  G_UNLOCK (process_lock);
  g_array_unref (members);
  return FALSE;
}

static void
close_pidfds (GArray *pidfds)
{
  if (pidfds == NULL)
    return;
  G_LOCK (process_lock);
  for (guint i = 0; i < pidfds->len; i++)
    _g_process_fds_close_locked (g_array_index (pidfds, int, i));
  G_UNLOCK (process_lock);
  g_array_unref (pidfds);
}

/* Waits until process group @pgid has no live member, waking when one of them ends. */
static gboolean
wait_group_gone (pid_t          pgid,
                 gint64         deadline,
                 GCancellable  *cancellable,
                 GError       **error)
{
  gulong nap_us = 50;

  for (;;)
    {
      GArray *pidfds;
      gboolean ok;

      if (group_gone_or_watch (pgid, &pidfds))
        return TRUE;
      if (pidfds != NULL && pidfds->len > 0)
        ok = poll_until (pidfds, deadline, cancellable, error);
      else
        ok = _g_process_wait_nap_until (deadline, &nap_us, cancellable, error);  /* valgrind */
      close_pidfds (pidfds);
      if (!ok)
        return FALSE;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* stop()                                                                                    */

typedef struct
{
  pid_t pgid;           /* the child's pid when it leads a group, else 0 */
  gint64 grace_us;
  gint64 deadline;      /* of the grace period (monotonic µs), or -1 */
  gboolean leader_ended;
  gboolean killed;
  GSource *timeout;     /* stop_async(): while the grace period runs */
  GSource *group_source;  /* stop_async(): while the group's members are watched */
  GArray *group_pidfds;
  gulong nap_us;
} StopState;

static gint64
deadline_from_grace (gint64 grace_us)
{
  gint64 now = g_get_monotonic_time ();

  if (grace_us < 0)
    return -1;
  return grace_us > G_MAXINT64 - now ? -1 : now + grace_us;
}

static gint64
time_left (gint64 deadline)
{
  return deadline < 0 ? -1 : MAX (deadline - g_get_monotonic_time (), 0);
}

static gboolean
check_stoppable_locked (GProcessObject  *self,
                        GError         **error)
{
  GProcessObjectPrivate *priv = get_priv (self);

  if (priv->state == G_PROCESS_STATE_CLOSED)
    g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED,
                 _("Process object “%s” is closed"), priv->name);
  else if (!_g_process_object_is_own_child (self) || _g_process_tree_is_current (self))
    g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_CHILD,
                 _("Can only stop a child process"));
  else if (priv->state == G_PROCESS_STATE_INITIAL || priv->starting)
    g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_STARTED,
                 _("Can only stop a started process"));
  else
    return TRUE;
  return FALSE;
}

static void
send_signal (GProcessObject *self,
             int             signum)
{
  G_LOCK (process_lock);
  _g_process_wait_signal_locked (self, signum);
  G_UNLOCK (process_lock);
}

/* Checks, observes whether the child has ended, and sends SIGTERM (to the group too).
 * Returns FALSE with @error set when the object cannot be stopped. */
static gboolean
stop_begin (GProcessObject  *self,
            gint64           grace_us,
            StopState       *st,
            GError         **error)
{
  GProcessObjectPrivate *priv = get_priv (self);
  gboolean ok;

  G_LOCK (process_lock);
  ok = check_stoppable_locked (self, error);
  st->pgid = priv->lifecycle.process_group ? priv->pid : 0;
  G_UNLOCK (process_lock);
  if (!ok)
    return FALSE;

  st->grace_us = grace_us;
  st->deadline = deadline_from_grace (grace_us);
  st->killed = FALSE;
  st->leader_ended = _g_process_wait_try_reap (self);
  if (!st->leader_ended || st->pgid != 0)
    send_signal (self, SIGTERM);
  return TRUE;
}

/* Whether a join's error still means the child is gone */
static gboolean
join_error_is_end (GError *error)
{
  return g_error_matches (error, G_PROCESS_ERROR, G_PROCESS_ERROR_STATUS_UNKNOWN);
}

/* The leader: wait out the grace period, then SIGKILL and wait for the end */
static gboolean
stop_wait_leader (GProcessObject  *self,
                  StopState       *st,
                  GCancellable    *cancellable,
                  GError         **error)
{
  GError *local = NULL;

  if (g_process_object_join (self, time_left (st->deadline), cancellable, &local) ||
      join_error_is_end (local))
    {
      g_clear_error (&local);
      return TRUE;
    }
  if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  g_clear_error (&local);

  send_signal (self, SIGKILL);
  st->killed = TRUE;
  if (g_process_object_join (self, -1, cancellable, &local) || join_error_is_end (local))
    {
      g_clear_error (&local);
      return TRUE;
    }
  g_propagate_error (error, local);
  return FALSE;
}

/* The rest of the group, once the leader has ended: the same grace period, then SIGKILL */
static gboolean
stop_wait_group (GProcessObject  *self,
                 StopState       *st,
                 GCancellable    *cancellable,
                 GError         **error)
{
  GError *local = NULL;

  if (!st->killed)
    {
      if (wait_group_gone (st->pgid, st->deadline, cancellable, &local))
        return TRUE;
      if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      g_clear_error (&local);
      G_LOCK (process_lock);
      _g_process_lifecycle_signal_group_locked (self, SIGKILL);
      G_UNLOCK (process_lock);
      st->killed = TRUE;
    }
  return wait_group_gone (st->pgid, -1, cancellable, error);
}

/**
 * g_process_object_stop:
 * @self: a started #GProcessObject
 * @grace_us: how long the child has to end after SIGTERM, in microseconds; 0 sends SIGKILL
 *   right after SIGTERM, a negative value waits without limit (no SIGKILL)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Stops the child politely, then for sure: sends SIGTERM, waits up to @grace_us for the
 * child to end, sends SIGKILL if it has not, and returns once the child has ended and its
 * end has been observed (as by g_process_object_join()). The waits sleep on the child's
 * pidfd, without polling.
 *
 * On a child that has already ended it does nothing and succeeds. With
 * #GProcessObject:process-group the whole group gets the signals, and the remaining members of
 * the group are waited for too (TERM, the same grace period, KILL), also when the child itself
 * had already ended.
 *
 * Cancelling @cancellable makes it return %G_IO_ERROR_CANCELLED at once; the child keeps the
 * signals already sent.
 *
 * Errors: %G_IO_ERROR_CANCELLED, %G_PROCESS_ERROR_NOT_STARTED, %G_PROCESS_ERROR_CLOSED,
 * %G_PROCESS_ERROR_NOT_CHILD (created by another process, or the current process).
 *
 * Returns: %TRUE once the child (and its group) has ended
 *
 * Since: 0.2
 */
gboolean
g_process_object_stop (GProcessObject  *self,
                       gint64           grace_us,
                       GCancellable    *cancellable,
                       GError         **error)
{
  StopState st = { 0, };

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!stop_begin (self, grace_us, &st, error))
    return FALSE;
  if (!st.leader_ended && !stop_wait_leader (self, &st, cancellable, error))
    return FALSE;
  if (st.pgid != 0)
    return stop_wait_group (self, &st, cancellable, error);
  return TRUE;
}

static void
stop_async_unwatch_group (StopState *st)
{
  if (st->group_source != NULL)
    {
      g_source_destroy (st->group_source);
      g_clear_pointer (&st->group_source, g_source_unref);
    }
  close_pidfds (g_steal_pointer (&st->group_pidfds));
}

static void
stop_state_free (gpointer data)
{
  StopState *st = data;

  if (st->timeout != NULL)
    {
      g_source_destroy (st->timeout);
      g_source_unref (st->timeout);
    }
  stop_async_unwatch_group (st);
  g_free (st);
}

static gboolean
group_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs group_source_funcs = {
  NULL, NULL, group_source_dispatch, NULL, NULL, NULL,
};

static gboolean
cancelled_source_callback (GCancellable *cancellable,
                           gpointer      user_data)
{
  return G_SOURCE_CONTINUE;
}

static void stop_async_watch_group (GTask *task);

/* A member of the group ended, the grace period passed, a nap ended or the cancellable fired */
static gboolean
stop_async_group_woken (gpointer user_data)
{
  GTask *task = user_data;
  StopState *st = g_task_get_task_data (task);

  stop_async_unwatch_group (st);
  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;
  if (!st->killed && st->deadline >= 0 && g_get_monotonic_time () >= st->deadline)
    {
      G_LOCK (process_lock);
      _g_process_lifecycle_signal_group_locked (g_task_get_source_object (task), SIGKILL);
      G_UNLOCK (process_lock);
      st->killed = TRUE;
    }
  stop_async_watch_group (task);
  return G_SOURCE_REMOVE;
}

/* The members that outlive the leader, in the caller's main context: a source on their
 * pidfds, woken at the end of the grace period (then SIGKILL) */
static void
stop_async_watch_group (GTask *task)
{
  StopState *st = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  gint64 ready = -1;
  GSource *source;
  GArray *pidfds;

  if (group_gone_or_watch (st->pgid, &pidfds))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  source = g_source_new (&group_source_funcs, sizeof (GSource));
  g_source_set_static_name (source, "GProcessObject stop group");
  if (pidfds != NULL && pidfds->len > 0)
    for (guint i = 0; i < pidfds->len; i++)
      g_source_add_unix_fd (source, g_array_index (pidfds, int, i), G_IO_IN);
  else
    {
      ready = g_get_monotonic_time () + (gint64) st->nap_us;
      st->nap_us = MIN (st->nap_us * 2, 10000);
    }
  if (!st->killed && st->deadline >= 0)
    ready = ready < 0 ? st->deadline : MIN (ready, st->deadline);
  g_source_set_ready_time (source, ready);
  if (cancellable != NULL)
    {
      GSource *cancel_source = g_cancellable_source_new (cancellable);

      g_source_set_callback (cancel_source, (GSourceFunc) (void (*) (void)) cancelled_source_callback,
                             NULL, NULL);
      g_source_add_child_source (source, cancel_source);
      g_source_unref (cancel_source);
    }
  st->group_pidfds = pidfds;
  st->group_source = source;
  g_task_attach_source (task, source, stop_async_group_woken);
}

/* The leader has ended (or the cancellable fired) */
static gboolean
stop_async_ended (GProcessObject *process,
                  gpointer        user_data)
{
  GTask *task = user_data;
  StopState *st = g_task_get_task_data (task);

  if (st->timeout != NULL)
    {
      g_source_destroy (st->timeout);
      g_clear_pointer (&st->timeout, g_source_unref);
    }
  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;
  if (st->pgid != 0)
    stop_async_watch_group (task);
  else
    g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static gboolean
stop_async_timeout (gpointer user_data)
{
  GTask *task = user_data;
  StopState *st = g_task_get_task_data (task);

  send_signal (g_task_get_source_object (task), SIGKILL);
  st->killed = TRUE;
  g_clear_pointer (&st->timeout, g_source_unref);
  return G_SOURCE_REMOVE;
}

/**
 * g_process_object_stop_async:
 * @self: a started #GProcessObject
 * @grace_us: as for g_process_object_stop()
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the child has ended
 * @user_data: data for @callback
 *
 * g_process_object_stop() without blocking: the signals are sent at once, the grace period
 * and the end are waited for in the thread-default #GMainContext of the caller, where
 * @callback runs. Call g_process_object_stop_finish() from @callback.
 *
 * Since: 0.2
 */
void
g_process_object_stop_async (GProcessObject      *self,
                             gint64               grace_us,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  StopState *st;
  GError *error = NULL;
  GSource *source;
  GTask *task;

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, g_process_object_stop_async);
  g_task_set_name (task, "[gprocess] stop_async");
  st = g_new0 (StopState, 1);
  st->nap_us = 50;
  g_task_set_task_data (task, st, stop_state_free);

  if (!stop_begin (self, grace_us, st, &error))
    g_task_return_error (task, error);
  else if (st->leader_ended && st->pgid != 0)
    stop_async_watch_group (task);
  else if (st->leader_ended)
    g_task_return_boolean (task, TRUE);
  else
    {
      /* The sources take their own references on the task */
      source = g_process_object_create_source (self, cancellable);
      g_task_attach_source (task, source, (GSourceFunc) (void (*) (void)) stop_async_ended);
      g_source_unref (source);
      if (st->deadline >= 0)
        {
          gint64 ms = (grace_us + 999) / 1000;

          st->timeout = g_timeout_source_new ((guint) MIN (ms, G_MAXUINT));
          g_task_attach_source (task, st->timeout, stop_async_timeout);
        }
    }
  g_object_unref (task);
}

/**
 * g_process_object_stop_finish:
 * @self: a #GProcessObject
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes g_process_object_stop_async().
 *
 * Returns: %TRUE once the child has ended; %FALSE with @error set as for
 *   g_process_object_stop()
 *
 * Since: 0.2
 */
gboolean
g_process_object_stop_finish (GProcessObject  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == g_process_object_stop_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
