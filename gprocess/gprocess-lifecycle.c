/* gprocess-lifecycle.c: beyond multiprocessing: the parent-death signal and process-group
 * settings, stop() (TERM, grace, KILL, reap), the resource usage of an ended child
 *
 * The parent-death signal itself is armed by gprocess-pdeath.c, results travel through
 * gprocess-result.c; this file owns the properties and what start() and the child's bootstrap
 * do for them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gprocess.h"
#include "gprocess-object-private.h"
#include "gprocess-lifecycle-private.h"
#include "gprocess-pdeath-private.h"
#include "gprocess-result-private.h"
#include "gprocess-wait-private.h"

/**
 * SECTION:gprocess-lifecycle
 * @title: Lifecycle API
 * @short_description: no orphans, graceful stop, process groups, resource usage, results
 *
 * What `multiprocessing` leaves to its users, done once:
 *
 * - #GProcessObject:parent-death-signal: a child gets a signal when its parent *process*
 *   ends, however it ends (SIGKILL included), and not when the thread that started it ends.
 *   Daemonic children get SIGTERM unless told otherwise.
 * - g_process_object_stop(): SIGTERM, a grace period, SIGKILL, and the child is reaped.
 * - #GProcessObject:process-group: the child leads a process group, and
 *   g_process_object_terminate(), g_process_object_kill() and g_process_object_stop() signal
 *   the whole group, grandchildren included.
 * - g_process_object_get_usage(): the CPU time and peak memory of an ended child.
 * - g_process_set_result() and g_process_set_error() in the child,
 *   g_process_object_get_result() in the parent: a #GVariant or a #GError back from the child,
 *   without building a queue.
 *
 * |[<!-- language="C" -->
 * static void
 * work (GProcessObject *process, gpointer user_data)
 * {
 *   g_process_set_result (g_variant_new_int64 (6 * 7));
 * }
 *
 * g_autoptr(GProcessObject) p = g_process_object_new_with_target (work, NULL, NULL);
 * g_process_object_set_process_group (p, TRUE);
 * g_process_object_start (p, &error);
 * g_process_object_join (p, -1, NULL, &error);
 * g_autoptr(GVariant) answer = g_process_object_get_result (p, &error);   // 42
 * ]|
 *
 * The chapter <link linkend="gprocess-lifecycle-results">Lifecycle and results</link> explains
 * the mechanisms and their limits.
 */

#define get_priv _g_process_object_get_private

/* ---------------------------------------------------------------------------------------- */
/* Properties                                                                                */

void
_g_process_lifecycle_install_properties (GParamSpec **properties)
{
  /**
   * GProcessObject:parent-death-signal:
   *
   * The signal the child gets when its parent process ends, however it ends (also on
   * SIGKILL), or 0 for none. It follows the process, not the thread that started the child:
   * a child started from a worker thread keeps running when that thread ends. If the parent
   * has already ended when the child starts, the child gets the signal at once.
   *
   * The default is 0, except for a daemonic object (#GProcessObject:daemon) whose value was
   * never set: SIGTERM. The getter returns the value in effect. It can only change before
   * g_process_object_start() (or after g_process_object_close()), as
   * #GProcessObject:daemon.
   *
   * The parent's end is seen when its last descriptor of a pipe closes: when it exits, is
   * killed, or calls exec().
   *
   * Since: 0.2
   */
  properties[PROP_PARENT_DEATH_SIGNAL] =
    g_param_spec_int ("parent-death-signal", "Parent death signal",
                      "The signal the child gets when its parent process ends, or 0",
                      0, 64, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GProcessObject:process-group:
   *
   * Whether the child leads a new process group. Then g_process_object_terminate(),
   * g_process_object_kill() and g_process_object_stop() signal the whole group (the child's
   * own children included, unless they left it), also after the child has ended while members
   * of its group remain. It can only change before g_process_object_start().
   *
   * Since: 0.2
   */
  properties[PROP_PROCESS_GROUP] =
    g_param_spec_boolean ("process-group", "Process group",
                          "Whether the child leads a new process group", FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

int
_g_process_lifecycle_parent_death_signal_locked (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);

  if (priv->lifecycle.parent_death_signal_set)
    return priv->lifecycle.parent_death_signal;
  return priv->daemon ? SIGTERM : 0;
}

#define settable_locked _g_process_object_configurable_locked

/**
 * g_process_object_get_parent_death_signal:
 * @self: a #GProcessObject
 *
 * Gets the signal in effect for the end of the parent. See
 * #GProcessObject:parent-death-signal.
 *
 * Returns: the signal number, or 0
 *
 * Since: 0.2
 */
int
g_process_object_get_parent_death_signal (GProcessObject *self)
{
  int signum;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), 0);

  G_LOCK (process_lock);
  signum = _g_process_lifecycle_parent_death_signal_locked (self);
  G_UNLOCK (process_lock);
  return signum;
}

/**
 * g_process_object_set_parent_death_signal:
 * @self: a #GProcessObject
 * @signum: a signal number, or 0 for none
 *
 * Sets the signal the child gets when its parent process ends. See
 * #GProcessObject:parent-death-signal. After g_process_object_start() the value is left as it
 * is and a critical warning is emitted.
 *
 * Since: 0.2
 */
void
g_process_object_set_parent_death_signal (GProcessObject *self,
                                          int             signum)
{
  GProcessObjectPrivate *priv;
  gboolean changed = FALSE;
  gboolean refused = FALSE;

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));

  if (signum < 0 || signum >= NSIG)
    {
      g_critical ("g_process_object_set_parent_death_signal: %d is not a signal number", signum);
      return;
    }
  priv = get_priv (self);
  G_LOCK (process_lock);
  if (!settable_locked (self))
    refused = _g_process_lifecycle_parent_death_signal_locked (self) != signum;
  else
    {
      changed = _g_process_lifecycle_parent_death_signal_locked (self) != signum;
      priv->lifecycle.parent_death_signal = signum;
      priv->lifecycle.parent_death_signal_set = TRUE;
    }
  G_UNLOCK (process_lock);

  if (refused)
    g_critical ("g_process_object_set_parent_death_signal: process “%s” has already started",
                g_process_object_get_name (self));
  if (changed)
    _g_process_object_notify_by_id (self, PROP_PARENT_DEATH_SIGNAL);
}

/**
 * g_process_object_get_process_group:
 * @self: a #GProcessObject
 *
 * Gets whether the child leads a process group. See #GProcessObject:process-group.
 *
 * Returns: whether the child leads a process group
 *
 * Since: 0.2
 */
gboolean
g_process_object_get_process_group (GProcessObject *self)
{
  gboolean group;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), FALSE);

  G_LOCK (process_lock);
  group = get_priv (self)->lifecycle.process_group;
  G_UNLOCK (process_lock);
  return group;
}

/**
 * g_process_object_set_process_group:
 * @self: a #GProcessObject
 * @process_group: whether the child leads a new process group
 *
 * Sets whether the child leads a new process group. See #GProcessObject:process-group. After
 * g_process_object_start() the value is left as it is and a critical warning is emitted.
 *
 * Since: 0.2
 */
void
g_process_object_set_process_group (GProcessObject *self,
                                    gboolean        process_group)
{
  GProcessObjectPrivate *priv;
  gboolean changed = FALSE;
  gboolean refused = FALSE;

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));

  priv = get_priv (self);
  process_group = !!process_group;
  G_LOCK (process_lock);
  if (!settable_locked (self))
    refused = priv->lifecycle.process_group != process_group;
  else if (priv->lifecycle.process_group != process_group)
    {
      priv->lifecycle.process_group = process_group;
      changed = TRUE;
    }
  G_UNLOCK (process_lock);

  if (refused)
    g_critical ("g_process_object_set_process_group: process “%s” has already started",
                g_process_object_get_name (self));
  if (changed)
    _g_process_object_notify_by_id (self, PROP_PROCESS_GROUP);
}

/* ---------------------------------------------------------------------------------------- */
/* start() and the child                                                                     */

/* In start(), under the lock, before the fork: the per-process descriptors the child will
 * inherit (created once per process, never per child). */
gboolean
_g_process_lifecycle_prepare_start_locked (GProcessObject  *self,
                                           GError         **error)
{
  if (!_g_process_result_prepare_locked (error))
    return FALSE;
  if (_g_process_lifecycle_parent_death_signal_locked (self) != 0 &&
      !_g_process_pdeath_prepare_locked (error))
    return FALSE;
  return TRUE;
}

/* Child code (see gprocess-child.c), in a child of start(), before the library's descriptors
 * are closed: keeps those the child needs. */
void
_g_process_lifecycle_keep_in_child (GProcessObject *self)
{
  _g_process_pdeath_keep_in_child ();
  _g_process_result_keep_in_child ();
}

/* Child code, in every new process */
void
_g_process_lifecycle_reset_in_child (void)
{
  _g_process_pdeath_reset_in_child ();
  _g_process_result_reset_in_child ();
}

/* Child code, in a child of start(), first thing in its bootstrap (before the start gate: so
 * the group exists before the child can run anything, let alone fork). */
void
_g_process_lifecycle_bootstrap_child (GProcessObject *self,
                                      pid_t           parent)
{
  GProcessObjectPrivate *priv = get_priv (self);

  if (priv->lifecycle.process_group)
    setpgid (0, 0);
  _g_process_pdeath_bootstrap_child (_g_process_lifecycle_parent_death_signal_locked (self),
                                     parent);
  _g_process_result_bootstrap_child ();
}

/* Child code, in a child of the fork server, before its gate: as
 * _g_process_lifecycle_bootstrap_child(), with what the request carried (the object is rebuilt
 * only later). @parent is the application, the child's parent (CLONE_PARENT). */
void
_g_process_lifecycle_bootstrap_served_child (gboolean process_group,
                                             int      signum,
                                             int      death_read_fd,
                                             int      result_send_fd,
                                             pid_t    parent)
{
  if (process_group)
    setpgid (0, 0);
  if (death_read_fd >= 0)
    {
      _g_process_pdeath_adopt_in_child (death_read_fd);
      _g_process_pdeath_bootstrap_child (signum, parent);
    }
  if (result_send_fd >= 0)
    {
      _g_process_result_adopt_in_child (result_send_fd);
      _g_process_result_bootstrap_child ();
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Signalling a process group                                                                */

/* With #GProcessObject:process-group, signals the child's group (the leader's own signal goes
 * through its pidfd, in _g_process_wait_signal_locked()).
 *
 * This is the one place the library uses a bare number for a process: no pidfd exists for a
 * process group, so kill (-pgid) is the only way. Why it cannot hit a stranger: a pid number
 * is not given to a new process while any process still uses it, as its pid *or as its
 * process group id* (the kernel frees the number only when the struct pid is detached from
 * every task in every role). The group's id is the leader's pid, so
 *  - while the leader is not reaped (running or zombie), the number is ours, and so is the
 *    group: only the leader (our child) could have created group N;
 *  - after the leader was reaped, the number stays reserved as long as any member of group N
 *    remains, so kill (-N) reaches exactly the remaining members; when none remains, it fails
 *    with ESRCH.
 * The only window left is after the last member has gone: the number is free, and kill (-N)
 * could reach a new group N only if, in between, the kernel cycled through all the other pid
 * numbers (pid_max: 32768 or up to about 4 million, depending on the system) and the new
 * owner of N made itself a group leader. Before
 * the child has called setpgid() (it does so first thing, before it can fork) the group does
 * not exist yet: ESRCH, and the leader alone gets the signal through its pidfd. */
void
_g_process_lifecycle_signal_group_locked (GProcessObject *self,
                                          int             signum)
{
  GProcessObjectPrivate *priv = get_priv (self);

  if (!priv->lifecycle.process_group || !_g_process_object_is_own_child (self) ||
      priv->pid <= 0 || priv->starting ||
      (priv->state != G_PROCESS_STATE_STARTED && priv->state != G_PROCESS_STATE_STOPPED))
    return;
  kill (-priv->pid, signum);
}

/* ---------------------------------------------------------------------------------------- */
/* Resource usage                                                                            */

/**
 * g_process_object_get_usage:
 * @self: a #GProcessObject
 * @user_time_us: (out) (optional): the CPU time the child spent in user mode, in microseconds
 * @system_time_us: (out) (optional): the CPU time the child spent in the kernel, in
 *   microseconds
 * @max_rss_bytes: (out) (optional): the child's peak resident set size, in bytes
 *
 * Gets the resource usage of an ended child, which the kernel returns with its exit status
 * (`waitid()`): it counts the child itself and those of its own children it waited for. Like
 * g_process_object_get_exit_code() it checks, without blocking, whether the child has ended.
 *
 * Returns: %TRUE once the end has been observed; %FALSE (all outputs 0) before, and when
 *   somebody else collected the child's status (%G_PROCESS_EXIT_CODE_UNKNOWN)
 *
 * Since: 0.2
 */
gboolean
g_process_object_get_usage (GProcessObject *self,
                            gint64         *user_time_us,
                            gint64         *system_time_us,
                            gint64         *max_rss_bytes)
{
  GProcessObjectPrivate *priv;
  struct rusage usage;
  gboolean known;

  if (user_time_us != NULL)
    *user_time_us = 0;
  if (system_time_us != NULL)
    *system_time_us = 0;
  if (max_rss_bytes != NULL)
    *max_rss_bytes = 0;
  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), FALSE);

  priv = get_priv (self);
  if (priv->kind != PROCESS_KIND_CHILD || _g_process_tree_is_current (self))
    return FALSE;
  _g_process_try_reap (self);

  G_LOCK (process_lock);
  known = priv->exit_code != G_PROCESS_EXIT_CODE_NONE &&
          priv->exit_code != G_PROCESS_EXIT_CODE_UNKNOWN;
  usage = priv->usage;
  G_UNLOCK (process_lock);
  if (!known)
    return FALSE;

  if (user_time_us != NULL)
    *user_time_us = (gint64) usage.ru_utime.tv_sec * G_USEC_PER_SEC + usage.ru_utime.tv_usec;
  if (system_time_us != NULL)
    *system_time_us = (gint64) usage.ru_stime.tv_sec * G_USEC_PER_SEC + usage.ru_stime.tv_usec;
  if (max_rss_bytes != NULL)
    *max_rss_bytes = (gint64) usage.ru_maxrss * 1024;   /* the kernel counts KiB */
  return TRUE;
}
