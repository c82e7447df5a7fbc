/* gprocess-start.c: the life of a process object as its caller drives it: start(), the
 * signals terminate() and kill(), and close()
 *
 * start() checks and prepares under the lock, forks (gprocess-child.c), publishes the child
 * (pidfd, reaper, children list) and only then notifies, outside the lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gprocess.h"
#include "gprocess-object-private.h"
#include "gprocess-exit-private.h"
#include "gprocess-child-private.h"
#include "gprocess-forkserver-private.h"
#include "gprocess-wait-private.h"

#define get_priv(self) _g_process_object_get_private (self)

/* ---------------------------------------------------------------------------------------- */
/* start()                                                                                   */

typedef struct
{
  GProcessForkRequest fork;
  GProcessReaper *reaper;          /* of the caller's thread-default context, or NULL */
  GDestroyNotify target_destroy;   /* released once the child has its copy */
  gpointer target_data;
} StartRequest;

static gboolean
set_closed_error (GProcessObject  *self,
                  GError         **error)
{
  g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED,
               _("Process object “%s” is closed"), get_priv (self)->name);
  return FALSE;
}

/* What start() refuses, before anything is created */
static gboolean
start_check_locked (GProcessObject  *self,
                    GError         **error)
{
  GProcessObjectPrivate *priv = get_priv (self);
  GProcessObject *current = _g_process_tree_current ();

  if (priv->state == G_PROCESS_STATE_CLOSED)
    return set_closed_error (self, error);
  if (priv->kind != PROCESS_KIND_CHILD || self == current)
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_CHILD,
                   _("Process “%s” is the current or the parent process and cannot be started"),
                   priv->name);
      return FALSE;
    }
  if (priv->state != G_PROCESS_STATE_INITIAL || priv->starting)
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_ALREADY_STARTED,
                   _("Cannot start process “%s” twice"), priv->name);
      return FALSE;
    }
  if (!_g_process_object_is_own_child (self))
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_CHILD,
                   _("Can only start a process object created by the current process"));
      return FALSE;
    }
  if (get_priv (current)->daemon)
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_DAEMONIC,
                   _("Daemonic processes are not allowed to have children"));
      return FALSE;
    }
  return TRUE;
}

/* Everything written before the fork: after it, every page written is a copy. The object is
 * listed (with the reference start() took) and marked starting; its descriptors exist and are
 * registered. */
static gboolean
start_prepare_locked (GProcessObject  *self,
                      StartRequest    *request,
                      GProcessObject **ended,
                      GError         **error)
{
  GProcessObjectPrivate *priv = get_priv (self);

  if (!start_check_locked (self, error) ||
      !_g_process_lifecycle_prepare_start_locked (self, error))
    return FALSE;

  _g_process_fds_ensure_devnull_locked ();
  /* Only in the main process: a child must not touch contexts it inherited from its parent. */
  if (get_priv (_g_process_tree_current ())->kind == PROCESS_KIND_MAIN)
    {
      GMainContext *context = g_main_context_get_thread_default ();

      request->reaper = _g_process_reaper_for_context_locked (context != NULL ? context :
                                                              g_main_context_default (),
                                                              _g_process_reap_locked);
    }
  _g_process_reap_finished_locked (ended);

  if (!_g_process_child_prepare_locked (&request->fork, error))
    return FALSE;
  request->fork.object = self;
  request->fork.creator = _g_process_self_pid ();

  priv->starting = TRUE;
  priv->reaper.serial = _g_process_tree_next_serial_locked ();
  _g_process_tree_add_locked (self);
  return TRUE;
}

/* After the fork, in the parent: the sentinel, the pid, the reaper's watch; the target is
 * released (the child has its own copy). */
static gboolean
start_publish_locked (GProcessObject *self,
                      StartRequest   *request,
                      int            *saved_errno)
{
  GProcessObjectPrivate *priv = get_priv (self);

  if (!_g_process_child_finish_locked (&request->fork, &priv->sentinel, saved_errno))
    return FALSE;
  if (!priv->sentinel.is_pidfd)
    _g_process_sentinel_bind_pid_locked (&priv->sentinel, request->fork.pid);

  priv->pid = request->fork.pid;
  priv->state = G_PROCESS_STATE_STARTED;
  priv->starting = FALSE;
  _g_process_tree_set_pid_locked (self);
  if (request->reaper != NULL)
    _g_process_reaper_watch_locked (request->reaper, &priv->reaper, priv->sentinel.fd);

  request->target_destroy = g_steal_pointer (&priv->target_destroy);
  request->target_data = g_steal_pointer (&priv->target_data);
  priv->target = NULL;
  return TRUE;
}

/* The one rollback: no child runs (it never existed, or it left without running anything).
 * The error is @cause if given (taken), else made from @saved_errno. */
static gboolean
start_abort (GProcessObject  *self,
             StartRequest    *request,
             int              saved_errno,
             GError          *cause,
             GError         **error)
{
  GProcessObjectPrivate *priv = get_priv (self);
  char *name;

  G_LOCK (process_lock);
  _g_process_child_abort_locked (&request->fork);
  priv->starting = FALSE;
  _g_process_tree_remove_locked (self);
  name = g_strdup (priv->name);
  G_UNLOCK (process_lock);

  if (cause != NULL)
    g_propagate_error (error, cause);
  else
    {
      _g_process_set_start_error (error, name, saved_errno);
    }
  g_free (name);
  g_object_unref (self);  /* the children list's reference */
  return FALSE;
}

/* The fork server makes the child (gprocess-forkserver.c). On success, returns with the lock
 * held, as after a fork; on failure the start is rolled back. */
static gboolean
start_by_server (GProcessObject  *self,
                 StartRequest    *request,
                 GVariant        *properties,
                 GError         **error)
{
  GError *cause = NULL;
  gboolean ok;

  ok = _g_process_forkserver_spawn (&request->fork, properties, &cause);
  g_clear_pointer (&properties, g_variant_unref);
  if (ok)
    return TRUE;

  if (request->fork.gate_write_fd >= 0)
    {
      /* A child the server made may wait at the gate (its pidfd did not arrive, or the
       * server died before answering): it leaves without running anything */
      static const char abort_byte = 'x';

      while (write (request->fork.gate_write_fd, &abort_byte, 1) < 0 && errno == EINTR)
        ;
    }
  if (request->fork.pid > 0)
    _g_process_child_reap_aborted (request->fork.pid);
  return start_abort (self, request, 0, cause, error);
}

/**
 * g_process_object_start:
 * @self: a #GProcessObject
 * @error: return location for a #GError
 *
 * Starts the process: makes a child that runs g_process_object_run() and ends, by fork() or
 * through the fork server, as #GProcessObject:start-method says (see
 * [Start methods][gprocess-start-methods]). Call it at most once per object, from the
 * process that created it.
 *
 * Before forking it reaps the children of this process that have already ended and flushes
 * stdout and stderr, so that buffered output is not written twice. It registers the child with
 * the reaper of the thread-default #GMainContext of the caller (in the main process only), so
 * that the end of the child is observed, and notified, by that main loop without further
 * calls. On success it notifies #GProcessObject:pid and #GProcessObject:state in the calling
 * thread.
 *
 * A start either fails before the child has run anything, or succeeds: the child's pidfd is
 * created before the child may proceed, so that it always names this child, even when
 * somebody else collects the statuses of the process's children.
 *
 * Errors: %G_PROCESS_ERROR_CLOSED, %G_PROCESS_ERROR_ALREADY_STARTED (also while another thread
 * is starting it), %G_PROCESS_ERROR_NOT_CHILD (created by another process, or the current
 * process itself), %G_PROCESS_ERROR_DAEMONIC (the current process is daemonic),
 * %G_PROCESS_ERROR_FAILED (fork() or a descriptor for the child could not be made, or the fork
 * server has exited; g_process_get_last_errno() then gives the `errno` value, or 0),
 * %G_PROCESS_ERROR_NOT_TRANSFERABLE (the fork server cannot rebuild the object: its type or
 * its target did not exist when the server started, or the target's user data points to
 * memory the server does not have as the application has it).
 *
 * Returns: %TRUE if the child was started
 *
 * Since: 0.1
 */
gboolean
g_process_object_start (GProcessObject  *self,
                        GError         **error)
{
  StartRequest request = { G_PROCESS_FORK_REQUEST_INIT, NULL, NULL, NULL };
  GProcessObject *ended = NULL;
  GProcessStartMethod method;
  GVariant *properties = NULL;
  gboolean prepared;
  int saved_errno = 0;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* What crosses to a fork-server child is read first: the subclass's getters are user code */
  method = g_process_object_get_start_method (self);
  if (method == G_PROCESS_START_METHOD_FORKSERVER)
    properties = _g_process_forkserver_collect (self);

  /* The children list's reference, taken before the fork (a write after it is a copy) and
   * outside the lock (a first extra reference may run a binding's toggle handler). */
  g_object_ref (self);
  G_LOCK (process_lock);
  prepared = start_prepare_locked (self, &request, &ended, error);
  G_UNLOCK (process_lock);
  _g_process_object_notify_ended (ended);
  if (!prepared)
    {
      g_clear_pointer (&properties, g_variant_unref);
      g_object_unref (self);
      return FALSE;
    }

  _g_process_exit_register_atexit ();
  _g_process_flush_std_streams ();

  if (method == G_PROCESS_START_METHOD_FORKSERVER)
    {
      /* Returns with the lock held on success */
      if (!start_by_server (self, &request, g_steal_pointer (&properties), error))
        return FALSE;
    }
  else
    {
      if (_g_process_child_fork (&request.fork) < 0)   /* never returns in the child */
        return start_abort (self, &request, errno, NULL, error);
      G_LOCK (process_lock);
    }

  if (!start_publish_locked (self, &request, &saved_errno))
    {
      G_UNLOCK (process_lock);
      _g_process_child_reap_aborted (request.fork.pid);
      return start_abort (self, &request, saved_errno, NULL, error);
    }
  G_UNLOCK (process_lock);

  if (request.target_destroy != NULL)
    request.target_destroy (request.target_data);
  _g_process_object_notify_started (self);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* terminate, kill, close                                                                    */

static void
send_signal (GProcessObject *self,
             int             signum)
{
  g_return_if_fail (G_PROCESS_IS_OBJECT (self));

  G_LOCK (process_lock);
  _g_process_wait_signal_locked (self, signum);
  G_UNLOCK (process_lock);
}

/**
 * g_process_object_terminate:
 * @self: a #GProcessObject
 *
 * Sends SIGTERM to the child, through its pidfd: never to another process that was given its
 * pid after it ended. It does not wait and does not reap: join it afterwards. Its exit
 * handlers do not run, and its own children are not terminated. Does nothing unless the child
 * runs (before start, after its end was observed, after close).
 *
 * Terminating a process that holds a lock, or writes into a pipe, may leave them unusable for
 * other processes.
 *
 * Since: 0.1
 */
void
g_process_object_terminate (GProcessObject *self)
{
  send_signal (self, SIGTERM);
}

/**
 * g_process_object_kill:
 * @self: a #GProcessObject
 *
 * Like g_process_object_terminate(), with SIGKILL.
 *
 * Since: 0.1
 */
void
g_process_object_kill (GProcessObject *self)
{
  send_signal (self, SIGKILL);
}

/**
 * g_process_object_close:
 * @self: a #GProcessObject
 * @error: return location for a #GError
 *
 * Releases the resources of the object (its sentinel). It fails with
 * %G_PROCESS_ERROR_STILL_RUNNING while the child runs, and while another thread is starting
 * it; it is allowed before start and may be called again. Afterwards g_process_object_start(),
 * g_process_object_join() and g_process_object_join_async() fail with
 * %G_PROCESS_ERROR_CLOSED, while the name, daemon flag, authentication key, pid and exit code
 * can still be read. It notifies #GProcessObject:state. On the main process object it does
 * nothing.
 *
 * Returns: %TRUE if the object is closed
 *
 * Since: 0.1
 */
gboolean
g_process_object_close (GProcessObject  *self,
                        GError         **error)
{
  GProcessObjectPrivate *priv;
  GProcessObject *ended = NULL;
  gboolean changed = FALSE;
  gboolean running = FALSE;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = get_priv (self);
  if (priv->kind == PROCESS_KIND_MAIN)
    return TRUE;

  G_LOCK (process_lock);
  if (priv->state != G_PROCESS_STATE_CLOSED)
    {
      if (_g_process_object_is_own_child (self) && priv->state == G_PROCESS_STATE_STARTED)
        _g_process_reap_locked (self, &ended);
      running = _g_process_object_is_own_child (self) &&
                (priv->starting || priv->state == G_PROCESS_STATE_STARTED);
      if (running)
        g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_STILL_RUNNING,
                     _("Cannot close process “%s” while it is still running; join or "
                       "terminate it first"), priv->name);
      else
        {
          priv->state = G_PROCESS_STATE_CLOSED;
          if (priv->sentinel.users == 0)
            _g_process_sentinel_close_locked (&priv->sentinel);
          changed = TRUE;
        }
    }
  G_UNLOCK (process_lock);

  /* A child that was found ended here is first STOPPED, then CLOSED: both are notified. */
  _g_process_object_notify_ended (ended);
  if (changed)
    _g_process_object_notify_state (self);
  return !running;
}

/* What start() refuses, for g_process_object_check() (gprocess-introspect.c) */
gboolean
_g_process_start_check_locked (GProcessObject  *self,
                               GError         **error)
{
  return start_check_locked (self, error);
}
