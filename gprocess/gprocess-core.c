/* gprocess-core.c: the bottom layer: the lock, this process's pid, the last errno, stdio
 *
 * and the base of GProcessObject every file shares: its type, its private structure, its
 * pspec table and its notifications (the class itself, gprocess-object.c, sits at the top).
 *
 * Every other file of the library may use what is here; nothing here uses another file of
 * the library. The order of the layers is at the top of gprocess-private.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <stdio.h>
#include <stdio_ext.h>
#include <unistd.h>

#include "gprocess.h"
#include "gprocess-object-private.h"

/* The lock: see the contract in gprocess-private.h. The fork hooks (gprocess-child.c) take it
 * around every fork() of the process. */
G_LOCK_DEFINE (process_lock);

/* (atomic) getpid() is a system call; see _g_process_self_pid(). The fork hooks set it in
 * every new process (_g_process_set_self_pid()). */
pid_t _g_process_cached_pid;

/* This process's pid. glibc no longer caches getpid(). */
pid_t
_g_process_self_pid (void)
{
  pid_t pid = g_atomic_int_get (&_g_process_cached_pid);

  if (G_UNLIKELY (pid == 0))
    {
      pid = getpid ();
      g_atomic_int_set (&_g_process_cached_pid, pid);
    }
  return pid;
}

/* Replaces @hook's function and data under the lock; the old data is freed after it (the
 * destroy notify is the binding's code) */
void
_g_process_hook_set (GProcessHook  *hook,
                     GCallback      func,
                     gpointer       data,
                     GDestroyNotify destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  G_LOCK (process_lock);
  old_destroy = hook->destroy;
  old_data = hook->data;
  hook->func = func;
  hook->data = data;
  hook->destroy = destroy;
  G_UNLOCK (process_lock);

  if (old_destroy != NULL)
    old_destroy (old_data);
}

/* fflush() only with bytes pending: it takes the stream's lock, and after a fork every page
 * written is one more copy. On glibc the test reads the stream's buffer pointers itself
 * (__fpending()'s code page is one more fault in every child); a wide stream is flushed. */
static inline gboolean
has_pending_output (FILE *stream)
{
#ifdef __GLIBC__
  return stream->_mode > 0 || stream->_IO_write_ptr > stream->_IO_write_base;
#else
  return __fpending (stream) > 0;
#endif
}

void
_g_process_flush_std_streams (void)
{
  if (has_pending_output (stdout))
    fflush (stdout);
  if (has_pending_output (stderr))
    fflush (stderr);
}

/* The errno behind the last G_PROCESS_ERROR_FAILED of this thread */
static __thread int last_errno;

void
_g_process_record_errno (int saved_errno)
{
  last_errno = saved_errno;
}

/* The one "could not start" error: G_PROCESS_ERROR_FAILED with the operating system's reason
 * @saved_errno, which g_process_get_last_errno() then gives. @name: the process's, or %NULL
 * where it is not known yet. */
void
_g_process_set_start_error (GError    **error,
                            const char *name,
                            int         saved_errno)
{
  _g_process_record_errno (saved_errno);
  if (name != NULL)
    g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
                 _("Could not start process “%s”: %s"), name, g_strerror (saved_errno));
  else
    g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
                 _("Could not start process: %s"), g_strerror (saved_errno));
}

/**
 * g_process_get_last_errno:
 *
 * Gets the `errno` value behind the last %G_PROCESS_ERROR_FAILED error that GProcess reported
 * in the calling thread: fork() or a descriptor could not be made (`EAGAIN`, `EMFILE`,
 * `ENOMEM`…), or a wait failed. It is 0 when that failure did not come from the operating
 * system. Call it right after the failed call, in the same thread, as you would read `errno`.
 *
 * Bindings use it to raise their own exception for an operating system failure (Python: the
 * `OSError` subclass that `OSError(code, message)` makes, such as `BlockingIOError` for
 * `EAGAIN`), while C callers keep matching %G_PROCESS_ERROR_FAILED.
 *
 * Returns: the `errno` value, or 0
 *
 * Since: 0.2
 */
int
g_process_get_last_errno (void)
{
  return last_errno;
}

/* ---------------------------------------------------------------------------------------- */
/* GProcessObject's base                                                                     */

GType _g_process_object_type;           /* set when the library is loaded (gprocess-object.c) */
gint _g_process_object_private_offset;  /* set by the class's init */
GParamSpec *_g_process_object_pspecs[N_PROPS];
__thread ProcessKind _g_process_constructing_kind
  __attribute__ ((tls_model ("initial-exec"))) = PROCESS_KIND_CHILD;

/* The one "can this still be changed?" rule, for every setter of what a start uses (target,
 * args, descriptors, start method, daemon flag, process group, parent-death signal) and for
 * g_process_object_check (%G_PROCESS_OPERATION_CONFIGURE): an ordinary object, before its
 * start, or after g_process_object_close() (which forgets the child, as multiprocessing's
 * close() does: its attributes may be set again, though it cannot start again) */
gboolean
_g_process_object_configurable_locked (GProcessObject *self)
{
  GProcessObjectPrivate *priv = _g_process_object_get_private (self);

  return priv->kind == PROCESS_KIND_CHILD && !priv->starting &&
         (priv->state == G_PROCESS_STATE_INITIAL || priv->state == G_PROCESS_STATE_CLOSED);
}

/* Whether @self is an ordinary object created by this process: only then may this process
 * start, join, signal or test it. */
gboolean
_g_process_object_is_own_child (GProcessObject *self)
{
  GProcessObjectPrivate *priv = _g_process_object_get_private (self);

  return priv->kind == PROCESS_KIND_CHILD && priv->creator_pid == _g_process_self_pid ();
}

/* For the files that own one part of the object's properties */
void
_g_process_object_notify_by_id (GProcessObject   *self,
                                GProcessObjectProp prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), _g_process_object_pspecs[prop]);
}

void
_g_process_object_notify_state (GProcessObject *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), _g_process_object_pspecs[PROP_STATE]);
}

/* After a successful start(), in the calling thread */
void
_g_process_object_notify_started (GProcessObject *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), _g_process_object_pspecs[PROP_PID]);
  g_object_notify_by_pspec (G_OBJECT (self), _g_process_object_pspecs[PROP_STATE]);
}

/**
 * g_process_object_get_name:
 * @self: a #GProcessObject
 *
 * Gets the name of the process. See #GProcessObject:name. The string stays valid as long as
 * @self, even if another thread renames the process meanwhile; g_process_object_dup_name()
 * returns a copy.
 *
 * Returns: (transfer none): the name
 *
 * Since: 0.1
 */
const char *
g_process_object_get_name (GProcessObject *self)
{
  const char *name;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), NULL);

  G_LOCK (process_lock);
  name = _g_process_object_get_private (self)->name;
  G_UNLOCK (process_lock);
  return name;
}

/* ---------------------------------------------------------------------------------------- */
/* The collector                                                                             */

/* gprocess-wait.c's _g_process_wait_try_reap(), registered when the library is loaded: the
 * getters below the collector (a result, the usage) observe an end through it */
static GProcessTryReapFunc try_reap_fn;   /* (atomic) */

void
_g_process_set_collector (GProcessTryReapFunc try_reap)
{
  g_atomic_pointer_set (&try_reap_fn, try_reap);
}

/* Observes @self's end without blocking; returns whether it is known to have ended */
gboolean
_g_process_try_reap (GProcessObject *self)
{
  GProcessTryReapFunc try_reap = g_atomic_pointer_get (&try_reap_fn);

  return try_reap != NULL && try_reap (self);
}
