/* gprocess-object.c: the process object, like Python's multiprocessing.Process
 *
 * The GObject: its type and properties, construction, the target, the accessors, and emitting
 * the notifications. start(), the signals and close() are in gprocess-start.c, the
 * authentication key in gprocess-authkey.c; it neither forks (gprocess-child.c) nor waits
 * (gprocess-wait.c) itself.
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
#include "gprocess-child-private.h"
#include "gprocess-forkserver-private.h"
#include "gprocess-wait-private.h"

/**
 * SECTION:gprocess-object
 * @title: GProcessObject
 * @short_description: run a function in a forked child process
 *
 * A #GProcessObject represents activity that runs in a separate process, as Python's
 * `multiprocessing.Process` does (with the fork start method). Give it a target with
 * g_process_object_new_with_target() or subclass it and override #GProcessObjectClass.run;
 * g_process_object_start() forks a child that runs it, g_process_object_join() waits for the
 * child to end, g_process_object_is_alive(), g_process_object_terminate(),
 * g_process_object_kill() and g_process_object_close() do what their names say.
 *
 * |[<!-- language="C" -->
 * static void
 * greet (GProcessObject *process, gpointer user_data)
 * {
 *   g_print ("Hello %s\n", (const char *) user_data);
 * }
 *
 * g_autoptr(GProcessObject) p = g_process_object_new_with_target (greet, "Bob", NULL);
 * g_process_object_start (p, &error);
 * g_process_object_join (p, -1, NULL, &error);
 * ]|
 *
 * # The child
 *
 * The child is a fork() of the caller: it inherits its memory and the application's file
 * descriptors, but none of the descriptors GProcess itself holds. Its standard input is
 * reopened on `/dev/null`. It runs #GProcessObjectClass.run, then terminates its daemonic
 * children, joins the others, flushes stdout and stderr and leaves with _exit(): it never
 * returns into the caller of g_process_object_start() and never runs the parent's atexit()
 * handlers. g_process_exit() ends it early with another status.
 *
 * Only the thread that called g_process_object_start() exists in the child. The child must
 * not use the parent's main contexts (#GMainContext), GDBus connections or GTK; the library's own child path
 * takes no lock another thread could have held at fork time.
 *
 * # Notifications and threads
 *
 * Every method may be called from any thread. The end of a child is observed exactly once:
 * by whichever comes first of g_process_object_join(), g_process_object_is_alive(),
 * g_process_object_get_exit_code(), g_process_object_to_string(), g_process_get_active_children(),
 * the next g_process_object_start(), an asynchronous join, or the watch that
 * g_process_object_start() attaches to the caller's thread-default #GMainContext. The
 * #GObject::notify signals for #GProcessObject:state and #GProcessObject:exit-code are emitted
 * once, in the thread that observed the end (for the watch: in the thread iterating that main
 * context). #GProcessObject:state and #GProcessObject:pid are notified by g_process_object_start()
 * in the calling thread. No notification is emitted for children reaped while the process
 * exits.
 */

G_DEFINE_TYPE_WITH_PRIVATE (GProcessObject, g_process_object, G_TYPE_OBJECT)

/* The pspec table is the core's (gprocess-core.c): every file notifies through it */
#define properties _g_process_object_pspecs

/* The type is registered when the library is loaded: the core's type and private offset are
 * then set before any other file can meet an object (see gprocess-object-private.h) */
static void __attribute__ ((constructor))
register_type_at_load (void)
{
  _g_process_object_type = g_process_object_get_type ();
}

static inline GProcessObjectPrivate *
get_priv (GProcessObject *self)
{
  return g_process_object_get_instance_private (self);
}

/* ---------------------------------------------------------------------------------------- */
/* GObject                                                                                   */

static void
g_process_object_real_run (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);

  if (priv->target != NULL)
    priv->target (self, priv->target_data);
}

static void
g_process_object_finalize (GObject *object)
{
  GProcessObject *self = G_PROCESS_OBJECT (object);
  GProcessObjectPrivate *priv = get_priv (self);

  G_LOCK (process_lock);
  if (priv->creator_pid == _g_process_self_pid ())
    {
      g_assert (!priv->link.listed);       /* the children list owns a reference */
      g_assert (priv->sentinel.users == 0); /* sources and waiters own references */
    }
  _g_process_sentinel_close_locked (&priv->sentinel);
  G_UNLOCK (process_lock);

  if (priv->target_destroy != NULL)
    priv->target_destroy (priv->target_data);
  if (priv->name != priv->name_inline)
    g_free (priv->name);
  if (priv->identity != priv->identity_inline)
    g_free (priv->identity);
  /* A borrowed key holds no reference; one replaced by set_authkey() sits in old_authkeys,
   * which releases one */
  if (priv->authkey_borrowed != NULL && priv->authkey != priv->authkey_borrowed)
    g_bytes_ref (priv->authkey_borrowed);
  else if (priv->authkey_borrowed != NULL)
    priv->authkey = NULL;
  g_clear_pointer (&priv->authkey, g_bytes_unref);
  g_clear_pointer (&priv->old_names, g_ptr_array_unref);
  g_clear_pointer (&priv->old_authkeys, g_ptr_array_unref);
  _g_process_result_slot_clear (&priv->result);
  _g_process_forkserver_free_object_data (self);

  G_OBJECT_CLASS (g_process_object_parent_class)->finalize (object);
}

static void
g_process_object_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  GProcessObject *self = G_PROCESS_OBJECT (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_take_string (value, g_process_object_dup_name (self));
      break;
    case PROP_DAEMON:
      g_value_set_boolean (value, g_process_object_get_daemon (self));
      break;
    case PROP_PID:
      g_value_set_int (value, g_process_object_get_pid (self));
      break;
    case PROP_EXIT_CODE:
      g_value_set_int (value, g_process_object_get_exit_code (self));
      break;
    case PROP_AUTHKEY:
      g_value_take_boxed (value, g_process_object_dup_authkey (self));
      break;
    case PROP_SENTINEL:
      g_value_set_int (value, g_process_object_get_sentinel (self));
      break;
    case PROP_STATE:
      g_value_set_enum (value, g_process_object_get_state (self));
      break;
    case PROP_PARENT_DEATH_SIGNAL:
      g_value_set_int (value, g_process_object_get_parent_death_signal (self));
      break;
    case PROP_PROCESS_GROUP:
      g_value_set_boolean (value, g_process_object_get_process_group (self));
      break;
    case PROP_START_METHOD:
      g_value_set_enum (value, g_process_object_get_start_method (self));
      break;
    case PROP_ARGS:
      g_value_set_variant (value, g_process_object_get_args (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_process_object_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  GProcessObject *self = G_PROCESS_OBJECT (object);

  switch (prop_id)
    {
    case PROP_NAME:
      /* NULL (the construct default) and "" keep the default name */
      if (g_value_get_string (value) != NULL && g_value_get_string (value)[0] != '\0')
        g_process_object_set_name (self, g_value_get_string (value));
      break;
    case PROP_DAEMON:
      g_process_object_set_daemon (self, g_value_get_boolean (value));
      break;
    case PROP_AUTHKEY:
      g_process_object_set_authkey (self, g_value_get_boxed (value));
      break;
    case PROP_PARENT_DEATH_SIGNAL:
      g_process_object_set_parent_death_signal (self, g_value_get_int (value));
      break;
    case PROP_PROCESS_GROUP:
      g_process_object_set_process_group (self, g_value_get_boolean (value));
      break;
    case PROP_START_METHOD:
      g_process_object_set_start_method (self, g_value_get_enum (value));
      break;
    case PROP_ARGS:
      g_process_object_set_args (self, g_value_get_variant (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_process_object_class_init (GProcessObjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  _g_process_object_private_offset = GProcessObject_private_offset;
  object_class->finalize = g_process_object_finalize;
  object_class->get_property = g_process_object_get_property;
  object_class->set_property = g_process_object_set_property;

  klass->run = g_process_object_real_run;

  /**
   * GProcessObject:name:
   *
   * The name of the process, for identification only. By default `Process-N1:N2:…:Nk`, where
   * the sequence of counters grows with each generation (`Process-3` starts `Process-3:1`);
   * `MainProcess` for the main process. %NULL or "" at construction means the default. It
   * must be valid UTF-8.
   *
   * Since: 0.1
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", "Name",
                         "The name of the process, for identification only", NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GProcessObject:daemon:
   *
   * Whether the process is daemonic. Defaults to the flag of the process that creates the
   * object, and can only change before g_process_object_start(). A daemonic process may not
   * start children; when a process exits it terminates its daemonic children and joins the
   * others.
   *
   * Since: 0.1
   */
  /* Not G_PARAM_CONSTRUCT: a construct default would override the inherited flag. It can still
   * be given to g_object_new(). */
  properties[PROP_DAEMON] =
    g_param_spec_boolean ("daemon", "Daemon",
                         "Whether the process is daemonic", FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GProcessObject:pid:
   *
   * The process ID of the child, 0 before g_process_object_start(). It stays set after the
   * child ended.
   *
   * Since: 0.1
   */
  properties[PROP_PID] =
    g_param_spec_int ("pid", "Pid",
                         "The process ID of the child, 0 before start", 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GProcessObject:exit-code:
   *
   * The exit status of the child once its end was observed; -N when signal N killed it;
   * %G_PROCESS_EXIT_CODE_NONE until then.
   *
   * Since: 0.1
   */
  properties[PROP_EXIT_CODE] =
    g_param_spec_int ("exit-code", "Exit code",
                         "The exit status, -N for signal N, G_PROCESS_EXIT_CODE_NONE until known", G_MININT, G_MAXINT, G_PROCESS_EXIT_CODE_NONE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GProcessObject:authkey:
   *
   * The authentication key of the process. The main process gets 32 random bytes from the
   * kernel; an object inherits the key of the process that creates it. Setting %NULL generates
   * a new random key. It never appears in g_process_object_to_string().
   *
   * Since: 0.1
   */
  properties[PROP_AUTHKEY] =
    g_param_spec_boxed ("authkey", "Authentication key",
                         "The authentication key of the process", G_TYPE_BYTES,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GProcessObject:sentinel:
   *
   * A file descriptor that becomes readable when the child ends, for poll() or a main loop;
   * -1 before g_process_object_start() and after g_process_object_close(). It belongs to the
   * object: do not close it.
   *
   * Since: 0.1
   */
  properties[PROP_SENTINEL] =
    g_param_spec_int ("sentinel", "Sentinel",
                         "A descriptor readable once the child ended, or -1", -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GProcessObject:state:
   *
   * Where the object is in its life cycle, a #GProcessState.
   *
   * Since: 0.1
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", "State",
                         "Where the object is in its life cycle", G_PROCESS_TYPE_STATE, G_PROCESS_STATE_INITIAL,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  _g_process_lifecycle_install_properties (properties);  /* parent-death-signal, process-group */
  _g_process_forkserver_install_properties (properties);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  _g_process_init_i18n ();
  _g_process_child_register_atfork ();
}

static void
g_process_object_init (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);

  priv->kind = _g_process_constructing_kind;
  priv->exit_code = G_PROCESS_EXIT_CODE_NONE;
  priv->sentinel = (GProcessSentinel) G_PROCESS_SENTINEL_INIT;
  priv->reaper = (GProcessReaperEntry) G_PROCESS_REAPER_ENTRY_INIT;
  priv->state = G_PROCESS_STATE_INITIAL;
  priv->start_method = _g_process_default_start_method ();

  /* In a fork-server child, the object being rebuilt takes its fields from the request
   * (gprocess-forkserver-payload.c) */
  if (priv->kind == PROCESS_KIND_CHILD && _g_process_forkserver_init_rebuilt (self))
    return;

  switch (priv->kind)
    {
    case PROCESS_KIND_MAIN:
      priv->identity = g_strdup ("");
      priv->name = g_strdup ("MainProcess");
      priv->authkey = _g_process_authkey_new_random ();
      priv->state = G_PROCESS_STATE_STARTED;
      priv->pid = _g_process_self_pid ();
      break;

    case PROCESS_KIND_PARENT:
      priv->identity = g_strdup ("");
      priv->name = g_strdup (_g_process_tree_parent_name ());
      priv->state = G_PROCESS_STATE_STARTED;
      priv->pid = _g_process_tree_parent_pid ();
      break;

    case PROCESS_KIND_CHILD:
    default:
      {
        GProcessObject *current = _g_process_tree_current ();
        GProcessObjectPrivate *cpriv = get_priv (current);
        int count = _g_process_tree_next_count ();

        priv->creator_pid = _g_process_self_pid ();
        G_LOCK (process_lock);
        priv->daemon = cpriv->daemon;
        if (cpriv->authkey != NULL)
          priv->authkey = priv->authkey_borrowed = cpriv->authkey;
        else
          priv->authkey = _g_process_authkey_new_random ();
        _g_process_tree_name_new_child (priv, cpriv->identity, count);
        G_UNLOCK (process_lock);
      }
      break;
    }
}

/**
 * g_process_object_new:
 *
 * Creates a process object with no target, to subclass or to set up through properties. Its
 * name, daemon flag and authentication key are inherited as described for
 * #GProcessObject:name, #GProcessObject:daemon and #GProcessObject:authkey. Nothing runs until
 * g_process_object_start().
 *
 * Returns: (transfer full): a new #GProcessObject
 *
 * Since: 0.1
 */
GProcessObject *
g_process_object_new (void)
{
  return g_object_new (G_PROCESS_TYPE_OBJECT, NULL);
}

/**
 * g_process_object_new_with_target:
 * @target: (scope notified) (closure user_data) (destroy destroy) (nullable): the function the
 *   child runs
 * @user_data: data for @target
 * @destroy: (nullable): frees @user_data
 *
 * Creates a process object whose default #GProcessObjectClass.run calls @target in the child.
 * After a successful g_process_object_start() the parent releases @target and calls @destroy
 * (the child has its own copy), as Python's `multiprocessing` drops the target after start.
 *
 * With %G_PROCESS_START_METHOD_FORKSERVER the child is a copy of the fork server, not of the
 * caller: @user_data must point to data that existed, as it is, when the server started
 * (otherwise g_process_object_start() fails with %G_PROCESS_ERROR_NOT_TRANSFERABLE). Give
 * the child data made later in #GProcessObject:args.
 *
 * Returns: (transfer full): a new #GProcessObject
 *
 * Since: 0.1
 */
GProcessObject *
g_process_object_new_with_target (GProcessTargetFunc target,
                                  gpointer           user_data,
                                  GDestroyNotify     destroy)
{
  GProcessObject *self = g_object_new (G_PROCESS_TYPE_OBJECT, NULL);
  GProcessObjectPrivate *priv = get_priv (self);

  priv->target = target;
  priv->target_data = user_data;
  priv->target_destroy = destroy;
  return self;
}

/**
 * g_process_object_set_target:
 * @self: a #GProcessObject that has not been started
 * @target: (scope notified) (closure user_data) (destroy destroy) (nullable): the function the
 *   child runs, or %NULL for none
 * @user_data: data for @target
 * @destroy: (nullable): frees @user_data
 *
 * Replaces the target that the default #GProcessObjectClass.run calls in the child (the
 * previous one is freed). Only before g_process_object_start() or after
 * g_process_object_close(); in between a critical warning is emitted and @destroy is called
 * on @user_data at once.
 *
 * Since: 0.1
 */
void
g_process_object_set_target (GProcessObject     *self,
                             GProcessTargetFunc  target,
                             gpointer            user_data,
                             GDestroyNotify      destroy)
{
  GProcessObjectPrivate *priv;
  GDestroyNotify old_destroy = NULL;
  gpointer old_data = NULL;
  gboolean refused = FALSE;

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));

  priv = get_priv (self);
  G_LOCK (process_lock);
  if (!_g_process_object_configurable_locked (self))
    refused = TRUE;
  else
    {
      old_destroy = priv->target_destroy;
      old_data = priv->target_data;
      priv->target = target;
      priv->target_data = user_data;
      priv->target_destroy = destroy;
    }
  G_UNLOCK (process_lock);

  if (refused)
    {
      g_critical ("g_process_object_set_target: process “%s” has already started", priv->name);
      if (destroy != NULL)
        destroy (user_data);
    }
  if (old_destroy != NULL)
    old_destroy (old_data);
}

/**
 * g_process_object_run: (virtual run)
 * @self: a #GProcessObject
 *
 * The activity of the process: calls #GProcessObjectClass.run, whose default calls the target.
 * g_process_object_start() calls it in the child; calling it directly runs it in the current
 * process.
 *
 * Since: 0.1
 */
void
g_process_object_run (GProcessObject *self)
{
  GProcessObjectClass *klass;

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));

  klass = G_PROCESS_OBJECT_GET_CLASS (self);
  if (klass->run != NULL)
    klass->run (self);
}


/* ---------------------------------------------------------------------------------------- */
/* Accessors                                                                                 */

/**
 * g_process_object_dup_name:
 * @self: a #GProcessObject
 *
 * Gets a copy of the name of the process. See #GProcessObject:name.
 *
 * Returns: (transfer full): the name
 *
 * Since: 0.2
 */
char *
g_process_object_dup_name (GProcessObject *self)
{
  char *name;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), NULL);

  G_LOCK (process_lock);
  name = g_strdup (get_priv (self)->name);
  G_UNLOCK (process_lock);
  return name;
}

/**
 * g_process_object_set_name:
 * @self: a #GProcessObject
 * @name: the new name, in UTF-8
 *
 * Sets the name of the process, at any time and from any thread. A name set before
 * g_process_object_start() is the one the child sees as g_process_get_current()'s name.
 * Renaming does not change the default names of the process's children. A name that is not
 * valid UTF-8 is refused with a critical warning.
 *
 * Since: 0.1
 */
void
g_process_object_set_name (GProcessObject *self,
                           const char     *name)
{
  GProcessObjectPrivate *priv;
  gboolean changed = FALSE;

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (g_utf8_validate (name, -1, NULL));

  priv = get_priv (self);
  G_LOCK (process_lock);
  if (g_strcmp0 (priv->name, name) != 0)
    {
      /* Kept until finalize: a get_name() caller in another thread may still read it */
      if (priv->old_names == NULL)
        priv->old_names = g_ptr_array_new_with_free_func (g_free);
      if (priv->name != priv->name_inline)  /* the inline one lives as long as the object */
        g_ptr_array_add (priv->old_names, priv->name);
      priv->name = g_strdup (name);
      changed = TRUE;
    }
  G_UNLOCK (process_lock);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * g_process_object_get_daemon:
 * @self: a #GProcessObject
 *
 * Gets the daemon flag. See #GProcessObject:daemon.
 *
 * Returns: whether the process is daemonic
 *
 * Since: 0.1
 */
gboolean
g_process_object_get_daemon (GProcessObject *self)
{
  gboolean daemon;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), FALSE);

  G_LOCK (process_lock);
  daemon = get_priv (self)->daemon;
  G_UNLOCK (process_lock);
  return daemon;
}

/**
 * g_process_object_set_daemon:
 * @self: a #GProcessObject
 * @daemon: whether the process is daemonic
 *
 * Sets the daemon flag. Only allowed before g_process_object_start() (or after
 * g_process_object_close()); otherwise the flag is left as it is and a critical warning is
 * emitted.
 *
 * Since: 0.1
 */
void
g_process_object_set_daemon (GProcessObject *self,
                             gboolean        daemon)
{
  GProcessObjectPrivate *priv;
  gboolean changed = FALSE;
  gboolean refused = FALSE;
  gboolean pdeath_changed = FALSE;
  int pdeath_before;

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));

  priv = get_priv (self);
  daemon = !!daemon;
  G_LOCK (process_lock);
  pdeath_before = _g_process_lifecycle_parent_death_signal_locked (self);
  if (!_g_process_object_configurable_locked (self))
    refused = priv->daemon != daemon;
  else if (priv->daemon != daemon)
    {
      priv->daemon = daemon;
      changed = TRUE;
    }
  /* A daemonic child's default parent-death signal is SIGTERM */
  pdeath_changed = pdeath_before != _g_process_lifecycle_parent_death_signal_locked (self);
  G_UNLOCK (process_lock);

  if (refused)
    g_critical ("g_process_object_set_daemon: process “%s” has already started",
                g_process_object_get_name (self));
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DAEMON]);
  if (pdeath_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARENT_DEATH_SIGNAL]);
}

/**
 * g_process_object_get_pid:
 * @self: a #GProcessObject
 *
 * Gets the process ID: the child's once started (also after it ended), 0 before; getpid() for
 * the current process. Once the child has ended, another process may be given the same pid:
 * use it to identify the child, not to signal it (use g_process_object_terminate()).
 *
 * Returns: the pid, or 0
 *
 * Since: 0.1
 */
GPid
g_process_object_get_pid (GProcessObject *self)
{
  GPid pid;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), 0);

  if (_g_process_tree_is_current (self))
    return _g_process_self_pid ();
  G_LOCK (process_lock);
  pid = get_priv (self)->pid;
  G_UNLOCK (process_lock);
  return pid;
}

/**
 * g_process_object_get_parent_pid:
 * @self: a #GProcessObject
 *
 * Gets the pid of the process that created the object (its parent once started); 0 for the
 * main process and for g_process_get_parent().
 *
 * Returns: the creator's pid, or 0
 *
 * Since: 0.1
 */
GPid
g_process_object_get_parent_pid (GProcessObject *self)
{
  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), 0);

  return get_priv (self)->creator_pid;
}

/**
 * g_process_object_get_exit_code:
 * @self: a #GProcessObject
 *
 * Gets the exit code: the child's exit status, or -N if signal N ended it;
 * %G_PROCESS_EXIT_CODE_NONE before start, while it runs, and for the current process;
 * %G_PROCESS_EXIT_CODE_UNKNOWN if it ended but somebody else collected its status (SIGCHLD
 * ignored, or a waitpid() of the application) on a kernel that did not keep it (before
 * Linux 6.15). Like Python's `exitcode`, reading it checks (without blocking) whether the
 * child has ended, and reaps it if so.
 *
 * Returns: the exit code, %G_PROCESS_EXIT_CODE_NONE or %G_PROCESS_EXIT_CODE_UNKNOWN
 *
 * Since: 0.1
 */
int
g_process_object_get_exit_code (GProcessObject *self)
{
  int code;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), G_PROCESS_EXIT_CODE_NONE);

  _g_process_wait_try_reap (self);
  G_LOCK (process_lock);
  code = get_priv (self)->exit_code;
  G_UNLOCK (process_lock);
  return code;
}

/**
 * g_process_object_get_sentinel:
 * @self: a #GProcessObject
 *
 * Gets a file descriptor that becomes readable when the child ends. See
 * #GProcessObject:sentinel.
 *
 * Returns: the descriptor, or -1
 *
 * Since: 0.1
 */
int
g_process_object_get_sentinel (GProcessObject *self)
{
  GProcessObjectPrivate *priv;
  int fd = -1;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), -1);

  priv = get_priv (self);
  G_LOCK (process_lock);
  if (priv->kind == PROCESS_KIND_CHILD && priv->state != G_PROCESS_STATE_CLOSED &&
      _g_process_sentinel_is_ours (&priv->sentinel))
    fd = priv->sentinel.fd;
  G_UNLOCK (process_lock);
  return fd;
}

/**
 * g_process_object_get_state:
 * @self: a #GProcessObject
 *
 * Gets the state as last observed. Unlike g_process_object_is_alive() and
 * g_process_object_get_exit_code() it does not check whether the child has ended, so that
 * reading it from a #GObject::notify handler cannot observe (and notify) the end in the middle
 * of that handler.
 *
 * Returns: the #GProcessState
 *
 * Since: 0.1
 */
GProcessState
g_process_object_get_state (GProcessObject *self)
{
  GProcessState state;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), G_PROCESS_STATE_INITIAL);

  G_LOCK (process_lock);
  state = get_priv (self)->state;
  G_UNLOCK (process_lock);
  return state;
}
