/* gprocess-describe.c: how a process object describes itself
 *
 * g_process_object_to_string(), and what it shares with g_process_object_describe()
 * (gprocess-introspect.c, Python's repr()): the word for where the object is in its life, and
 * the escaping that keeps a name from forging the rest of the line.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <signal.h>
#include <string.h>

#include "gprocess.h"
#include "gprocess-object-private.h"
#include "gprocess-wait-private.h"

#define get_priv(self) _g_process_object_get_private (self)

/* A name as to_string() shows it, between single quotes: no control character, quote or
 * backslash unescaped, so that a name cannot forge the rest of the line. */
char *
_g_process_escape_name (const char *name)
{
  GString *s = g_string_sized_new (strlen (name) + 8);

  for (const char *p = name; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '\\': g_string_append (s, "\\\\"); break;
        case '\'': g_string_append (s, "\\'"); break;
        case '\n': g_string_append (s, "\\n"); break;
        case '\r': g_string_append (s, "\\r"); break;
        case '\t': g_string_append (s, "\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (s, "\\x%02x", c);
          else
            g_string_append_c (s, (char) c);
        }
    }
  return g_string_free (s, FALSE);
}

/* An exit code as to_string() and describe() show it, as Python's multiprocessing names exit
 * codes: -SIGTERM for the signals its signal module names (RTMIN and RTMAX too), "unknown"
 * when the status could not be read, the number otherwise */
char *
_g_process_exit_code_to_string (int code)
{
  const char *abbrev = NULL;

  if (code == G_PROCESS_EXIT_CODE_UNKNOWN)
    return g_strdup ("unknown");
  if (code < 0 && -code == SIGRTMIN)
    abbrev = "RTMIN";
  else if (code < 0 && -code == SIGRTMAX)
    abbrev = "RTMAX";
#ifdef HAVE_SIGABBREV_NP
  else if (code < 0)
    abbrev = sigabbrev_np (-code);
#endif
  if (abbrev != NULL)
    return g_strdup_printf ("-SIG%s", abbrev);
  return g_strdup_printf ("%d", code);
}

/* The word to_string() and describe() (Python's repr) show for where @self is in its life,
 * as multiprocessing's BaseProcess.__repr__ words it. @current: @self is the current process */
const char *
_g_process_object_status_word_locked (GProcessObject *self,
                                      gboolean        current)
{
  GProcessObjectPrivate *priv = get_priv (self);

  if (current)
    return "started";
  if (priv->state == G_PROCESS_STATE_CLOSED)
    return "closed";
  if (!_g_process_object_is_own_child (self))
    return "unknown";
  if (priv->state == G_PROCESS_STATE_INITIAL)
    return "initial";
  return priv->exit_code != G_PROCESS_EXIT_CODE_NONE ? "stopped" : "started";
}

/**
 * g_process_object_to_string:
 * @self: a #GProcessObject
 *
 * Describes the object as Python's `repr()` of a process does, e.g.
 * `<GProcessObject name='Process-1' pid=1240 parent=1234 stopped exitcode=-SIGTERM daemon>`.
 * The status is `initial`, `started`, `stopped`, `closed`, or `unknown` for an object created
 * by another process; the pid is shown once started, until closed. Quotes, backslashes and
 * control characters in the name are escaped (`\'`, `\\`, `\n`, `\xNN`). The authentication
 * key never appears.
 *
 * Returns: (transfer full): a new string
 *
 * Since: 0.1
 */
char *
g_process_object_to_string (GProcessObject *self)
{
  GProcessObjectPrivate *priv;
  gboolean current;
  GString *s;
  const char *status;
  char *name;
  int code;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), NULL);

  priv = get_priv (self);
  current = _g_process_tree_is_current (self);
  if (priv->kind == PROCESS_KIND_CHILD && !current)
    _g_process_wait_try_reap (self);

  s = g_string_new ("<");
  G_LOCK (process_lock);
  code = priv->exit_code;
  status = _g_process_object_status_word_locked (self, current);

  name = _g_process_escape_name (priv->name);
  g_string_append_printf (s, "%s name='%s'", G_OBJECT_TYPE_NAME (self), name);
  g_free (name);
  if (current)
    g_string_append_printf (s, " pid=%d", (int) _g_process_self_pid ());
  else if (priv->pid != 0 && priv->state != G_PROCESS_STATE_CLOSED)
    g_string_append_printf (s, " pid=%d", (int) priv->pid);
  if (priv->creator_pid != 0)
    g_string_append_printf (s, " parent=%d", (int) priv->creator_pid);
  else
    g_string_append (s, " parent=None");
  g_string_append_printf (s, " %s", status);
  if (g_str_equal (status, "stopped"))
    {
      char *code_str = _g_process_exit_code_to_string (code);

      g_string_append_printf (s, " exitcode=%s", code_str);
      g_free (code_str);
    }
  if (priv->daemon)
    g_string_append (s, " daemon");
  G_UNLOCK (process_lock);

  g_string_append_c (s, '>');
  return g_string_free (s, FALSE);
}
