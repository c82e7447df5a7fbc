/* gprocess-wait.c: observing the end of a child: the one place a status is collected, and
 * every way to wait for it (join, join_async, create_source, is_alive)
 *
 * Waiting never holds process_lock: a waiter sleeps in poll() on the child's sentinel (its
 * pidfd, or the pipe of the fallback), then takes the lock for a non-blocking waitid() that
 * collects the status. Whoever gets there first observes the end; the others find the exit
 * code already known.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gprocess.h"
#include "gprocess-object-private.h"
#include "gprocess-wait-private.h"

#define get_priv _g_process_object_get_private

static gboolean join_parent (GProcessObject  *self,
                             gint64           timeout_us,
                             GCancellable    *cancellable,
                             GError         **error);

/* ---------------------------------------------------------------------------------------- */
/* Reaping: the one place a child's status is collected                                      */

static int
exit_code_from_wait_status (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return -WTERMSIG (status);
  return G_PROCESS_EXIT_CODE_UNKNOWN;
}

/* Collects the status, without blocking. Returns FALSE while the child runs. */
static gboolean
collect_status_locked (GProcessObjectPrivate *priv,
                       int                   *exit_code)
{
  int status = 0;

  if (priv->sentinel.is_pidfd)
    {
      siginfo_t info;

      memset (&info, 0, sizeof info);
      if (_g_process_pidfd_waitid (priv->sentinel.fd, WEXITED | WNOHANG, &info,
                                   &priv->usage) == 0)
        {
          if (info.si_pid == 0)
            return FALSE;
          *exit_code = info.si_code == CLD_EXITED ? info.si_status : -info.si_status;
          return TRUE;
        }
      /* ECHILD: somebody else collected it (SIGCHLD ignored, or the application's own
       * waitpid (-1)). The kernel may have kept it for us. */
      if (!_g_process_sentinel_fired (&priv->sentinel))
        return FALSE;
      if (_g_process_pidfd_get_exit_status (priv->sentinel.fd, &status))
        *exit_code = exit_code_from_wait_status (status);
      else
        *exit_code = G_PROCESS_EXIT_CODE_UNKNOWN;
      return TRUE;
    }
  else
    {
      /* The pipe fallback: no pidfd exists, so the pid is used, but only while it still
       * names the child (see _g_process_sentinel_bind_pid_locked()): once somebody else
       * reaped the child, the pid may belong to a stranger, maybe another child of ours,
       * whose status must not be taken. */
      pid_t r;

      if (!_g_process_sentinel_names_child (&priv->sentinel))
        {
          *exit_code = G_PROCESS_EXIT_CODE_UNKNOWN;
          return TRUE;
        }
      do
        r = wait4 (priv->pid, &status, WNOHANG, &priv->usage);
      while (r < 0 && errno == EINTR);
      if (r == 0)
        return FALSE;
      *exit_code = r < 0 ? G_PROCESS_EXIT_CODE_UNKNOWN : exit_code_from_wait_status (status);
      return TRUE;
    }
}

/* Observes the end of @self if it has ended, without blocking, and hands the object, with the
 * children list's reference, to *@ended for _g_process_object_notify_ended(). Returns whether
 * this call observed the end. */
gboolean
_g_process_reap_locked (GProcessObject  *self,
                        GProcessObject **ended)
{
  GProcessObjectPrivate *priv = get_priv (self);
  int exit_code;

  if (!_g_process_object_is_own_child (self) || priv->pid == 0 ||
      priv->exit_code != G_PROCESS_EXIT_CODE_NONE || !_g_process_sentinel_is_ours (&priv->sentinel))
    return FALSE;

  if (!collect_status_locked (priv, &exit_code))
    return FALSE;

  _g_process_result_collect_locked (self);   /* before the pid can be given to another child */
  priv->exit_code = exit_code;
  _g_process_reaper_unwatch_locked (&priv->reaper, priv->sentinel.fd);
  if (priv->state == G_PROCESS_STATE_STARTED)
    priv->state = G_PROCESS_STATE_STOPPED;
  _g_process_tree_remove_locked (self);
  priv->next_ended = *ended;
  *ended = self;
  return TRUE;
}

/* Reaps the children that have ended, cheaply: a single waitid (WNOWAIT) tells whether any
 * child at all is a zombie, so the cost does not grow with the number of running children. */
void
_g_process_reap_finished_locked (GProcessObject **ended)
{
  while (_g_process_tree_first_locked () != NULL)
    {
      siginfo_t info;
      GProcessObject *child;

      memset (&info, 0, sizeof info);
      if (waitid (P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0)
        return;

      child = _g_process_tree_find_by_pid_locked (info.si_pid);
      if (child == NULL)
        {
          /* A zombie that is not ours hides the others: check ours one by one. */
          GProcessObject *next;

          for (GProcessObject *c = _g_process_tree_first_locked (); c != NULL; c = next)
            {
              next = _g_process_tree_next_locked (c);
              _g_process_reap_locked (c, ended);
            }
          return;
        }

      if (!_g_process_reap_locked (child, ended))
        return;
    }
}

/* The collector of the files below this one (gprocess-core.c), set when the library loads */
static void __attribute__ ((constructor))
register_collector (void)
{
  _g_process_set_collector (_g_process_wait_try_reap);
}

/* Observes the end without blocking; returns whether the child is known to have ended. */
gboolean
_g_process_wait_try_reap (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);
  GProcessObject *ended = NULL;
  gboolean known;

  G_LOCK (process_lock);
  _g_process_reap_locked (self, &ended);
  known = priv->exit_code != G_PROCESS_EXIT_CODE_NONE;
  G_UNLOCK (process_lock);

  _g_process_object_notify_ended (ended);
  return known;
}

/* Signals a started child that has not been reaped: through its pidfd, which cannot name
 * another process. In the pipe fallback the pid is used only while it still names the child
 * (see _g_process_sentinel_bind_pid_locked()). */
void
_g_process_wait_signal_locked (GProcessObject *self,
                               int             signum)
{
  GProcessObjectPrivate *priv = get_priv (self);

  _g_process_lifecycle_signal_group_locked (self, signum);  /* with process-group: the group */
  if (!_g_process_object_is_own_child (self) || priv->state != G_PROCESS_STATE_STARTED ||
      priv->exit_code != G_PROCESS_EXIT_CODE_NONE || priv->pid <= 0 ||
      !_g_process_sentinel_is_ours (&priv->sentinel))
    return;

  if (priv->sentinel.is_pidfd)
    _g_process_pidfd_send_signal (priv->sentinel.fd, signum);
  else if (_g_process_sentinel_names_child (&priv->sentinel))
    kill (priv->pid, signum);
}

/* ---------------------------------------------------------------------------------------- */
/* Blocking waits                                                                            */

/* The absolute deadline of a timeout in microseconds (negative: none), without overflowing */
static gint64
deadline_from_timeout (gint64 timeout_us)
{
  gint64 now;

  if (timeout_us < 0)
    return -1;
  now = g_get_monotonic_time ();
  return timeout_us > G_MAXINT64 - now ? -1 : now + timeout_us;
}

static gboolean
set_timed_out_error (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       _("Timed out waiting for the process to end"));
  return FALSE;
}

static gboolean
wait_for_fd_until (int            fd,
                   gint64         deadline,
                   GCancellable  *cancellable,
                   GError       **error)
{
  struct pollfd fds[2] = { { fd, POLLIN, 0 }, { -1, POLLIN, 0 } };
  nfds_t n_fds = 1;
  gboolean ok = FALSE;
  GPollFD cancel_fd;

  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &cancel_fd))
    {
      fds[1].fd = cancel_fd.fd;
      n_fds = 2;
    }

  for (;;)
    {
      struct timespec ts, *tsp = NULL;
      int r;

      if (deadline >= 0)
        {
          gint64 left = MAX (deadline - g_get_monotonic_time (), 0);

          ts.tv_sec = left / G_USEC_PER_SEC;
          ts.tv_nsec = (left % G_USEC_PER_SEC) * 1000;
          tsp = &ts;
        }

      r = ppoll (fds, n_fds, tsp, NULL);
      if (r < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          _g_process_record_errno (saved_errno);
          g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
                       _("Could not wait for the process: %s"), g_strerror (saved_errno));
          break;
        }
      if (fds[0].revents != 0)
        {
          ok = TRUE;
          break;
        }
      if (n_fds == 2 && fds[1].revents != 0 &&
          g_cancellable_set_error_if_cancelled (cancellable, error))
        break;
      if (r == 0)
        {
          set_timed_out_error (error);
          break;
        }
    }

  if (n_fds == 2)
    g_cancellable_release_fd (cancellable);
  return ok;
}

/* Waits until @fd is readable, the timeout passes or @cancellable is cancelled. Survives
 * signals. The timeout is in microseconds; negative means none. */
gboolean
_g_process_wait_for_fd (int            fd,
                        gint64         timeout_us,
                        GCancellable  *cancellable,
                        GError       **error)
{
  return wait_for_fd_until (fd, deadline_from_timeout (timeout_us), cancellable, error);
}

/* The only naps of the library, outside the lock, where the kernel offers no wake-up: the
 * pipe fallback's window after the child closed its end of the pipe but before it is a zombie
 * (it is exiting, or closed every descriptor), and stop()'s wait for the members of a process
 * group when no pidfd can be opened on them (valgrind). */
gboolean
_g_process_wait_nap_until (gint64         deadline,
                           gulong        *nap_us,
                           GCancellable  *cancellable,
                           GError       **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (deadline >= 0 && g_get_monotonic_time () >= deadline)
    return set_timed_out_error (error);
  g_usleep (*nap_us);
  *nap_us = MIN (*nap_us * 2, 10000);
  return TRUE;
}

/* The pipe fallback's reap of a child that has no object (the fork server, its warm children),
 * once it has ended or is about to: no pidfd names it, so its pid is used only while @proc
 * (/proc/<pid>, bound while it was surely our unreaped child:
 * _g_process_sentinel_bind_pid_locked()) still resolves. Once somebody else has reaped it
 * (the application's waitpid (-1), SIGCHLD ignored), the pid may be anybody's, even another
 * child of ours, which must be neither waited for nor reaped: a blocking waitpid (pid) would
 * be safe only if nobody else could reap our children. So it is collected without blocking,
 * with the naps above over the window before it is a zombie. Without /proc the pid is
 * trusted, as for children. Outside process_lock. */
void
_g_process_wait_reap_by_pid (const GProcessSentinel *proc,
                             pid_t                   pid)
{
  gulong nap_us = 50;

  while (pid > 0 && _g_process_sentinel_names_child (proc))
    {
      int status;
      pid_t r;

      do
        r = waitpid (pid, &status, WNOHANG);
      while (r < 0 && errno == EINTR);
      if (r != 0)
        return;
      _g_process_wait_nap_until (-1, &nap_us, NULL, NULL);
    }
}

static gboolean
check_status_known_locked (GProcessObject  *self,
                           GError         **error)
{
  if (get_priv (self)->exit_code == G_PROCESS_EXIT_CODE_UNKNOWN)
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_STATUS_UNKNOWN,
                   _("Process “%s” has ended, but its exit status was collected by someone "
                     "else"), get_priv (self)->name);
      return FALSE;
    }
  return TRUE;
}

/* The child branch of g_process_object_join(), after its checks */
static gboolean
join_child (GProcessObject  *self,
            gint64           timeout_us,
            GCancellable    *cancellable,
            GError         **error)
{
  GProcessObjectPrivate *priv = get_priv (self);
  gint64 deadline = deadline_from_timeout (timeout_us);
  gulong nap_us = 50;
  gboolean ok = TRUE;

  for (;;)
    {
      GProcessObject *ended = NULL;
      gboolean fired;
      int fd;

      G_LOCK (process_lock);
      if (priv->exit_code != G_PROCESS_EXIT_CODE_NONE)
        {
          ok = check_status_known_locked (self, error);
          G_UNLOCK (process_lock);
          return ok;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          G_UNLOCK (process_lock);
          return FALSE;
        }
      fd = _g_process_sentinel_acquire_locked (&priv->sentinel);
      G_UNLOCK (process_lock);

      fired = wait_for_fd_until (fd, deadline, cancellable, error);

      G_LOCK (process_lock);
      _g_process_sentinel_release_locked (&priv->sentinel, priv->state == G_PROCESS_STATE_CLOSED);
      if (fired)
        _g_process_reap_locked (self, &ended);
      G_UNLOCK (process_lock);
      _g_process_object_notify_ended (ended);

      if (!fired)
        return FALSE;
      if (ended == NULL && !priv->sentinel.is_pidfd &&
          !_g_process_wait_nap_until (deadline, &nap_us, cancellable, error))
        return FALSE;
    }
}

/* What join() and join_async() refuse, in one place */
static gboolean
check_joinable_locked (GProcessObject  *self,
                       GError         **error)
{
  GProcessObjectPrivate *priv = get_priv (self);

  if (priv->state == G_PROCESS_STATE_CLOSED)
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED,
                   _("Process object “%s” is closed"), priv->name);
      return FALSE;
    }
  if (_g_process_tree_is_current (self))
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_JOIN_SELF,
                   _("A process cannot join itself"));
      return FALSE;
    }
  if (!_g_process_object_is_own_child (self))
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_CHILD,
                   _("Can only join a child process"));
      return FALSE;
    }
  if (priv->state == G_PROCESS_STATE_INITIAL)
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_STARTED,
                   _("Can only join a started process"));
      return FALSE;
    }
  return TRUE;
}

/**
 * g_process_object_join:
 * @self: a #GProcessObject
 * @timeout_us: how long to wait, in microseconds; negative for no limit, 0 to check only
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Waits until the child ends, without polling: it sleeps in poll() on the child's pidfd and on
 * @cancellable, holding no lock. It returns as soon as the child ends, survives signals and
 * may be called many times and from several threads at once; all of them see the same exit
 * code. Once it observes the end it notifies #GProcessObject:state and
 * #GProcessObject:exit-code.
 *
 * In a child, joining g_process_get_parent() waits for the parent to end (this needs
 * pidfd_open, Linux 5.3; without it the join fails with %G_PROCESS_ERROR_FAILED).
 *
 * Errors: %G_IO_ERROR_TIMED_OUT when @timeout_us passed (the child keeps running),
 * %G_IO_ERROR_CANCELLED, %G_PROCESS_ERROR_CLOSED, %G_PROCESS_ERROR_JOIN_SELF,
 * %G_PROCESS_ERROR_NOT_CHILD (created by another process), %G_PROCESS_ERROR_NOT_STARTED,
 * %G_PROCESS_ERROR_STATUS_UNKNOWN (the child has ended, but somebody else collected its
 * status and the kernel kept none; its exit code is %G_PROCESS_EXIT_CODE_UNKNOWN).
 *
 * Returns: %TRUE once the child has ended
 *
 * Since: 0.1
 */
gboolean
g_process_object_join (GProcessObject  *self,
                       gint64           timeout_us,
                       GCancellable    *cancellable,
                       GError         **error)
{
  GProcessObjectPrivate *priv;
  gboolean joinable;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = get_priv (self);
  if (priv->kind == PROCESS_KIND_PARENT)
    {
      G_LOCK (process_lock);
      joinable = priv->state != G_PROCESS_STATE_CLOSED;
      G_UNLOCK (process_lock);
      if (!joinable)
        {
          g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED,
                       _("Process object “%s” is closed"), priv->name);
          return FALSE;
        }
      return join_parent (self, timeout_us, cancellable, error);
    }

  G_LOCK (process_lock);
  joinable = check_joinable_locked (self, error);
  G_UNLOCK (process_lock);
  if (!joinable)
    return FALSE;

  return join_child (self, timeout_us, cancellable, error);
}

/* ---------------------------------------------------------------------------------------- */
/* Sources: create_source() and join_async()                                                */

typedef struct
{
  GSource source;
  GProcessObject *process;   /* owned */
  GCancellable *cancellable; /* owned, nullable */
  gpointer fd_tag;           /* while the sentinel is polled */
  gulong nap_us;             /* the pipe fallback's retry interval (see
                              * _g_process_wait_nap_until()) */
} ProcessSource;

static gboolean
process_source_dispatch (GSource     *source,
                         GSourceFunc  callback,
                         gpointer     user_data)
{
  ProcessSource *ps = (ProcessSource *) source;
  GProcessObjectPrivate *priv = get_priv (ps->process);
  GProcessObject *ended = NULL;
  gboolean known;

  G_LOCK (process_lock);
  _g_process_reap_locked (ps->process, &ended);
  known = priv->exit_code != G_PROCESS_EXIT_CODE_NONE || priv->state != G_PROCESS_STATE_STARTED;
  if (!known && ps->fd_tag != NULL && g_source_query_unix_fd (source, ps->fd_tag) != 0)
    {
      /* The pipe fallback's window (see _g_process_wait_nap_until()): stop polling the closed
       * pipe, retry */
      g_source_remove_unix_fd (source, g_steal_pointer (&ps->fd_tag));
      _g_process_sentinel_release_locked (&priv->sentinel, FALSE);
    }
  G_UNLOCK (process_lock);
  _g_process_object_notify_ended (ended);

  if (!known && !g_cancellable_is_cancelled (ps->cancellable))
    {
      if (ps->fd_tag == NULL)
        {
          g_source_set_ready_time (source, g_get_monotonic_time () + ps->nap_us);
          ps->nap_us = MIN (ps->nap_us * 2, 10000);
        }
      return G_SOURCE_CONTINUE;
    }

  /* When only the cancellable's child source woke it, the callback learns so from its
   * cancellable. */
  if (callback != NULL)
    ((GProcessSourceFunc) (void (*) (void)) callback) (ps->process, user_data);
  return G_SOURCE_REMOVE;
}

static void
process_source_finalize (GSource *source)
{
  ProcessSource *ps = (ProcessSource *) source;

  if (ps->fd_tag != NULL)
    {
      GProcessObjectPrivate *priv = get_priv (ps->process);

      G_LOCK (process_lock);
      _g_process_sentinel_release_locked (&priv->sentinel, priv->state == G_PROCESS_STATE_CLOSED);
      G_UNLOCK (process_lock);
    }
  g_clear_object (&ps->cancellable);
  g_clear_object (&ps->process);
}

static gboolean
process_source_closure_callback (GProcessObject *process,
                                 gpointer        user_data)
{
  GClosure *closure = user_data;
  GValue param = G_VALUE_INIT;
  GValue result = G_VALUE_INIT;
  gboolean ret;

  g_value_init (&result, G_TYPE_BOOLEAN);
  g_value_init (&param, G_PROCESS_TYPE_OBJECT);
  g_value_set_object (&param, process);
  g_closure_invoke (closure, &result, 1, &param, NULL);
  ret = g_value_get_boolean (&result);
  g_value_unset (&param);
  g_value_unset (&result);
  return ret;
}

static GSourceFuncs process_source_funcs = {
  NULL,
  NULL,
  process_source_dispatch,
  process_source_finalize,
  (GSourceFunc) (void (*) (void)) process_source_closure_callback,
  NULL,
};

static gboolean
cancelled_source_callback (GCancellable *cancellable,
                           gpointer      user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Outside the lock (the contract: no source made, no reference taken under it): a source for
 * the end of a process, watching @cancellable if not %NULL; process_source_bind_locked() then
 * gives it its process. */
static GSource *
process_source_new (GCancellable *cancellable)
{
  GSource *source = g_source_new (&process_source_funcs, sizeof (ProcessSource));
  ProcessSource *ps = (ProcessSource *) source;

  g_source_set_static_name (source, "GProcessObject end");
  ps->nap_us = 50;
  if (cancellable != NULL)
    {
      GSource *cancel_source = g_cancellable_source_new (cancellable);

      ps->cancellable = g_object_ref (cancellable);
      g_source_set_callback (cancel_source, (GSourceFunc) (void (*) (void)) cancelled_source_callback,
                             NULL, NULL);
      g_source_add_child_source (source, cancel_source);
      g_source_unref (cancel_source);
    }
  return source;
}

/* Called with process_lock held. @self has started; the source takes over @self_ref (a
 * reference taken before locking: a first extra reference may call a binding's toggle-ref
 * handler, which must not run under the lock) and, while the child has not been reaped, a use
 * of the sentinel. */
static void
process_source_bind_locked (GSource        *source,
                            GProcessObject *self_ref)
{
  GProcessObjectPrivate *priv = get_priv (self_ref);
  ProcessSource *ps = (ProcessSource *) source;

  ps->process = self_ref;
  if (priv->exit_code == G_PROCESS_EXIT_CODE_NONE && _g_process_sentinel_is_ours (&priv->sentinel))
    ps->fd_tag = g_source_add_unix_fd (source, _g_process_sentinel_acquire_locked (&priv->sentinel),
                                       G_IO_IN);
  else
    g_source_set_ready_time (source, 0);
}

static void
join_async_done (GProcessObject *process,
                 gpointer        user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  gboolean known;

  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  G_LOCK (process_lock);
  known = check_status_known_locked (process, &error);
  G_UNLOCK (process_lock);
  if (known)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
join_source_callback (GProcessObject *process,
                      gpointer        user_data)
{
  join_async_done (process, user_data);
  return G_SOURCE_REMOVE;
}

/**
 * g_process_object_join_async:
 * @self: a #GProcessObject
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the child has ended
 * @user_data: data for @callback
 *
 * Waits for the child to end without blocking: @callback runs in the thread-default
 * #GMainContext of the caller once it has (or, if it has already ended, in a later iteration
 * of that context). Any number of asynchronous joins may be pending on one object.
 * Cancelling @cancellable completes the join with %G_IO_ERROR_CANCELLED and leaves the child
 * running. Call g_process_object_join_finish() from @callback.
 *
 * It fails as g_process_object_join() does, except that in a child, joining
 * g_process_get_parent() asynchronously is not supported (%G_PROCESS_ERROR_NOT_CHILD).
 *
 * Since: 0.1
 */
void
g_process_object_join_async (GProcessObject      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GProcessObjectPrivate *priv;
  GError *error = NULL;
  GTask *task;
  GSource *source = NULL;
  GProcessObject *self_ref;
  gboolean ended = FALSE;

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  priv = get_priv (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, g_process_object_join_async);
  g_task_set_name (task, "[gprocess] join_async");
  self_ref = g_object_ref (self);
  source = process_source_new (cancellable);

  G_LOCK (process_lock);
  if (!check_joinable_locked (self, &error))
    ;
  else if (priv->exit_code != G_PROCESS_EXIT_CODE_NONE)
    ended = TRUE;
  else
    process_source_bind_locked (source, g_steal_pointer (&self_ref));
  G_UNLOCK (process_lock);

  g_clear_object (&self_ref);
  if (error != NULL || ended)
    g_clear_pointer (&source, g_source_unref);   /* not bound: nothing to release */
  if (error != NULL)
    g_task_return_error (task, error);
  else if (ended)
    join_async_done (self, task);
  else
    {
      /* The source takes its own reference on the task */
      g_task_attach_source (task, source, (GSourceFunc) (void (*) (void)) join_source_callback);
      g_source_unref (source);
    }
  g_object_unref (task);
}

/**
 * g_process_object_join_finish:
 * @self: a #GProcessObject
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes g_process_object_join_async().
 *
 * Returns: %TRUE once the child has ended; %FALSE with @error set as for
 *   g_process_object_join()
 *
 * Since: 0.1
 */
gboolean
g_process_object_join_finish (GProcessObject  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == g_process_object_join_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * g_process_object_create_source:
 * @self: a started #GProcessObject
 * @cancellable: (nullable): a #GCancellable
 *
 * Creates a #GSource that dispatches once, when the child has ended (at once if it already
 * has) or when @cancellable is cancelled. Before its callback (a #GProcessSourceFunc, set with
 * g_source_set_callback()) runs, the end has been observed, so g_process_object_get_exit_code()
 * is known unless the source was woken by @cancellable.
 *
 * Returns: (transfer full) (nullable): a new #GSource, or %NULL (with a critical warning) if
 *   @self was not started by the current process
 *
 * Since: 0.1
 */
GSource *
g_process_object_create_source (GProcessObject *self,
                                GCancellable   *cancellable)
{
  GProcessObjectPrivate *priv;
  GProcessObject *self_ref;
  GSource *source = NULL;
  gboolean bound = TRUE;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  priv = get_priv (self);
  self_ref = g_object_ref (self);
  source = process_source_new (cancellable);
  G_LOCK (process_lock);
  if (_g_process_object_is_own_child (self) && priv->pid != 0)
    process_source_bind_locked (source, g_steal_pointer (&self_ref));
  else
    bound = FALSE;
  G_UNLOCK (process_lock);
  g_clear_object (&self_ref);
  if (!bound)
    g_clear_pointer (&source, g_source_unref);

  if (source == NULL)
    g_critical ("g_process_object_create_source: process “%s” was not started by this process",
                g_process_object_get_name (self));
  return source;
}

/**
 * g_process_object_is_alive:
 * @self: a #GProcessObject
 *
 * Whether the process is alive: from the return of g_process_object_start() until the child
 * ends. If the child has ended it is reaped here (notifying #GProcessObject:state and
 * #GProcessObject:exit-code). The current process is always alive; the parent
 * (g_process_get_parent()) is alive until it ends. Only the process that created an object
 * may test it: for others this returns %FALSE with a critical warning.
 *
 * Returns: %TRUE while the process runs
 *
 * Since: 0.1
 */
gboolean
g_process_object_is_alive (GProcessObject *self)
{
  GProcessObjectPrivate *priv;
  gboolean alive;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), FALSE);

  priv = get_priv (self);
  if (_g_process_tree_is_current (self))
    return TRUE;

  G_LOCK (process_lock);
  if (priv->kind == PROCESS_KIND_PARENT)
    {
      GProcessState before = priv->state;

      alive = _g_process_tree_parent_is_alive_locked (self);
      G_UNLOCK (process_lock);
      if (before != priv->state)
        _g_process_object_notify_state (self);
      return alive;
    }
  if (!_g_process_object_is_own_child (self))
    {
      G_UNLOCK (process_lock);
      g_critical ("g_process_object_is_alive: can only test a child process (“%s”)", priv->name);
      return FALSE;
    }
  if (priv->state != G_PROCESS_STATE_STARTED)
    {
      G_UNLOCK (process_lock);
      return FALSE;
    }
  G_UNLOCK (process_lock);

  return !_g_process_wait_try_reap (self);
}

/* What join() refuses, for g_process_object_check() (gprocess-introspect.c) */
gboolean
_g_process_wait_check_joinable_locked (GProcessObject  *self,
                                       GError         **error)
{
  return check_joinable_locked (self, error);
}

/* Whether @source was made by g_process_object_create_source() */
gboolean
_g_process_wait_is_process_source (GSource *source)
{
  return source->source_funcs == &process_source_funcs;
}

/* ---------------------------------------------------------------------------------------- */
/* The parent of a child                                                                     */

/* g_process_object_join() on g_process_get_parent(): waits for the parent to end. */
static gboolean
join_parent (GProcessObject  *self,
             gint64           timeout_us,
             GCancellable    *cancellable,
             GError         **error)
{
  GProcessObjectPrivate *priv = get_priv (self);
  gboolean stopped_now = FALSE;
  gboolean ok;
  int fd;

  G_LOCK (process_lock);
  fd = _g_process_tree_parent_fd_locked (self);
  if (fd >= 0)
    _g_process_sentinel_acquire_locked (&priv->sentinel);
  G_UNLOCK (process_lock);

  if (fd == -2)
    {
      _g_process_record_errno (0);
      g_set_error_literal (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
                           _("Waiting for the parent process needs pidfd_open (Linux 5.3)"));
      return FALSE;
    }
  if (fd < 0)
    return TRUE;

  ok = _g_process_wait_for_fd (fd, timeout_us, cancellable, error);

  G_LOCK (process_lock);
  _g_process_sentinel_release_locked (&priv->sentinel, priv->state == G_PROCESS_STATE_CLOSED);
  if (ok && priv->state == G_PROCESS_STATE_STARTED)
    {
      priv->state = G_PROCESS_STATE_STOPPED;
      stopped_now = TRUE;
    }
  G_UNLOCK (process_lock);

  if (stopped_now)
    _g_process_object_notify_state (self);
  return ok;
}
