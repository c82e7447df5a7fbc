/* gprocess-start-method.c: the start methods: the process-wide default, the object's
 * start-method, args and fds, and the hook a binding runs in fork-server children
 *
 * The fork server itself is in gprocess-forkserver.c, what crosses to its children in
 * gprocess-forkserver-payload.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "gprocess.h"
#include "gprocess-object-private.h"
#include "gprocess-forkserver-private.h"

#define get_priv _g_process_object_get_private

/* At most this many descriptors cross with a request (SCM_MAX_FD is 253) */
#define MAX_PASSED_FDS G_PROCESS_FORKSERVER_MAX_FDS

static GProcessStartMethod default_method;          /* (atomic) */

/* ---------------------------------------------------------------------------------------- */
/* The process-wide default                                                                  */

/**
 * SECTION:gprocess-start-method
 * @title: Start methods
 * @short_description: fork the caller, or ask a fork server for the child
 *
 * A child is made by fork() of the caller (%G_PROCESS_START_METHOD_FORK, the default) or by
 * a fork server (%G_PROCESS_START_METHOD_FORKSERVER) whose children are still the
 * application's own children. g_process_set_start_method() sets the process-wide default,
 * which each new object copies into its #GProcessObject:start-method property. What crosses
 * to a fork-server child, and when to use which method: see the chapter
 * [Start methods][gprocess-start-methods].
 */

GProcessStartMethod
_g_process_default_start_method (void)
{
  return (GProcessStartMethod) g_atomic_int_get (&default_method);
}

/**
 * g_process_set_start_method:
 * @method: a #GProcessStartMethod
 * @error: return location for a #GError
 *
 * Sets the start method that new process objects get (#GProcessObject:start-method);
 * objects that exist keep theirs. Setting %G_PROCESS_START_METHOD_FORKSERVER also starts the
 * fork server if it does not run (g_process_start_fork_server()): call it early, before the
 * program starts threads, so that the server is not forked later from a threaded process.
 *
 * Returns: %TRUE, or %FALSE with @error set if the fork server could not be started (the
 *   default is then left as it was)
 *
 * Since: 0.2
 */
gboolean
g_process_set_start_method (GProcessStartMethod   method,
                            GError              **error)
{
  g_return_val_if_fail (method == G_PROCESS_START_METHOD_FORK ||
                        method == G_PROCESS_START_METHOD_FORKSERVER, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (method == G_PROCESS_START_METHOD_FORKSERVER && !g_process_start_fork_server (error))
    return FALSE;
  g_atomic_int_set (&default_method, method);
  return TRUE;
}

/**
 * g_process_get_start_method:
 *
 * Gets the process-wide default start method, %G_PROCESS_START_METHOD_FORK unless
 * g_process_set_start_method() changed it. A child starts with its parent's default as it was
 * when the child was made (for a fork-server child: when the server started).
 *
 * Returns: the default #GProcessStartMethod
 *
 * Since: 0.2
 */
GProcessStartMethod
g_process_get_start_method (void)
{
  return _g_process_default_start_method ();
}

/* ---------------------------------------------------------------------------------------- */
/* The object's properties                                                                   */

void
_g_process_forkserver_install_properties (GParamSpec **properties)
{
  /**
   * GProcessObject:start-method:
   *
   * How g_process_object_start() makes the child, a #GProcessStartMethod. It defaults to the
   * process-wide default (g_process_get_start_method()) at construction, and can only change
   * before g_process_object_start().
   *
   * Since: 0.2
   */
  properties[PROP_START_METHOD] =
    g_param_spec_enum ("start-method", "Start method",
                       "How start() makes the child", G_PROCESS_TYPE_START_METHOD,
                       G_PROCESS_START_METHOD_FORK,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GProcessObject:args:
   *
   * Data for the child, a #GVariant that crosses to the child with every start method: in
   * the child, g_process_object_get_args() on g_process_get_current() returns it. A floating
   * reference is sunk. It can only change before g_process_object_start().
   *
   * Since: 0.2
   */
  properties[PROP_ARGS] =
    g_param_spec_variant ("args", "Arguments", "Data for the child", G_VARIANT_TYPE_ANY, NULL,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

/* At finalize */
void
_g_process_forkserver_free_object_data (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);

  g_clear_pointer (&priv->args, g_variant_unref);
  g_clear_pointer (&priv->old_args, g_ptr_array_unref);
  g_clear_pointer (&priv->old_fds, g_ptr_array_unref);
  g_clear_pointer (&priv->fds, g_free);
  priv->n_fds = 0;
}

/* Whether @self may still be set up for its start; criticals otherwise */
static gboolean
check_settable_locked (GProcessObject *self,
                       const char     *function)
{
  if (_g_process_object_configurable_locked (self))
    return TRUE;
  g_critical ("%s: process “%s” has already started", function, get_priv (self)->name);
  return FALSE;
}

/**
 * g_process_object_get_start_method:
 * @self: a #GProcessObject
 *
 * Gets the start method. See #GProcessObject:start-method.
 *
 * Returns: the #GProcessStartMethod of @self
 *
 * Since: 0.2
 */
GProcessStartMethod
g_process_object_get_start_method (GProcessObject *self)
{
  GProcessStartMethod method;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), G_PROCESS_START_METHOD_FORK);

  G_LOCK (process_lock);
  method = get_priv (self)->start_method;
  G_UNLOCK (process_lock);
  return method;
}

/**
 * g_process_object_set_start_method:
 * @self: a #GProcessObject that has not been started
 * @method: a #GProcessStartMethod
 *
 * Sets how g_process_object_start() makes the child. Only before g_process_object_start()
 * or after g_process_object_close(); in between a critical warning is emitted and nothing
 * changes.
 *
 * Since: 0.2
 */
void
g_process_object_set_start_method (GProcessObject      *self,
                                   GProcessStartMethod  method)
{
  GProcessObjectPrivate *priv;
  gboolean changed = FALSE;

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));
  g_return_if_fail (method == G_PROCESS_START_METHOD_FORK ||
                    method == G_PROCESS_START_METHOD_FORKSERVER);

  priv = get_priv (self);
  G_LOCK (process_lock);
  if (priv->start_method != method && check_settable_locked (self, G_STRFUNC))
    {
      priv->start_method = method;
      changed = TRUE;
    }
  G_UNLOCK (process_lock);

  if (changed)
    _g_process_object_notify_by_id (self, PROP_START_METHOD);
}

/**
 * g_process_object_get_args:
 * @self: a #GProcessObject
 *
 * Gets the data for the child. See #GProcessObject:args.
 *
 * Returns: (transfer none) (nullable): the arguments, or %NULL
 *
 * Since: 0.2
 */
GVariant *
g_process_object_get_args (GProcessObject *self)
{
  GVariant *args;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), NULL);

  G_LOCK (process_lock);
  args = get_priv (self)->args;
  G_UNLOCK (process_lock);
  return args;
}

/**
 * g_process_object_set_args:
 * @self: a #GProcessObject that has not been started
 * @args: (nullable): the data for the child, or %NULL
 *
 * Sets the data for the child: the one way to give a fork-server child data that did not
 * exist when the server started. A floating reference is sunk. Only before
 * g_process_object_start() or after g_process_object_close(); in between a critical warning
 * is emitted and nothing changes.
 *
 * Since: 0.2
 */
void
g_process_object_set_args (GProcessObject *self,
                           GVariant       *args)
{
  GProcessObjectPrivate *priv;
  gboolean changed = FALSE;

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));

  if (args != NULL)
    g_variant_ref_sink (args);
  priv = get_priv (self);
  G_LOCK (process_lock);
  if (priv->args != args && check_settable_locked (self, G_STRFUNC))
    {
      /* Kept until finalize: a get_args() caller in another thread may still read it */
      if (priv->args != NULL)
        {
          if (priv->old_args == NULL)
            priv->old_args = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
          g_ptr_array_add (priv->old_args, priv->args);
        }
      priv->args = g_steal_pointer (&args);
      changed = TRUE;
    }
  G_UNLOCK (process_lock);

  g_clear_pointer (&args, g_variant_unref);
  if (changed)
    _g_process_object_notify_by_id (self, PROP_ARGS);
}

/**
 * g_process_object_set_fds:
 * @self: a #GProcessObject that has not been started
 * @fds: (array length=n_fds) (nullable): descriptors of the caller
 * @n_fds: the number of descriptors in @fds (at most 240)
 *
 * Gives descriptors to the child. A fork child inherits every descriptor of its parent anyway;
 * a fork-server child gets only these (besides its standard streams), as copies sent with the
 * request, at other numbers, with close-on-exec set. In the child,
 * g_process_object_get_fds() on g_process_get_current() tells where they are, in the same
 * order. The caller keeps its descriptors: they must stay open until
 * g_process_object_start() returns. Only before g_process_object_start() or after
 * g_process_object_close(). An array that
 * g_process_object_get_fds() returned earlier stays valid until @self is finalized.
 *
 * Since: 0.2
 */
void
g_process_object_set_fds (GProcessObject *self,
                          const int      *fds,
                          gsize           n_fds)
{
  GProcessObjectPrivate *priv;

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));
  g_return_if_fail (fds != NULL || n_fds == 0);
  g_return_if_fail (n_fds <= MAX_PASSED_FDS);

  priv = get_priv (self);
  G_LOCK (process_lock);
  if (check_settable_locked (self, G_STRFUNC))
    {
      int *copy = n_fds > 0 ? g_memdup2 (fds, n_fds * sizeof (int)) : NULL;

      /* The old array is kept until finalize, as get_fds() returns it (transfer none) to
       * callers that may still read it, or pass it here (copied above, before it is moved) */
      if (priv->fds != NULL)
        {
          if (priv->old_fds == NULL)
            priv->old_fds = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (priv->old_fds, priv->fds);
        }
      priv->fds = copy;
      priv->n_fds = n_fds;
    }
  G_UNLOCK (process_lock);
}

/**
 * g_process_object_get_fds:
 * @self: a #GProcessObject
 * @n_fds: (out): return location for the number of descriptors
 *
 * Gets the descriptors given with g_process_object_set_fds(): in the child, on
 * g_process_get_current(), the numbers at which the child has them.
 *
 * Returns: (array length=n_fds) (transfer none) (nullable): the descriptors, or %NULL;
 *   owned by @self, valid as long as @self lives (a later g_process_object_set_fds() does
 *   not free it)
 *
 * Since: 0.2
 */
const int *
g_process_object_get_fds (GProcessObject *self,
                          gsize          *n_fds)
{
  const int *fds;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), NULL);
  g_return_val_if_fail (n_fds != NULL, NULL);

  G_LOCK (process_lock);
  fds = get_priv (self)->fds;
  *n_fds = get_priv (self)->n_fds;
  G_UNLOCK (process_lock);
  return fds;
}

