/* gprocess-tree.c: the process tree: this process, its parent and its children
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gprocess.h"
#include "gprocess-object-private.h"

#define get_priv _g_process_object_get_private

static GProcessObject *current_process;      /* (atomic) this process, as a process object */
static gsize main_process_once;
static GProcessObject *parent_process;       /* (lock process_lock) in a child, on demand */
static pid_t parent_pid;                     /* in a child: the pid of the creator; set in the
                                              * new process before anything else runs */
static GProcessObject *volatile parent_object; /* in a child: the creator's copy of itself */
static int process_counter;                  /* (atomic) names children; reset in each child */
static GProcessObject *children_head;        /* (lock process_lock) started, end not observed */
static GProcessObject *children_tail;        /* (lock process_lock) */
static guint n_children;                     /* (lock process_lock) on the list */
static GHashTable *children_by_serial;       /* (lock process_lock) &serial → child */
static GHashTable *children_by_pid;          /* (lock process_lock) pid → child */
static guint64 next_serial;                  /* (lock process_lock) */
static gboolean exiting;                     /* (atomic) at exit: no notifications, no unrefs */

/* Kept (write-only, hence volatile) so that what a child inherits stays reachable for leak
 * checkers: a new process must not free what its parent's other threads may have been using. */
static GProcessObject *volatile inherited_children;
static GHashTable *volatile inherited_by_serial;
static GHashTable *volatile inherited_by_pid;
static GProcessObject *volatile inherited_parent_process;
static GProcessObject *volatile main_process;

/* ---------------------------------------------------------------------------------------- */
/* This process                                                                              */

GProcessObject *
_g_process_tree_current (void)
{
  GProcessObject *current = g_atomic_pointer_get (&current_process);

  if (G_LIKELY (current != NULL))
    return current;

  if (g_once_init_enter (&main_process_once))
    {
      GProcessObject *main_object = _g_process_object_new_for_kind (PROCESS_KIND_MAIN);

      main_process = main_object;
      g_atomic_pointer_set (&current_process, main_object);
      g_once_init_leave (&main_process_once, 1);
    }
  return g_atomic_pointer_get (&current_process);
}

gboolean
_g_process_tree_is_current (GProcessObject *self)
{
  return self == g_atomic_pointer_get (&current_process);
}

int
_g_process_tree_next_count (void)
{
  return g_atomic_int_add (&process_counter, 1) + 1;
}

/* The identity ("3:1": the creator's identity and @count) and the default name
 * ("Process-3:1") of a new child object, in its inline buffers when they fit. No printf: its
 * few KiB of stack are one more page to fault in after every fork. */
void
_g_process_tree_name_new_child (GProcessObjectPrivate *priv,
                                const char            *creator_identity,
                                int                    count)
{
  static const char prefix[] = "Process-";
  gsize creator_len = strlen (creator_identity);
  char digits[16];
  gsize n_digits = 0, len;
  char *id;

  do
    digits[n_digits++] = (char) ('0' + count % 10);
  while ((count /= 10) > 0);

  len = creator_len + (creator_len > 0 ? 1 : 0) + n_digits;
  id = len < sizeof priv->identity_inline ? priv->identity_inline : g_malloc (len + 1);
  memcpy (id, creator_identity, creator_len);
  if (creator_len > 0)
    id[creator_len++] = ':';
  while (n_digits > 0)
    id[creator_len++] = digits[--n_digits];
  id[creator_len] = '\0';
  priv->identity = id;

  if (sizeof prefix - 1 + len < sizeof priv->name_inline)
    {
      memcpy (priv->name_inline, prefix, sizeof prefix - 1);
      memcpy (priv->name_inline + sizeof prefix - 1, id, len + 1);
      priv->name = priv->name_inline;
    }
  else
    priv->name = g_strconcat (prefix, id, NULL);
}

pid_t
_g_process_tree_parent_pid (void)
{
  return parent_pid;
}

const char *
_g_process_tree_parent_name (void)
{
  return parent_object != NULL ? get_priv (parent_object)->name : "MainProcess";
}

gboolean
_g_process_tree_is_exiting (void)
{
  return g_atomic_int_get (&exiting);
}

/* Runs in every new process (see gprocess-child.c): it has no children yet. */
void
_g_process_tree_reset_in_child (void)
{
  inherited_children = children_head;
  inherited_by_serial = children_by_serial;
  inherited_by_pid = children_by_pid;
  children_head = children_tail = NULL;
  children_by_serial = children_by_pid = NULL;
  n_children = 0;
  exiting = FALSE;
}

/* Runs in a child of start() (see gprocess-child.c): @self becomes the current process. */
void
_g_process_tree_become_child (GProcessObject *self,
                              pid_t           creator)
{
  parent_pid = creator;
  parent_object = current_process;
  inherited_parent_process = parent_process;
  parent_process = NULL;
  process_counter = 0;
  current_process = self;
}

/* ---------------------------------------------------------------------------------------- */
/* The children list, and its two indexes: by serial (the reaper's key) and by pid (what
 * waitid (P_ALL) reports). Lookups are O(1) so that the cost per child stays flat with
 * thousands of them. The indexes exist only while CHILDREN_INDEXED_FROM children or more are
 * listed: below, a lookup walks a short list, and a start writes no hash table (their three
 * arrays are three pages, hence three faults per start after a fork).                       */

#define CHILDREN_INDEXED_FROM 16

static void
index_child_locked (GProcessObject *child)
{
  GProcessObjectPrivate *priv = get_priv (child);

  g_hash_table_insert (children_by_serial, &priv->reaper.serial, child);
  if (priv->pid != 0)
    g_hash_table_insert (children_by_pid, GINT_TO_POINTER (priv->pid), child);
}

guint64
_g_process_tree_next_serial_locked (void)
{
  return ++next_serial;
}

/* Before the fork: the object is listed while it starts, so that its reference and the
 * table entries are written before fork() (after it, every page written is a copy). */
void
_g_process_tree_add_locked (GProcessObject *child)
{
  GProcessObjectPrivate *priv = get_priv (child);

  priv->link.prev = children_tail;
  priv->link.next = NULL;
  if (children_tail != NULL)
    get_priv (children_tail)->link.next = child;
  else
    children_head = child;
  children_tail = child;
  priv->link.listed = TRUE;
  n_children++;
  if (children_by_serial != NULL)
    index_child_locked (child);
  else if (n_children >= CHILDREN_INDEXED_FROM)
    {
      children_by_serial = g_hash_table_new (g_int64_hash, g_int64_equal);
      children_by_pid = g_hash_table_new (NULL, NULL);
      for (GProcessObject *c = children_head; c != NULL; c = get_priv (c)->link.next)
        index_child_locked (c);
    }
}

/* After the fork, once the pid is known */
void
_g_process_tree_set_pid_locked (GProcessObject *child)
{
  if (children_by_pid != NULL)
    g_hash_table_insert (children_by_pid, GINT_TO_POINTER (get_priv (child)->pid), child);
}

void
_g_process_tree_remove_locked (GProcessObject *child)
{
  GProcessObjectPrivate *priv = get_priv (child);

  if (!priv->link.listed)
    return;
  if (priv->link.prev != NULL)
    get_priv (priv->link.prev)->link.next = priv->link.next;
  else
    children_head = priv->link.next;
  if (priv->link.next != NULL)
    get_priv (priv->link.next)->link.prev = priv->link.prev;
  else
    children_tail = priv->link.prev;
  priv->link.prev = priv->link.next = NULL;
  priv->link.listed = FALSE;
  n_children--;
  if (children_by_serial == NULL)
    return;
  if (n_children == 0)
    {
      g_clear_pointer (&children_by_serial, g_hash_table_unref);
      g_clear_pointer (&children_by_pid, g_hash_table_unref);
      return;
    }
  g_hash_table_remove (children_by_serial, &priv->reaper.serial);
  if (priv->pid != 0 && g_hash_table_lookup (children_by_pid, GINT_TO_POINTER (priv->pid)) == child)
    g_hash_table_remove (children_by_pid, GINT_TO_POINTER (priv->pid));
}

GProcessObject *
_g_process_tree_find_by_serial_locked (guint64 serial)
{
  if (children_by_serial != NULL)
    return g_hash_table_lookup (children_by_serial, &serial);
  for (GProcessObject *c = children_head; c != NULL; c = get_priv (c)->link.next)
    if (get_priv (c)->reaper.serial == serial)
      return c;
  return NULL;
}

GProcessObject *
_g_process_tree_find_by_pid_locked (pid_t pid)
{
  if (children_by_pid != NULL)
    return g_hash_table_lookup (children_by_pid, GINT_TO_POINTER (pid));
  for (GProcessObject *c = children_head; c != NULL; c = get_priv (c)->link.next)
    if (get_priv (c)->pid == pid)
      return c;
  return NULL;
}

GProcessObject *
_g_process_tree_first_locked (void)
{
  return children_head;
}

GProcessObject *
_g_process_tree_next_locked (GProcessObject *child)
{
  return get_priv (child)->link.next;
}

/* ---------------------------------------------------------------------------------------- */
/* Exit: the daemon rules                                                                    */

/* At the end of the current process (a child's run, or the main process's exit): no
 * notification and no unref from now on. Returns whether there are children to end
 * (_g_process_wait_end_children()). A child that started none (the common case) takes no
 * lock: the mutex's code page would be one more fault in every child. */
gboolean
_g_process_tree_begin_exit (void)
{
  g_atomic_int_set (&exiting, TRUE);
  return g_atomic_pointer_get (&children_head) != NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* The parent of a child                                                                     */

/* Opens a pidfd on the parent, once. Returns -1 if it has already died, -2 if the kernel has
 * no pidfd_open() (then only getppid() can tell whether it lives). */
int
_g_process_tree_parent_fd_locked (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);
  int fd;

  if (_g_process_sentinel_is_ours (&priv->sentinel))
    return priv->sentinel.fd;
  if (priv->state != G_PROCESS_STATE_STARTED)
    return -1;

  fd = _g_process_pidfd_open (priv->pid);
  if (fd < 0 && errno == ENOSYS)
    return getppid () == priv->pid ? -2 : -1;
  /* Still our parent after the open: the pidfd cannot refer to a recycled pid. */
  if (fd >= 0 && getppid () != priv->pid)
    {
      close (fd);
      fd = -1;
    }
  if (fd < 0)
    {
      priv->state = G_PROCESS_STATE_STOPPED;
      return -1;
    }
  _g_process_fds_add_locked (fd);
  priv->sentinel.fd = fd;
  priv->sentinel.owner = _g_process_self_pid ();
  priv->sentinel.is_pidfd = TRUE;
  return fd;
}

gboolean
_g_process_tree_parent_is_alive_locked (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);
  int fd = _g_process_tree_parent_fd_locked (self);
  struct pollfd pfd = { fd, POLLIN, 0 };

  if (fd == -2)
    {
      if (getppid () == priv->pid)
        return TRUE;
      priv->state = G_PROCESS_STATE_STOPPED;
      return FALSE;
    }
  if (fd < 0)
    return FALSE;
  if (poll (&pfd, 1, 0) > 0)
    {
      priv->state = G_PROCESS_STATE_STOPPED;
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Public API                                                                                */

/**
 * g_process_get_current:
 *
 * Gets the current process as a process object: in a child started by
 * g_process_object_start(), the object that was started (same name, daemon flag and key; it is
 * alive and has no exit code); otherwise an object named `MainProcess`.
 *
 * Returns: (transfer none): the current process
 *
 * Since: 0.1
 */
GProcessObject *
g_process_get_current (void)
{
  return _g_process_tree_current ();
}

/**
 * g_process_get_parent:
 *
 * Gets the process that started the current one: in a child, an object with the name and pid
 * of its creator, whose g_process_object_is_alive() and g_process_object_join() follow the
 * parent's life; %NULL in the main process.
 *
 * Returns: (transfer none) (nullable): the parent process, or %NULL
 *
 * Since: 0.1
 */
GProcessObject *
g_process_get_parent (void)
{
  GProcessObject *result;

  _g_process_tree_current ();
  if (parent_pid == 0)
    return NULL;

  G_LOCK (process_lock);
  result = parent_process;
  G_UNLOCK (process_lock);
  if (result != NULL)
    return result;

  /* Constructed outside the lock (init reads shared state), published under it. */
  result = _g_process_object_new_for_kind (PROCESS_KIND_PARENT);

  G_LOCK (process_lock);
  if (parent_process == NULL)
    {
      parent_process = result;
      result = NULL;
    }
  G_UNLOCK (process_lock);
  g_clear_object (&result);
  return parent_process;
}

/* ---------------------------------------------------------------------------------------- */
/* Making and ending objects                                                                 */

/* The only way to make a MAIN or PARENT object */
GProcessObject *
_g_process_object_new_for_kind (ProcessKind kind)
{
  GProcessObject *object;

  _g_process_constructing_kind = kind;
  object = g_object_new (G_PROCESS_TYPE_OBJECT, NULL);
  _g_process_constructing_kind = PROCESS_KIND_CHILD;
  return object;
}

/* Outside the lock: emits the notifications and drops the children list's references of the
 * objects _g_process_reap_locked() collected. */
void
_g_process_object_notify_ended (GProcessObject *ended)
{
  while (ended != NULL)
    {
      GProcessObjectPrivate *priv = _g_process_object_get_private (ended);
      GProcessObject *next = g_steal_pointer (&priv->next_ended);

      if (!_g_process_tree_is_exiting ())
        {
          g_object_notify_by_pspec (G_OBJECT (ended), _g_process_object_pspecs[PROP_STATE]);
          g_object_notify_by_pspec (G_OBJECT (ended), _g_process_object_pspecs[PROP_EXIT_CODE]);
          g_object_unref (ended);
        }
      ended = next;
    }
}
