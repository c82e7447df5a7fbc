/* gprocess-introspect.c: entry points for language bindings
 *
 * What a binding needs so that it does not re-implement the library: the errno error domain,
 * ending the children at exit, the checks an operation makes, Python's repr(), the identity
 * counters, and a callback setter for the source of g_process_object_create_source().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "gprocess.h"
#include "gprocess-object-private.h"
#include "gprocess-exit-private.h"
#include "gprocess-wait-private.h"

/**
 * SECTION:gprocess-introspect
 * @title: For language bindings
 * @short_description: entry points that let bindings use the library's own rules
 *
 * These functions let a language binding (PyGObject's override, gjs, Vala) follow the
 * library's rules instead of writing them again: the checks an operation makes before it acts
 * (g_process_object_check()), the description of an object as Python's `repr()` gives it
 * (g_process_object_describe()), the counters that name an object
 * (g_process_object_get_identity()), what a process does with its children when it ends
 * (g_process_end_children()), the `errno` of an operating system failure
 * (g_process_get_last_errno()), and a callback for g_process_object_create_source() that a binding
 * can call with the process (g_process_source_set_callback()).
 */

static inline GProcessObjectPrivate *
get_priv (GProcessObject *self)
{
  return _g_process_object_get_private (self);
}


/**
 * g_process_end_children:
 *
 * Does what a process does with its children when it ends: terminates (SIGTERM) its daemonic
 * children, then waits for all of them. A child started by g_process_object_start() does it
 * when its run ends (g_process_exit()), the main process at exit(); a binding calls it earlier,
 * while its runtime is still whole (Python: from an `atexit` handler, as `multiprocessing`
 * does). Afterwards the process counts as exiting: the children it waited for are not
 * notified, and keep a reference, until the process ends.
 *
 * Since: 0.2
 */
void
g_process_end_children (void)
{
  if (_g_process_tree_begin_exit ())
    _g_process_exit_end_children ();
}

static gboolean
set_closed_error (GProcessObjectPrivate  *priv,
                  GError                **error)
{
  g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED,
               _("Process object “%s” is closed"), priv->name);
  return FALSE;
}

/**
 * g_process_object_check:
 * @self: a #GProcessObject
 * @operation: what is about to be done with @self
 * @error: return location for a #GError
 *
 * Checks whether @operation would be refused for @self, with the #GError the operation itself
 * gives (or would give, for the operations that only emit a critical warning): for
 * %G_PROCESS_OPERATION_START and %G_PROCESS_OPERATION_JOIN, the errors of
 * g_process_object_start() and g_process_object_join() that come before anything is done;
 * for %G_PROCESS_OPERATION_TEST, %G_PROCESS_ERROR_CLOSED or %G_PROCESS_ERROR_NOT_CHILD (an
 * object created by another process); for %G_PROCESS_OPERATION_SIGNAL,
 * %G_PROCESS_ERROR_CLOSED or %G_PROCESS_ERROR_NOT_STARTED; for
 * %G_PROCESS_OPERATION_CONFIGURE, %G_PROCESS_ERROR_ALREADY_STARTED once started (also for the
 * current and the parent process), until closed; for %G_PROCESS_OPERATION_READ,
 * %G_PROCESS_ERROR_CLOSED.
 *
 * Bindings use it to raise their language's exception before calling a function that would
 * only warn; the answer may be out of date once another thread acts on @self.
 *
 * Returns: %TRUE if @operation may proceed
 *
 * Since: 0.2
 */
gboolean
g_process_object_check (GProcessObject     *self,
                        GProcessOperation   operation,
                        GError            **error)
{
  GProcessObjectPrivate *priv;
  gboolean current;
  gboolean ok = TRUE;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = get_priv (self);
  current = _g_process_tree_is_current (self);
  G_LOCK (process_lock);
  switch (operation)
    {
    case G_PROCESS_OPERATION_START:
      ok = _g_process_start_check_locked (self, error);
      break;
    case G_PROCESS_OPERATION_JOIN:
      ok = _g_process_wait_check_joinable_locked (self, error);
      break;
    case G_PROCESS_OPERATION_TEST:
      if (priv->state == G_PROCESS_STATE_CLOSED)
        ok = set_closed_error (priv, error);
      else if (priv->kind == PROCESS_KIND_CHILD && !current && !_g_process_object_is_own_child (self))
        {
          g_set_error_literal (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_CHILD,
                               _("Can only test a child process"));
          ok = FALSE;
        }
      break;
    case G_PROCESS_OPERATION_SIGNAL:
      if (priv->state == G_PROCESS_STATE_CLOSED)
        ok = set_closed_error (priv, error);
      else if (priv->state == G_PROCESS_STATE_INITIAL)
        {
          g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_STARTED,
                       _("Process “%s” has not been started"), priv->name);
          ok = FALSE;
        }
      break;
    case G_PROCESS_OPERATION_CONFIGURE:
      if (!_g_process_object_configurable_locked (self))
        {
          g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_ALREADY_STARTED,
                       _("Process “%s” has already started"), priv->name);
          ok = FALSE;
        }
      break;
    case G_PROCESS_OPERATION_READ:
      if (priv->state == G_PROCESS_STATE_CLOSED)
        ok = set_closed_error (priv, error);
      break;
    default:
      G_UNLOCK (process_lock);
      g_return_val_if_reached (FALSE);
    }
  G_UNLOCK (process_lock);
  return ok;
}

/* Python's repr() of a str: the quote it chooses, its escapes (printable as str.isprintable()) */
static void
append_python_repr (GString    *s,
                    const char *text)
{
  char quote = (strchr (text, '\'') != NULL && strchr (text, '"') == NULL) ? '"' : '\'';

  g_string_append_c (s, quote);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (c == (gunichar) quote || c == '\\')
        g_string_append_printf (s, "\\%c", (char) c);
      else if (c == '\n')
        g_string_append (s, "\\n");
      else if (c == '\r')
        g_string_append (s, "\\r");
      else if (c == '\t')
        g_string_append (s, "\\t");
      else if (c != ' ' &&
               (type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT ||
                type == G_UNICODE_SURROGATE || type == G_UNICODE_PRIVATE_USE ||
                type == G_UNICODE_UNASSIGNED || type == G_UNICODE_LINE_SEPARATOR ||
                type == G_UNICODE_PARAGRAPH_SEPARATOR || type == G_UNICODE_SPACE_SEPARATOR))
        g_string_append_printf (s, c <= 0xff ? "\\x%02x" : c <= 0xffff ? "\\u%04x" : "\\U%08x", c);
      else
        g_string_append_unichar (s, c);
    }
  g_string_append_c (s, quote);
}

/**
 * g_process_object_describe:
 * @self: a #GProcessObject
 * @type_name: (nullable): the class name to show, or %NULL for the #GType's name
 *
 * Describes the object exactly as Python's `multiprocessing` writes the `repr()` of a process,
 * e.g. `<Process name='Process-1' pid=1240 parent=1234 stopped exitcode=-SIGTERM daemon>`.
 * It differs from g_process_object_to_string() in three ways: the class name is @type_name,
 * the current process and the parent process show no pid (they have no child handle), and
 * the name is quoted and escaped as Python's `repr()` of a string does it. The status is
 * `initial`, `started`, `stopped`, `closed`, or `unknown` for an object created by another
 * process; reading it reaps an ended child.
 *
 * Returns: (transfer full): a new string
 *
 * Since: 0.2
 */
char *
g_process_object_describe (GProcessObject *self,
                           const char     *type_name)
{
  GProcessObjectPrivate *priv;
  gboolean current;
  const char *status;
  GString *s;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), NULL);

  priv = get_priv (self);
  current = _g_process_tree_is_current (self);
  if (priv->kind == PROCESS_KIND_CHILD && !current)
    _g_process_wait_try_reap (self);

  s = g_string_new ("<");
  g_string_append_printf (s, "%s name=", type_name != NULL ? type_name : G_OBJECT_TYPE_NAME (self));
  G_LOCK (process_lock);
  status = _g_process_object_status_word_locked (self, current);

  append_python_repr (s, priv->name);
  if (!current && priv->kind == PROCESS_KIND_CHILD && priv->pid != 0 &&
      priv->state != G_PROCESS_STATE_CLOSED)
    g_string_append_printf (s, " pid=%d", (int) priv->pid);
  if (priv->creator_pid != 0)
    g_string_append_printf (s, " parent=%d", (int) priv->creator_pid);
  else
    g_string_append (s, " parent=None");
  g_string_append_printf (s, " %s", status);
  if (g_str_equal (status, "stopped"))
    {
      char *code = _g_process_exit_code_to_string (priv->exit_code);

      g_string_append_printf (s, " exitcode=%s", code);
      g_free (code);
    }
  if (priv->daemon)
    g_string_append (s, " daemon");
  G_UNLOCK (process_lock);

  g_string_append_c (s, '>');
  return g_string_free (s, FALSE);
}

/**
 * g_process_object_get_identity:
 * @self: a #GProcessObject
 * @n_counters: (out): the number of counters
 *
 * Gets the counters that named the object at construction, whatever its name is now:
 * `Process-3:1` (the first object created by the third child of the main process) has
 * `{3, 1}`; the main process and the parent process have none. This is what Python's
 * `multiprocessing` calls a process's `_identity`.
 *
 * Returns: (transfer full) (array length=n_counters) (nullable): the counters, or %NULL when
 *   there are none
 *
 * Since: 0.2
 */
int *
g_process_object_get_identity (GProcessObject *self,
                               gsize          *n_counters)
{
  char **parts;
  int *counters;
  gsize n;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), NULL);
  g_return_val_if_fail (n_counters != NULL, NULL);

  /* Fixed at construction: no lock */
  *n_counters = 0;
  if (get_priv (self)->identity[0] == '\0')
    return NULL;
  parts = g_strsplit (get_priv (self)->identity, ":", -1);
  n = g_strv_length (parts);
  counters = g_new (int, n);
  for (gsize i = 0; i < n; i++)
    counters[i] = atoi (parts[i]);
  g_strfreev (parts);
  *n_counters = n;
  return counters;
}

/**
 * g_process_source_set_callback:
 * @source: a #GSource made by g_process_object_create_source()
 * @func: (scope notified) (closure user_data) (destroy notify): called with the process when
 *   the source dispatches
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data
 *
 * Sets the callback of @source. In C it is g_source_set_callback() with a
 * #GProcessSourceFunc; language bindings call this one, because g_source_set_callback() is
 * introspected with a #GSourceFunc, whose callback would not receive the process (in Python
 * and gjs: `GProcess.source_set_callback(source, callback)`).
 *
 * Since: 0.2
 */
void
g_process_source_set_callback (GSource            *source,
                               GProcessSourceFunc  func,
                               gpointer            user_data,
                               GDestroyNotify      notify)
{
  g_return_if_fail (source != NULL);
  g_return_if_fail (_g_process_wait_is_process_source (source));

  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) func, user_data, notify);
}
