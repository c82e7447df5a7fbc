/* gprocess-object.c: a process object, like Python's multiprocessing.Process
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gprocess.h"
#include "gprocess-private.h"

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

/* The state machine of an ordinary object (every field below "under process_lock"):
 *
 *   INITIAL --start()--> STARTED --end observed (reaped)--> STOPPED --close()--> CLOSED
 *      `------------------------------------ close() ------------------------------^
 *
 * Invariants, in the process that created the object:
 *  - pid != 0 once start() succeeded, and stays after the end;
 *  - exit_code != G_PROCESS_EXIT_CODE_NONE <=> the child was reaped (exactly once);
 *  - listed (on the children list, which owns a reference) <=> STARTED and not reaped;
 *  - serial != 0 once started: the key of its sentinel in the start()-context's reaper;
 *  - pidfd (the sentinel) is open from start() until close() or finalize, and only in the
 *    process recorded in pidfd_owner: a forked child's copy of the object does not own it.
 *
 * One lock, process_lock, guards all of it. It is never held while calling out to user code
 * (targets, signal handlers, the fork hook) or while blocking on a child, and it is taken
 * around fork() by pthread_atfork handlers so that a child never inherits it locked.
 */

typedef enum
{
  PROCESS_KIND_CHILD,   /* an ordinary object: a child of the process that created it */
  PROCESS_KIND_MAIN,    /* "MainProcess": the current process when it is not a GProcess child */
  PROCESS_KIND_PARENT,  /* in a child: stands for the process that started it */
} ProcessKind;

typedef struct
{
  /* Fixed at construction */
  ProcessKind kind;
  pid_t creator_pid;               /* 0 for MAIN and PARENT objects */
  char *identity;                  /* "3:1": the counters that name it */

  /* Under process_lock */
  GProcessTargetFunc target;
  gpointer target_data;
  GDestroyNotify target_destroy;
  char *name;
  GBytes *authkey;
  gboolean daemon;
  GProcessState state;
  gboolean starting;
  GPid pid;
  int exit_code;
  int pidfd;
  pid_t pidfd_owner;
  guint fd_users;                  /* sources and waiters polling pidfd outside the lock */
  guint64 serial;                  /* names this start in the reaper's epoll set (not the pid:
                                    * an event read before taking the lock may belong to a child
                                    * reaped meanwhile, whose pid a new child may have) */
  int reaper_epfd;                 /* that epoll set while registered and armed, or -1 */
  gboolean listed;
  GProcessObject *prev_child;
  GProcessObject *next_child;

  /* Handed from the thread that reaped the child to its notification step */
  GProcessObject *next_ended;
} GProcessObjectPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (GProcessObject, g_process_object, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_DAEMON,
  PROP_PID,
  PROP_EXIT_CODE,
  PROP_AUTHKEY,
  PROP_SENTINEL,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define AUTHKEY_LENGTH 32

/* Process-wide state */
static GMutex process_lock;
static pid_t cached_pid;                     /* getpid() is a system call; see self_pid() */
static GProcessObject *current_process;      /* this process, as a process object */
static gsize main_process_once;
static GProcessObject *parent_process;       /* in a child, created on demand */
static pid_t parent_pid;                     /* in a child: the pid of the creator */
static GProcessObject *volatile parent_object; /* in a child: the creator's copy of itself */
static int process_counter;                  /* names children; reset in each child */
static GProcessObject *children_head;        /* started and not yet reaped, oldest first */
static GProcessObject *children_tail;
static gboolean exiting;                     /* at exit: no notifications, no unrefs */
static guint64 *library_fds;                 /* bitmap of the descriptors the library owns */
static guint library_fds_words;
static GProcessForkFunc fork_hook;
static gpointer fork_hook_data;
static GDestroyNotify fork_hook_destroy;
static int own_sentinel_write_fd = -1;       /* pipe fallback: a child's end of its sentinel */
static int devnull_fd = -1;                  /* /dev/null, opened once: a child then needs one
                                              * dup2() onto its stdin, not an open() */

/* Kept (write-only, hence volatile) so that what a child inherits stays reachable for leak
 * checkers */
static GProcessObject *volatile inherited_children;
static GProcessObject *volatile inherited_parent_process;
static GProcessObject *volatile main_process;
static GPtrArray *volatile joined_at_exit;

/* Set while the library constructs a MAIN or PARENT object in this thread */
static __thread ProcessKind constructing_kind = PROCESS_KIND_CHILD;

/* Set by start() around its fork(), for atfork_child() */
static __thread GProcessObject *forking_object;
static __thread pid_t forking_creator;
static __thread int forking_sentinel_write_fd = -1;
static __thread int forking_sentinel_read_fd = -1;

/* This process's pid. glibc no longer caches getpid(); atfork_child() refreshes this copy in
 * every new process. */
static inline pid_t
self_pid (void)
{
  pid_t pid = g_atomic_int_get (&cached_pid);

  if (G_UNLIKELY (pid == 0))
    {
      pid = getpid ();
      g_atomic_int_set (&cached_pid, pid);
    }
  return pid;
}

/* fflush() only with bytes pending: it takes the stream's lock, and after a fork every page
 * written is one more copy. */
static void
flush_std_streams (void)
{
  if (__fpending (stdout) > 0)
    fflush (stdout);
  if (__fpending (stderr) > 0)
    fflush (stderr);
}

static inline GProcessObjectPrivate *
get_priv (GProcessObject *self)
{
  return g_process_object_get_instance_private (self);
}

/* ---------------------------------------------------------------------------------------- */
/* Descriptors the library owns: closed in every child so that none of them leaks.          */

static void
library_fd_add_locked (int fd)
{
  guint word = (guint) fd / 64;

  if (word >= library_fds_words)
    {
      guint n = MAX (word + 1, library_fds_words * 2);

      library_fds = g_renew (guint64, library_fds, n);
      memset (library_fds + library_fds_words, 0, (n - library_fds_words) * sizeof (guint64));
      library_fds_words = n;
    }
  library_fds[word] |= G_GUINT64_CONSTANT (1) << (fd % 64);
}

static void
library_fd_remove_locked (int fd)
{
  if ((guint) fd / 64 < library_fds_words)
    library_fds[fd / 64] &= ~(G_GUINT64_CONSTANT (1) << (fd % 64));
}

static void
close_fd_range (int first, int last)
{
#ifdef HAVE_CLOSE_RANGE
  if (close_range ((unsigned) first, (unsigned) last, 0) == 0)
    return;
#endif
  for (int fd = first; fd <= last; fd++)
    close (fd);
}

/* In a new child: one close_range() per run of consecutive library descriptors. */
static void
close_library_fds_in_child (void)
{
  int run_start = -1;
  int n_fds = (int) library_fds_words * 64;

  for (int fd = 0; fd <= n_fds; fd++)
    {
      gboolean owned = fd < n_fds && (library_fds[fd / 64] >> (fd % 64)) & 1;

      if (owned && run_start < 0)
        run_start = fd;
      else if (!owned && run_start >= 0)
        {
          close_fd_range (run_start, fd - 1);
          run_start = -1;
        }
    }
  if (library_fds != NULL)
    memset (library_fds, 0, library_fds_words * sizeof (guint64));
}

static int
pidfd_open_or_fail (pid_t pid)
{
#if defined(SYS_pidfd_open)
  return (int) syscall (SYS_pidfd_open, pid, 0);
#else
  errno = ENOSYS;
  return -1;
#endif
}

/* Whether pidfd_open() works here; GPROCESS_NO_PIDFD=1 forces the pipe fallback (tests). */
static gboolean
pidfd_supported (void)
{
  static gsize supported = 0;

  if (g_once_init_enter (&supported))
    {
      gsize value = 1;
      const char *no_pidfd = g_getenv ("GPROCESS_NO_PIDFD");

      if (no_pidfd != NULL && no_pidfd[0] == '1')
        value = 2;
      else
        {
          int fd = pidfd_open_or_fail (getpid ());

          if (fd < 0 && errno == ENOSYS)
            value = 2;
          else if (fd >= 0)
            close (fd);
        }
      g_once_init_leave (&supported, value);
    }
  return supported == 1;
}

/* ---------------------------------------------------------------------------------------- */
/* fork() safety                                                                             */

static void
atfork_prepare (void)
{
  g_mutex_lock (&process_lock);
}

static void
atfork_parent (void)
{
  g_mutex_unlock (&process_lock);
}

static void redirect_stdin_to_devnull (void);
static void become_child_of_start (GProcessObject *self);

/* Runs in every new process, whoever called fork(): it has no children yet, and the library's
 * descriptors describe its parent's children. A fork made by start() also becomes that
 * object's process here, so that a binding's fork hook can run the child at once. */
static void
atfork_child (void)
{
  cached_pid = getpid ();
  inherited_children = children_head;
  children_head = children_tail = NULL;
  exiting = FALSE;
  if (forking_object != NULL)
    redirect_stdin_to_devnull ();  /* while the library's /dev/null is still open */
  close_library_fds_in_child ();
  devnull_fd = -1;
  if (forking_object != NULL)
    become_child_of_start (forking_object);
  g_mutex_unlock (&process_lock);
}

/* ---------------------------------------------------------------------------------------- */
/* The children list                                                                         */

static void
list_append_locked (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);

  priv->prev_child = children_tail;
  priv->next_child = NULL;
  if (children_tail != NULL)
    get_priv (children_tail)->next_child = self;
  else
    children_head = self;
  children_tail = self;
  priv->listed = TRUE;
}

static void
list_remove_locked (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);

  if (priv->prev_child != NULL)
    get_priv (priv->prev_child)->next_child = priv->next_child;
  else
    children_head = priv->next_child;
  if (priv->next_child != NULL)
    get_priv (priv->next_child)->prev_child = priv->prev_child;
  else
    children_tail = priv->prev_child;
  priv->prev_child = priv->next_child = NULL;
  priv->listed = FALSE;
}

static GProcessObject *
find_child_locked (GPid pid)
{
  for (GProcessObject *c = children_head; c != NULL; c = get_priv (c)->next_child)
    if (get_priv (c)->pid == pid)
      return c;
  return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Reaping: the one place a child's status is collected                                      */

static int
exit_code_from_status (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return -WTERMSIG (status);
  return 255;
}

/* Collects the status of an ended child (blocking only when @block) and hands the object, with
 * the children list's reference and its watch, to *@ended for ended_flush(). Returns whether
 * this call observed the end. */
static gboolean
reap_locked (GProcessObject  *self,
             gboolean         block,
             GProcessObject **ended)
{
  GProcessObjectPrivate *priv = get_priv (self);
  int status = 0;
  pid_t r;

  if (priv->kind != PROCESS_KIND_CHILD || priv->pid == 0 ||
      priv->exit_code != G_PROCESS_EXIT_CODE_NONE || priv->creator_pid != self_pid ())
    return FALSE;

  do
    r = waitpid (priv->pid, &status, block ? 0 : WNOHANG);
  while (r < 0 && errno == EINTR);

  if (r == 0)
    return FALSE;

  if (r < 0)
    {
      /* Somebody else reaped it (SIGCHLD ignored, or a waitpid(-1) elsewhere). */
      g_warning (_("The exit status of process %d was collected by someone else: %s"),
                 (int) priv->pid, g_strerror (errno));
      status = 255 << 8;
    }

  priv->exit_code = exit_code_from_status (status);
  /* Ended without the reaper's help: its entry would wake the main loop for nothing */
  if (priv->reaper_epfd >= 0)
    epoll_ctl (priv->reaper_epfd, EPOLL_CTL_DEL, priv->pidfd, NULL);
  priv->reaper_epfd = -1;
  if (priv->state == G_PROCESS_STATE_STARTED)
    priv->state = G_PROCESS_STATE_STOPPED;
  if (priv->listed)
    list_remove_locked (self);
  priv->next_ended = *ended;
  *ended = self;
  return TRUE;
}

/* Outside the lock: emits the notifications and drops the children list's references of the
 * objects reap_locked() collected. */
static void
ended_flush (GProcessObject *ended)
{
  while (ended != NULL)
    {
      GProcessObjectPrivate *priv = get_priv (ended);
      GProcessObject *next = g_steal_pointer (&priv->next_ended);

      if (!exiting)
        {
          g_object_notify_by_pspec (G_OBJECT (ended), properties[PROP_STATE]);
          g_object_notify_by_pspec (G_OBJECT (ended), properties[PROP_EXIT_CODE]);
          g_object_unref (ended);
        }
      ended = next;
    }
}

/* Reaps the children that have ended, cheaply: a single waitid(WNOWAIT) tells whether any
 * child at all is a zombie, so the cost does not grow with the number of running children. */
static void
reap_finished_children_locked (GProcessObject **ended)
{
  while (children_head != NULL)
    {
      siginfo_t info;
      GProcessObject *child;

      memset (&info, 0, sizeof info);
      if (waitid (P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0)
        return;

      child = find_child_locked (info.si_pid);
      if (child == NULL)
        {
          /* A zombie that is not ours hides the others: check ours one by one. */
          GProcessObject *next;

          for (GProcessObject *c = children_head; c != NULL; c = next)
            {
              next = get_priv (c)->next_child;
              reap_locked (c, FALSE, ended);
            }
          return;
        }

      if (!reap_locked (child, FALSE, ended))
        return;
    }
}

/* The sentinel is shared by waiters that poll it outside the lock; close() and finalize leave
 * the close() to the last of them. */
static int
fd_acquire_locked (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);

  priv->fd_users++;
  return priv->pidfd;
}

static void
fd_close_locked (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);

  if (priv->pidfd >= 0 && priv->pidfd_owner == self_pid ())
    {
      library_fd_remove_locked (priv->pidfd);
      close (priv->pidfd);
    }
  priv->pidfd = -1;
}

static void
fd_release_locked (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);

  g_assert (priv->fd_users > 0);
  priv->fd_users--;
  if (priv->fd_users == 0 && priv->state == G_PROCESS_STATE_CLOSED)
    fd_close_locked (self);
}

/* Waits until @fd is readable, the timeout passes or @cancellable is cancelled. Survives
 * signals. The timeout is in microseconds; negative means none. */
static gboolean
wait_for_fd (int            fd,
             gint64         timeout_us,
             GCancellable  *cancellable,
             GError       **error)
{
  struct pollfd fds[2] = { { fd, POLLIN, 0 }, { -1, POLLIN, 0 } };
  nfds_t n_fds = 1;
  gint64 deadline = timeout_us >= 0 ? g_get_monotonic_time () + timeout_us : -1;
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
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               _("Timed out waiting for the process to end"));
          break;
        }
    }

  if (n_fds == 2)
    g_cancellable_release_fd (cancellable);
  return ok;
}

/* ---------------------------------------------------------------------------------------- */
/* Sources: the watch that start() attaches, create_source() and join_async()               */

typedef struct
{
  GSource source;
  GProcessObject *process;   /* owned */
  gpointer fd_tag;           /* NULL when the process had already ended */
} ProcessSource;

/* Observes the end of @self after its sentinel became readable (or to be sure it is known). */
static void
observe_end_after_sentinel (GProcessObject *self)
{
  GProcessObject *ended = NULL;

  g_mutex_lock (&process_lock);
  /* With a pidfd the zombie exists once it is readable; with the pipe fallback the child may
   * still be exiting, so block (briefly) in both cases. */
  reap_locked (self, TRUE, &ended);
  g_mutex_unlock (&process_lock);
  ended_flush (ended);
}

static gboolean
process_source_dispatch (GSource     *source,
                         GSourceFunc  callback,
                         gpointer     user_data)
{
  ProcessSource *ps = (ProcessSource *) source;

  if (ps->fd_tag != NULL && g_source_query_unix_fd (source, ps->fd_tag) != 0)
    observe_end_after_sentinel (ps->process);

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
      g_mutex_lock (&process_lock);
      fd_release_locked (ps->process);
      g_mutex_unlock (&process_lock);
    }
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

/* Called with process_lock held. @self has started; the source takes over @self_ref (a
 * reference taken before locking: a first extra reference may call a binding's toggle-ref
 * handler, which must not run under the lock) and, while the child has not been reaped, a use
 * of the sentinel. */
static GSource *
process_source_new_locked (GProcessObject *self_ref,
                           GCancellable   *cancellable)
{
  GProcessObject *self = self_ref;
  GProcessObjectPrivate *priv = get_priv (self);
  GSource *source = g_source_new (&process_source_funcs, sizeof (ProcessSource));
  ProcessSource *ps = (ProcessSource *) source;

  g_source_set_static_name (source, "GProcessObject end");
  ps->process = self_ref;

  if (priv->exit_code == G_PROCESS_EXIT_CODE_NONE && priv->pidfd >= 0 &&
      priv->pidfd_owner == self_pid ())
    ps->fd_tag = g_source_add_unix_fd (source, fd_acquire_locked (self), G_IO_IN);
  else
    g_source_set_ready_time (source, 0);

  if (cancellable != NULL)
    {
      GSource *cancel_source = g_cancellable_source_new (cancellable);

      g_source_set_callback (cancel_source, (GSourceFunc) (void (*) (void)) cancelled_source_callback,
                             NULL, NULL);
      g_source_add_child_source (source, cancel_source);
      g_source_unref (cancel_source);
    }
  return source;
}

/* ---------------------------------------------------------------------------------------- */
/* The reaper: one source per main context watches the sentinels of every child started from
 * that context, through an epoll set. A start costs one epoll_ctl() (no context lock, no
 * wake-up write); the context sleeps in poll() on the epoll descriptor, which becomes readable
 * when any sentinel does. A sentinel leaves the set by itself when it is closed.            */

typedef struct
{
  GSource source;
  GMainContext *context;   /* not owned: the context owns the source */
  int epfd;
} ReaperSource;

static GHashTable *reapers;   /* GMainContext * → ReaperSource *, under process_lock */
static guint64 next_serial;   /* under process_lock */

static GProcessObject *
find_child_by_serial_locked (guint64 serial)
{
  for (GProcessObject *c = children_head; c != NULL; c = get_priv (c)->next_child)
    if (get_priv (c)->serial == serial)
      return c;
  return NULL;
}

static gboolean
reaper_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  ReaperSource *reaper = (ReaperSource *) source;
  struct epoll_event events[64];
  int n;

  do
    n = epoll_wait (reaper->epfd, events, G_N_ELEMENTS (events), 0);
  while (n < 0 && errno == EINTR);

  for (int i = 0; i < n; i++)
    {
      GProcessObject *ended = NULL;
      GProcessObject *child;

      g_mutex_lock (&process_lock);
      /* Not found: already reaped by someone else (a join, is_alive…) */
      child = find_child_by_serial_locked (events[i].data.u64);
      if (child != NULL)
        {
          get_priv (child)->reaper_epfd = -1;  /* fired: one-shot entries disarm themselves */
          reap_locked (child, TRUE, &ended);
        }
      g_mutex_unlock (&process_lock);
      ended_flush (ended);
    }
  return G_SOURCE_CONTINUE;
}

static void
reaper_finalize (GSource *source)
{
  ReaperSource *reaper = (ReaperSource *) source;

  g_mutex_lock (&process_lock);
  if (reapers != NULL && g_hash_table_lookup (reapers, reaper->context) == reaper)
    g_hash_table_remove (reapers, reaper->context);
  for (GProcessObject *c = children_head; c != NULL; c = get_priv (c)->next_child)
    if (get_priv (c)->reaper_epfd == reaper->epfd)
      get_priv (c)->reaper_epfd = -1;
  if (reaper->epfd >= 0 && library_fds != NULL)
    {
      library_fd_remove_locked (reaper->epfd);
      close (reaper->epfd);
    }
  g_mutex_unlock (&process_lock);
}

static GSourceFuncs reaper_funcs = {
  NULL,
  NULL,
  reaper_dispatch,
  reaper_finalize,
  NULL,
  NULL,
};

/* The reaper of @context, created and attached on first use; NULL if epoll fails. */
static ReaperSource *
reaper_for_context_locked (GMainContext *context)
{
  ReaperSource *reaper;
  int epfd;

  if (reapers == NULL)
    reapers = g_hash_table_new (NULL, NULL);
  reaper = g_hash_table_lookup (reapers, context);
  if (reaper != NULL)
    return reaper;

  epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (epfd < 0)
    return NULL;
  library_fd_add_locked (epfd);

  reaper = (ReaperSource *) g_source_new (&reaper_funcs, sizeof (ReaperSource));
  reaper->context = context;
  reaper->epfd = epfd;
  g_source_set_static_name ((GSource *) reaper, "GProcess reaper");
  g_source_add_unix_fd ((GSource *) reaper, epfd, G_IO_IN);
  g_hash_table_insert (reapers, context, reaper);
  g_source_attach ((GSource *) reaper, context);
  g_source_unref ((GSource *) reaper);  /* the context owns it */
  return reaper;
}

/* ---------------------------------------------------------------------------------------- */
/* Object                                                                                    */

static void
fill_random (guint8 *buf,
             gsize   len)
{
  gsize got = 0;

  while (got < len)
    {
      ssize_t r = getrandom (buf + got, len - got, 0);

      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("GProcess: getrandom() failed: %s", g_strerror (errno));
        }
      got += (gsize) r;
    }
}

static GBytes *
new_random_authkey (void)
{
  guint8 key[AUTHKEY_LENGTH];

  fill_random (key, sizeof key);
  return g_bytes_new (key, sizeof key);
}

static GProcessObject *
ensure_current (void)
{
  GProcessObject *current = g_atomic_pointer_get (&current_process);

  if (G_LIKELY (current != NULL))
    return current;

  if (g_once_init_enter (&main_process_once))
    {
      GProcessObject *main_object;

      constructing_kind = PROCESS_KIND_MAIN;
      main_object = g_object_new (G_PROCESS_TYPE_OBJECT, NULL);
      constructing_kind = PROCESS_KIND_CHILD;
      main_process = main_object;
      g_atomic_pointer_set (&current_process, main_object);
      g_once_init_leave (&main_process_once, 1);
    }
  return g_atomic_pointer_get (&current_process);
}

static gboolean
is_current (GProcessObject *self)
{
  return self == g_atomic_pointer_get (&current_process);
}

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

  g_mutex_lock (&process_lock);
  if (priv->creator_pid == self_pid ())
    {
      g_assert (!priv->listed);        /* the children list owns a reference */
      g_assert (priv->fd_users == 0);  /* sources and waiters own references */
    }
  fd_close_locked (self);
  g_mutex_unlock (&process_lock);

  if (priv->target_destroy != NULL)
    priv->target_destroy (priv->target_data);
  g_clear_pointer (&priv->name, g_free);
  g_clear_pointer (&priv->identity, g_free);
  g_clear_pointer (&priv->authkey, g_bytes_unref);

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
      g_value_set_string (value, g_process_object_get_name (self));
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
      g_value_set_boxed (value, g_process_object_get_authkey (self));
      break;
    case PROP_SENTINEL:
      g_value_set_int (value, g_process_object_get_sentinel (self));
      break;
    case PROP_STATE:
      g_value_set_enum (value, g_process_object_get_state (self));
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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_process_object_class_init (GProcessObjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = g_process_object_finalize;
  object_class->get_property = g_process_object_get_property;
  object_class->set_property = g_process_object_set_property;

  klass->run = g_process_object_real_run;

  /**
   * GProcessObject:name:
   *
   * The name of the process, for identification only. By default `Process-N1:N2:…:Nk`, where
   * the sequence of counters grows with each generation (`Process-3` starts `Process-3:1`);
   * `MainProcess` for the main process. %NULL or "" at construction means the default.
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

  g_object_class_install_properties (object_class, N_PROPS, properties);

  _g_process_init_i18n ();
  pthread_atfork (atfork_prepare, atfork_parent, atfork_child);
}

static void
g_process_object_init (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);

  priv->kind = constructing_kind;
  priv->exit_code = G_PROCESS_EXIT_CODE_NONE;
  priv->pidfd = -1;
  priv->reaper_epfd = -1;
  priv->state = G_PROCESS_STATE_INITIAL;

  switch (priv->kind)
    {
    case PROCESS_KIND_MAIN:
      priv->identity = g_strdup ("");
      priv->name = g_strdup ("MainProcess");
      priv->authkey = new_random_authkey ();
      priv->state = G_PROCESS_STATE_STARTED;
      priv->pid = self_pid ();
      break;

    case PROCESS_KIND_PARENT:
      priv->identity = g_strdup ("");
      priv->name = g_strdup (parent_object != NULL ? get_priv (parent_object)->name : "MainProcess");
      priv->state = G_PROCESS_STATE_STARTED;
      priv->pid = parent_pid;
      break;

    case PROCESS_KIND_CHILD:
    default:
      {
        GProcessObject *current = ensure_current ();
        GProcessObjectPrivate *cpriv = get_priv (current);
        int count = g_atomic_int_add (&process_counter, 1) + 1;

        priv->creator_pid = self_pid ();
        g_mutex_lock (&process_lock);
        priv->daemon = cpriv->daemon;
        priv->authkey = cpriv->authkey != NULL ? g_bytes_ref (cpriv->authkey) : new_random_authkey ();
        if (cpriv->identity[0] != '\0')
          priv->identity = g_strdup_printf ("%s:%d", cpriv->identity, count);
        else
          priv->identity = g_strdup_printf ("%d", count);
        g_mutex_unlock (&process_lock);
        priv->name = g_strconcat ("Process-", priv->identity, NULL);
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
 * previous one is freed). Only before g_process_object_start(); afterwards a critical warning
 * is emitted and @destroy is called on @user_data at once.
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
  g_mutex_lock (&process_lock);
  if (priv->state != G_PROCESS_STATE_INITIAL || priv->starting || priv->kind != PROCESS_KIND_CHILD)
    refused = TRUE;
  else
    {
      old_destroy = priv->target_destroy;
      old_data = priv->target_data;
      priv->target = target;
      priv->target_data = user_data;
      priv->target_destroy = destroy;
    }
  g_mutex_unlock (&process_lock);

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
/* Exit                                                                                      */

/* Terminates the daemonic children of the current process and waits for all of them. Used
 * when a child's run ends and at exit of the main process. */
static void
end_children (void)
{
  GPtrArray *waiting;

  g_mutex_lock (&process_lock);
  exiting = TRUE;
  if (children_head == NULL)
    {
      g_mutex_unlock (&process_lock);
      return;
    }
  waiting = g_ptr_array_new ();
  for (GProcessObject *c = children_head; c != NULL; c = get_priv (c)->next_child)
    {
      GProcessObjectPrivate *cpriv = get_priv (c);

      if (cpriv->daemon)
        kill (cpriv->pid, SIGTERM);
      g_ptr_array_add (waiting, c);
    }
  g_mutex_unlock (&process_lock);

  /* Nothing is unreferenced while exiting (a binding's toggle reference could call into a
   * finalized interpreter): the array keeps the children, for good. */
  for (guint i = 0; i < waiting->len; i++)
    g_process_object_join (waiting->pdata[i], -1, NULL, NULL);

  joined_at_exit = waiting;
}

static void
at_exit_handler (void)
{
  end_children ();
}

/**
 * g_process_exit:
 * @status: the exit status
 *
 * Ends the current process with @status. In a child started by g_process_object_start() it
 * terminates the daemonic children, joins the others, flushes stdout and stderr and calls
 * _exit(): the parent's atexit() handlers do not run. In the main process it calls exit(),
 * whose GProcess handler does the same for the children.
 *
 * Since: 0.1
 */
void
g_process_exit (int status)
{
  GProcessObject *current = g_atomic_pointer_get (&current_process);

  if (current == NULL || get_priv (current)->kind != PROCESS_KIND_CHILD)
    exit (status);

  end_children ();
  flush_std_streams ();
  _exit (status);
}

/* ---------------------------------------------------------------------------------------- */
/* start()                                                                                   */

/* A library descriptor like the others */
static void
ensure_devnull_locked (void)
{
  if (devnull_fd < 0)
    {
      devnull_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      if (devnull_fd >= 0)
        library_fd_add_locked (devnull_fd);
    }
}

static void
redirect_stdin_to_devnull (void)
{
  if (devnull_fd >= 0 && devnull_fd != STDIN_FILENO)
    dup2 (devnull_fd, STDIN_FILENO);
}

/* The child's side of start(), from atfork_child() once the parent's descriptors are closed.
 * It is single-threaded. It takes no GLib lock, emits no signal and allocates only with
 * malloc. */
static void
become_child_of_start (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);

  parent_pid = forking_creator;
  parent_object = current_process;
  inherited_parent_process = parent_process;
  parent_process = NULL;
  process_counter = 0;

  /* Pipe fallback: the child keeps the write end of its own sentinel, and hides it from its
   * own children like any library descriptor */
  if (forking_sentinel_read_fd >= 0)
    close (forking_sentinel_read_fd);
  if (forking_sentinel_write_fd >= 0)
    {
      own_sentinel_write_fd = forking_sentinel_write_fd;
      library_fd_add_locked (forking_sentinel_write_fd);
    }

  priv->pid = self_pid ();
  priv->state = G_PROCESS_STATE_STARTED;
  priv->starting = FALSE;
  current_process = self;
  forking_object = NULL;
}

/* What start() does in the child once fork() returned there */
static void G_GNUC_NORETURN
child_main (GProcessObject *self)
{
  g_process_object_run (self);
  g_process_exit (0);
}

static pid_t
do_fork (void)
{
  GProcessForkFunc func;
  gpointer data;

  g_mutex_lock (&process_lock);
  func = fork_hook;
  data = fork_hook_data;
  g_mutex_unlock (&process_lock);

  if (func != NULL)
    {
      int r = func (data);

      if (r < 0)
        {
          errno = -r;
          return -1;
        }
      return r;
    }
  return fork ();
}

static gboolean
set_closed_error (GProcessObject  *self,
                  GError         **error)
{
  g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED,
               _("Process object “%s” is closed"), get_priv (self)->name);
  return FALSE;
}

/**
 * g_process_object_start:
 * @self: a #GProcessObject
 * @error: return location for a #GError
 *
 * Starts the process: forks a child that runs g_process_object_run() and ends. Call it at most
 * once per object, from the process that created it.
 *
 * Before forking it reaps the children of this process that have already ended and flushes
 * stdout and stderr, so that buffered output is not written twice. It registers the child with
 * the reaper of the thread-default #GMainContext of the caller (in the main process only), so
 * that the end of the child is observed, and notified, by that main loop without further calls. On success it
 * notifies #GProcessObject:pid and #GProcessObject:state in the calling thread.
 *
 * Errors: %G_PROCESS_ERROR_CLOSED, %G_PROCESS_ERROR_ALREADY_STARTED,
 * %G_PROCESS_ERROR_NOT_CHILD (created by another process, or the current process itself),
 * %G_PROCESS_ERROR_DAEMONIC (the current process is daemonic), %G_PROCESS_ERROR_FAILED (fork()
 * failed).
 *
 * Returns: %TRUE if the child was started
 *
 * Since: 0.1
 */
gboolean
g_process_object_start (GProcessObject  *self,
                        GError         **error)
{
  static gsize at_exit_registered = 0;
  GProcessObjectPrivate *priv;
  GProcessObject *current;
  GProcessObject *ended = NULL;
  ReaperSource *reaper = NULL;
  GDestroyNotify target_destroy = NULL;
  gpointer target_data = NULL;
  int sentinel_pipe[2] = { -1, -1 };
  gboolean use_pidfd;
  pid_t creator;
  pid_t pid;
  int sentinel;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = get_priv (self);
  current = ensure_current ();
  creator = self_pid ();

  g_mutex_lock (&process_lock);
  if (priv->state == G_PROCESS_STATE_CLOSED)
    {
      set_closed_error (self, error);
      g_mutex_unlock (&process_lock);
      return FALSE;
    }
  if (priv->kind != PROCESS_KIND_CHILD || self == current)
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_CHILD,
                   _("Process “%s” is the current or the parent process and cannot be started"),
                   priv->name);
      g_mutex_unlock (&process_lock);
      return FALSE;
    }
  if (priv->state != G_PROCESS_STATE_INITIAL || priv->starting)
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_ALREADY_STARTED,
                   _("Cannot start process “%s” twice"), priv->name);
      g_mutex_unlock (&process_lock);
      return FALSE;
    }
  if (priv->creator_pid != creator)
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_CHILD,
                   _("Can only start a process object created by the current process"));
      g_mutex_unlock (&process_lock);
      return FALSE;
    }
  if (get_priv (current)->daemon)
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_DAEMONIC,
                   _("Daemonic processes are not allowed to have children"));
      g_mutex_unlock (&process_lock);
      return FALSE;
    }
  priv->starting = TRUE;
  ensure_devnull_locked ();
  /* Looked up before the fork: after it, every page written is a copy. Only in the main
   * process: a child must not touch contexts it inherited from its parent. */
  if (get_priv (current)->kind == PROCESS_KIND_MAIN)
    {
      GMainContext *context = g_main_context_get_thread_default ();

      reaper = reaper_for_context_locked (context != NULL ? context : g_main_context_default ());
    }
  reap_finished_children_locked (&ended);
  g_mutex_unlock (&process_lock);

  ended_flush (ended);

  if (g_once_init_enter (&at_exit_registered))
    {
      atexit (at_exit_handler);
      g_once_init_leave (&at_exit_registered, 1);
    }

  use_pidfd = pidfd_supported ();
  if (!use_pidfd && pipe2 (sentinel_pipe, O_CLOEXEC) != 0)
    {
      int saved_errno = errno;

      g_mutex_lock (&process_lock);
      priv->starting = FALSE;
      g_mutex_unlock (&process_lock);
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
                   _("Could not start process “%s”: %s"), priv->name, g_strerror (saved_errno));
      return FALSE;
    }

  flush_std_streams ();

  /* The children list's reference, taken before the fork (a write after it is a copy) */
  g_object_ref (self);

  forking_object = self;
  forking_creator = creator;
  forking_sentinel_read_fd = sentinel_pipe[0];
  forking_sentinel_write_fd = sentinel_pipe[1];
  pid = do_fork ();
  forking_object = NULL;
  if (pid == 0)
    child_main (self);

  if (pid < 0)
    {
      int saved_errno = errno;

      if (sentinel_pipe[0] >= 0)
        {
          close (sentinel_pipe[0]);
          close (sentinel_pipe[1]);
        }
      g_mutex_lock (&process_lock);
      priv->starting = FALSE;
      g_mutex_unlock (&process_lock);
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
                   _("Could not start process “%s”: %s"), priv->name, g_strerror (saved_errno));
      g_object_unref (self);
      return FALSE;
    }

  if (use_pidfd)
    {
      sentinel = pidfd_open_or_fail (pid);
      if (sentinel < 0)
        {
          int saved_errno = errno;
          int status;

          /* Without a sentinel the child cannot be waited for properly: do not leave it. */
          kill (pid, SIGKILL);
          while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
            ;
          g_mutex_lock (&process_lock);
          priv->starting = FALSE;
          g_mutex_unlock (&process_lock);
          g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
                       _("Could not watch process “%s”: %s"), priv->name,
                       g_strerror (saved_errno));
          g_object_unref (self);
          return FALSE;
        }
    }
  else
    {
      close (sentinel_pipe[1]);
      sentinel = sentinel_pipe[0];
    }

  g_mutex_lock (&process_lock);
  priv->pid = pid;
  priv->pidfd = sentinel;
  priv->pidfd_owner = creator;
  library_fd_add_locked (sentinel);
  priv->state = G_PROCESS_STATE_STARTED;
  priv->starting = FALSE;
  priv->serial = ++next_serial;
  list_append_locked (self);  /* with the reference taken before the fork */
  if (reaper != NULL)
    {
      struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = priv->serial };

      if (epoll_ctl (reaper->epfd, EPOLL_CTL_ADD, sentinel, &ev) == 0)
        priv->reaper_epfd = reaper->epfd;
    }
  target_destroy = priv->target_destroy;
  target_data = priv->target_data;
  priv->target = NULL;
  priv->target_data = NULL;
  priv->target_destroy = NULL;
  g_mutex_unlock (&process_lock);

  if (target_destroy != NULL)
    target_destroy (target_data);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PID]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* The parent of a child                                                                     */

/* Opens a pidfd on the parent, once. Returns -1 if it has already died, -2 if the kernel has
 * no pidfd_open() (then only getppid() can tell whether it lives). */
static int
parent_fd_locked (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);
  int fd;

  if (priv->pidfd >= 0 && priv->pidfd_owner == self_pid ())
    return priv->pidfd;
  if (priv->state != G_PROCESS_STATE_STARTED)
    return -1;

  fd = pidfd_open_or_fail (priv->pid);
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
  priv->pidfd = fd;
  priv->pidfd_owner = self_pid ();
  library_fd_add_locked (fd);
  return fd;
}

static gboolean
parent_is_alive_locked (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);
  int fd = parent_fd_locked (self);
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

  ensure_current ();
  if (parent_pid == 0)
    return NULL;

  g_mutex_lock (&process_lock);
  result = parent_process;
  g_mutex_unlock (&process_lock);
  if (result != NULL)
    return result;

  /* Constructed outside the lock (init reads shared state), published under it. */
  constructing_kind = PROCESS_KIND_PARENT;
  result = g_object_new (G_PROCESS_TYPE_OBJECT, NULL);
  constructing_kind = PROCESS_KIND_CHILD;

  g_mutex_lock (&process_lock);
  if (parent_process == NULL)
    {
      parent_process = result;
      result = NULL;
    }
  g_mutex_unlock (&process_lock);
  g_clear_object (&result);
  return parent_process;
}

/* ---------------------------------------------------------------------------------------- */
/* join, is_alive, terminate, kill, close                                                    */

/**
 * g_process_object_join:
 * @self: a #GProcessObject
 * @timeout_us: how long to wait, in microseconds; negative for no limit, 0 to check only
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Waits until the child ends, without polling: it sleeps in poll() on the child's pidfd and on
 * @cancellable. It returns as soon as the child ends, survives signals and may be called many
 * times and from several threads at once; all of them see the same exit code. Once it observes
 * the end it notifies #GProcessObject:state and #GProcessObject:exit-code.
 *
 * In a child, joining g_process_get_parent() waits for the parent to end (this needs
 * pidfd_open, Linux 5.3; without it the join fails with %G_PROCESS_ERROR_FAILED).
 *
 * Errors: %G_IO_ERROR_TIMED_OUT when @timeout_us passed (the child keeps running),
 * %G_IO_ERROR_CANCELLED, %G_PROCESS_ERROR_CLOSED, %G_PROCESS_ERROR_JOIN_SELF,
 * %G_PROCESS_ERROR_NOT_CHILD (created by another process), %G_PROCESS_ERROR_NOT_STARTED.
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
  GProcessObject *ended = NULL;
  gboolean ok;
  int fd;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = get_priv (self);
  g_mutex_lock (&process_lock);
  if (priv->state == G_PROCESS_STATE_CLOSED)
    {
      set_closed_error (self, error);
      g_mutex_unlock (&process_lock);
      return FALSE;
    }
  if (is_current (self))
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_JOIN_SELF,
                   _("A process cannot join itself"));
      g_mutex_unlock (&process_lock);
      return FALSE;
    }
  if (priv->kind == PROCESS_KIND_PARENT)
    {
      gboolean stopped_now = FALSE;

      fd = parent_fd_locked (self);
      if (fd >= 0)
        fd_acquire_locked (self);
      g_mutex_unlock (&process_lock);
      if (fd == -2)
        {
          g_set_error_literal (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
                               _("Waiting for the parent process needs pidfd_open (Linux 5.3)"));
          return FALSE;
        }
      if (fd < 0)
        return TRUE;
      ok = wait_for_fd (fd, timeout_us, cancellable, error);
      g_mutex_lock (&process_lock);
      fd_release_locked (self);
      if (ok && priv->state == G_PROCESS_STATE_STARTED)
        {
          priv->state = G_PROCESS_STATE_STOPPED;
          stopped_now = TRUE;
        }
      g_mutex_unlock (&process_lock);
      if (stopped_now)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      return ok;
    }
  if (priv->kind != PROCESS_KIND_CHILD || priv->creator_pid != self_pid ())
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_CHILD,
                   _("Can only join a child process"));
      g_mutex_unlock (&process_lock);
      return FALSE;
    }
  if (priv->state == G_PROCESS_STATE_INITIAL)
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_STARTED,
                   _("Can only join a started process"));
      g_mutex_unlock (&process_lock);
      return FALSE;
    }
  if (priv->exit_code != G_PROCESS_EXIT_CODE_NONE)
    {
      g_mutex_unlock (&process_lock);
      return TRUE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_mutex_unlock (&process_lock);
      return FALSE;
    }
  fd = fd_acquire_locked (self);
  g_mutex_unlock (&process_lock);

  ok = wait_for_fd (fd, timeout_us, cancellable, error);

  g_mutex_lock (&process_lock);
  fd_release_locked (self);
  if (ok)
    reap_locked (self, TRUE, &ended);
  g_mutex_unlock (&process_lock);

  ended_flush (ended);
  return ok;
}

static void
join_async_done (GProcessObject *process,
                 gpointer        user_data);

static gboolean
join_source_callback (GProcessObject *process,
                      gpointer        user_data)
{
  join_async_done (process, user_data);
  return G_SOURCE_REMOVE;
}

static void
join_async_done (GProcessObject *process,
                 gpointer        user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
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

  g_mutex_lock (&process_lock);
  if (priv->state == G_PROCESS_STATE_CLOSED)
    set_closed_error (self, &error);
  else if (is_current (self))
    g_set_error (&error, G_PROCESS_ERROR, G_PROCESS_ERROR_JOIN_SELF,
                 _("A process cannot join itself"));
  else if (priv->kind != PROCESS_KIND_CHILD || priv->creator_pid != self_pid ())
    g_set_error (&error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_CHILD,
                 _("Can only join a child process"));
  else if (priv->state == G_PROCESS_STATE_INITIAL)
    g_set_error (&error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_STARTED,
                 _("Can only join a started process"));
  else if (priv->exit_code != G_PROCESS_EXIT_CODE_NONE)
    ended = TRUE;
  else
    source = process_source_new_locked (g_steal_pointer (&self_ref), cancellable);
  g_mutex_unlock (&process_lock);

  g_clear_object (&self_ref);
  if (error != NULL)
    g_task_return_error (task, error);
  else if (ended)
    g_task_return_boolean (task, TRUE);
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

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  priv = get_priv (self);
  self_ref = g_object_ref (self);
  g_mutex_lock (&process_lock);
  if (priv->kind == PROCESS_KIND_CHILD && priv->creator_pid == self_pid () && priv->pid != 0)
    source = process_source_new_locked (g_steal_pointer (&self_ref), cancellable);
  g_mutex_unlock (&process_lock);
  g_clear_object (&self_ref);

  if (source == NULL)
    g_critical ("g_process_object_create_source: process “%s” was not started by this process",
                g_process_object_get_name (self));
  return source;
}

/* Observes the end without blocking; returns whether the child is known to have ended. */
static gboolean
poll_end (GProcessObject *self)
{
  GProcessObjectPrivate *priv = get_priv (self);
  GProcessObject *ended = NULL;
  gboolean known;

  g_mutex_lock (&process_lock);
  reap_locked (self, FALSE, &ended);
  known = priv->exit_code != G_PROCESS_EXIT_CODE_NONE;
  g_mutex_unlock (&process_lock);

  ended_flush (ended);
  return known;
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
  if (is_current (self))
    return TRUE;

  g_mutex_lock (&process_lock);
  if (priv->kind == PROCESS_KIND_PARENT)
    {
      GProcessState before = priv->state;

      alive = parent_is_alive_locked (self);
      g_mutex_unlock (&process_lock);
      if (before != priv->state)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      return alive;
    }
  if (priv->kind != PROCESS_KIND_CHILD || priv->creator_pid != self_pid ())
    {
      g_mutex_unlock (&process_lock);
      g_critical ("g_process_object_is_alive: can only test a child process (“%s”)", priv->name);
      return FALSE;
    }
  if (priv->state != G_PROCESS_STATE_STARTED)
    {
      g_mutex_unlock (&process_lock);
      return FALSE;
    }
  g_mutex_unlock (&process_lock);

  return !poll_end (self);
}

static void
send_signal (GProcessObject *self,
             int             signum)
{
  GProcessObjectPrivate *priv;

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));

  priv = get_priv (self);
  /* Under the lock, so the pid cannot be reaped (and recycled) meanwhile. */
  g_mutex_lock (&process_lock);
  if (priv->kind == PROCESS_KIND_CHILD && priv->state == G_PROCESS_STATE_STARTED &&
      priv->exit_code == G_PROCESS_EXIT_CODE_NONE && priv->creator_pid == self_pid () &&
      priv->pid > 0)
    kill (priv->pid, signum);
  g_mutex_unlock (&process_lock);
}

/**
 * g_process_object_terminate:
 * @self: a #GProcessObject
 *
 * Sends SIGTERM to the child. It does not wait and does not reap: join it afterwards. Its
 * exit handlers do not run, and its own children are not terminated. Does nothing unless the
 * child runs (before start, after its end was observed, after close).
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
 * %G_PROCESS_ERROR_STILL_RUNNING while the child runs; it is allowed before start and may be
 * called again. Afterwards g_process_object_start(), g_process_object_join() and
 * g_process_object_join_async() fail with %G_PROCESS_ERROR_CLOSED, while the name, daemon
 * flag, authentication key, pid and exit code can still be read. It notifies
 * #GProcessObject:state. On the main process object it does nothing.
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

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = get_priv (self);
  if (priv->kind == PROCESS_KIND_MAIN)
    return TRUE;

  g_mutex_lock (&process_lock);
  if (priv->state != G_PROCESS_STATE_CLOSED)
    {
      if (priv->kind == PROCESS_KIND_CHILD && priv->state == G_PROCESS_STATE_STARTED &&
          priv->creator_pid == self_pid ())
        reap_locked (self, FALSE, &ended);

      if (priv->kind == PROCESS_KIND_CHILD && priv->state == G_PROCESS_STATE_STARTED &&
          priv->creator_pid == self_pid ())
        {
          g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_STILL_RUNNING,
                       _("Cannot close process “%s” while it is still running; join or "
                         "terminate it first"), priv->name);
          g_mutex_unlock (&process_lock);
          return FALSE;
        }
      priv->state = G_PROCESS_STATE_CLOSED;
      if (priv->fd_users == 0)
        fd_close_locked (self);
      changed = TRUE;
    }
  g_mutex_unlock (&process_lock);

  /* A child that was found ended here is first STOPPED, then CLOSED: both are notified. */
  ended_flush (ended);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Accessors                                                                                 */

/**
 * g_process_object_get_name:
 * @self: a #GProcessObject
 *
 * Gets the name of the process. See #GProcessObject:name.
 *
 * Returns: (transfer none): the name
 *
 * Since: 0.1
 */
const char *
g_process_object_get_name (GProcessObject *self)
{
  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), NULL);

  return get_priv (self)->name;
}

/**
 * g_process_object_set_name:
 * @self: a #GProcessObject
 * @name: the new name
 *
 * Sets the name of the process, at any time. A name set before g_process_object_start() is
 * the one the child sees as g_process_get_current()'s name. Renaming does not change the
 * default names of the process's children.
 *
 * Since: 0.1
 */
void
g_process_object_set_name (GProcessObject *self,
                           const char     *name)
{
  GProcessObjectPrivate *priv;
  char *old = NULL;

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));
  g_return_if_fail (name != NULL);

  priv = get_priv (self);
  g_mutex_lock (&process_lock);
  if (g_strcmp0 (priv->name, name) != 0)
    {
      old = priv->name;
      priv->name = g_strdup (name);
    }
  g_mutex_unlock (&process_lock);

  if (old != NULL)
    {
      g_free (old);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
    }
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

  g_mutex_lock (&process_lock);
  daemon = get_priv (self)->daemon;
  g_mutex_unlock (&process_lock);
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

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));

  priv = get_priv (self);
  daemon = !!daemon;
  g_mutex_lock (&process_lock);
  if (priv->kind != PROCESS_KIND_CHILD ||
      (priv->state != G_PROCESS_STATE_INITIAL && priv->state != G_PROCESS_STATE_CLOSED) ||
      priv->starting)
    refused = priv->daemon != daemon;
  else if (priv->daemon != daemon)
    {
      priv->daemon = daemon;
      changed = TRUE;
    }
  g_mutex_unlock (&process_lock);

  if (refused)
    g_critical ("g_process_object_set_daemon: process “%s” has already started", priv->name);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DAEMON]);
}

/**
 * g_process_object_get_pid:
 * @self: a #GProcessObject
 *
 * Gets the process ID: the child's once started (also after it ended), 0 before; getpid() for
 * the current process.
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

  if (is_current (self))
    return self_pid ();
  g_mutex_lock (&process_lock);
  pid = get_priv (self)->pid;
  g_mutex_unlock (&process_lock);
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
 * %G_PROCESS_EXIT_CODE_NONE before start, while it runs, and for the current process. Like
 * Python's `exitcode`, reading it checks (without blocking) whether the child has ended, and
 * reaps it if so.
 *
 * Returns: the exit code, or %G_PROCESS_EXIT_CODE_NONE
 *
 * Since: 0.1
 */
int
g_process_object_get_exit_code (GProcessObject *self)
{
  int code;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), G_PROCESS_EXIT_CODE_NONE);

  poll_end (self);
  g_mutex_lock (&process_lock);
  code = get_priv (self)->exit_code;
  g_mutex_unlock (&process_lock);
  return code;
}

/**
 * g_process_object_get_authkey:
 * @self: a #GProcessObject
 *
 * Gets the authentication key. See #GProcessObject:authkey.
 *
 * Returns: (transfer none) (nullable): the key; %NULL for g_process_get_parent(), whose key is
 *   not known
 *
 * Since: 0.1
 */
GBytes *
g_process_object_get_authkey (GProcessObject *self)
{
  GBytes *key;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), NULL);

  g_mutex_lock (&process_lock);
  key = get_priv (self)->authkey;
  g_mutex_unlock (&process_lock);
  return key;
}

/**
 * g_process_object_set_authkey:
 * @self: a #GProcessObject
 * @authkey: (nullable): the new key, or %NULL for a new random one
 *
 * Sets the authentication key. A key set before g_process_object_start() is the child's
 * current key and the default of its children.
 *
 * Since: 0.1
 */
void
g_process_object_set_authkey (GProcessObject *self,
                              GBytes         *authkey)
{
  GProcessObjectPrivate *priv;
  GBytes *old = NULL;
  GBytes *key;

  g_return_if_fail (G_PROCESS_IS_OBJECT (self));

  priv = get_priv (self);
  key = authkey != NULL ? g_bytes_ref (authkey) : new_random_authkey ();
  g_mutex_lock (&process_lock);
  if (priv->authkey == NULL || !g_bytes_equal (priv->authkey, key))
    {
      old = priv->authkey;
      priv->authkey = g_steal_pointer (&key);
    }
  g_mutex_unlock (&process_lock);

  if (key == NULL)
    {
      g_clear_pointer (&old, g_bytes_unref);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTHKEY]);
    }
  else
    g_bytes_unref (key);
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
  g_mutex_lock (&process_lock);
  if (priv->kind == PROCESS_KIND_CHILD && priv->state != G_PROCESS_STATE_CLOSED &&
      priv->pidfd_owner == self_pid ())
    fd = priv->pidfd;
  g_mutex_unlock (&process_lock);
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

  g_mutex_lock (&process_lock);
  state = get_priv (self)->state;
  g_mutex_unlock (&process_lock);
  return state;
}

static char *
exit_code_to_string (int code)
{
#ifdef HAVE_SIGABBREV_NP
  if (code < 0 && sigabbrev_np (-code) != NULL)
    return g_strdup_printf ("-SIG%s", sigabbrev_np (-code));
#endif
  return g_strdup_printf ("%d", code);
}

/**
 * g_process_object_to_string:
 * @self: a #GProcessObject
 *
 * Describes the object as Python's `repr()` of a process does, e.g.
 * `<GProcessObject name='Process-1' pid=1240 parent=1234 stopped exitcode=-SIGTERM daemon>`.
 * The status is `initial`, `started`, `stopped`, `closed`, or `unknown` for an object created
 * by another process; the pid is shown once started, until closed. The authentication key
 * never appears.
 *
 * Returns: (transfer full): a new string
 *
 * Since: 0.1
 */
char *
g_process_object_to_string (GProcessObject *self)
{
  GProcessObjectPrivate *priv;
  GString *s;
  const char *status;
  int code;

  g_return_val_if_fail (G_PROCESS_IS_OBJECT (self), NULL);

  priv = get_priv (self);
  if (priv->kind == PROCESS_KIND_CHILD && !is_current (self))
    poll_end (self);

  s = g_string_new ("<");
  g_mutex_lock (&process_lock);
  code = priv->exit_code;
  if (is_current (self))
    status = "started";
  else if (priv->state == G_PROCESS_STATE_CLOSED)
    status = "closed";
  else if (priv->kind != PROCESS_KIND_CHILD || priv->creator_pid != self_pid ())
    status = "unknown";
  else if (priv->state == G_PROCESS_STATE_INITIAL)
    status = "initial";
  else
    status = code != G_PROCESS_EXIT_CODE_NONE ? "stopped" : "started";

  g_string_append_printf (s, "%s name='%s'", G_OBJECT_TYPE_NAME (self), priv->name);
  if (is_current (self))
    g_string_append_printf (s, " pid=%d", (int) self_pid ());
  else if (priv->pid != 0 && priv->state != G_PROCESS_STATE_CLOSED)
    g_string_append_printf (s, " pid=%d", (int) priv->pid);
  if (priv->creator_pid != 0)
    g_string_append_printf (s, " parent=%d", (int) priv->creator_pid);
  else
    g_string_append (s, " parent=None");
  g_string_append_printf (s, " %s", status);
  if (g_str_equal (status, "stopped"))
    {
      char *code_str = exit_code_to_string (code);

      g_string_append_printf (s, " exitcode=%s", code_str);
      g_free (code_str);
    }
  if (priv->daemon)
    g_string_append (s, " daemon");
  g_mutex_unlock (&process_lock);

  g_string_append_c (s, '>');
  return g_string_free (s, FALSE);
}

/* ---------------------------------------------------------------------------------------- */
/* The process tree                                                                          */

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
  return ensure_current ();
}

/**
 * g_process_get_active_children:
 *
 * Lists the children of the current process that are still running. Children that have ended
 * are reaped first (notifying their #GProcessObject:state and #GProcessObject:exit-code), so a
 * process object that was dropped without a join leaves no zombie. A new child starts with an
 * empty list.
 *
 * Returns: (transfer full) (element-type GProcessObject): the running children
 *
 * Since: 0.1
 */
GList *
g_process_get_active_children (void)
{
  GProcessObject *ended = NULL;
  GProcessObject *next;
  GList *list = NULL;

  g_mutex_lock (&process_lock);
  for (GProcessObject *c = children_head; c != NULL; c = next)
    {
      next = get_priv (c)->next_child;
      reap_locked (c, FALSE, &ended);
    }
  /* The list already holds a reference on each, so these are not first extra references. */
  for (GProcessObject *c = children_tail; c != NULL; c = get_priv (c)->prev_child)
    list = g_list_prepend (list, g_object_ref (c));
  g_mutex_unlock (&process_lock);

  ended_flush (ended);
  return list;
}

/**
 * g_process_set_fork_func:
 * @fork_func: (scope notified) (closure user_data) (destroy destroy) (nullable): what to call
 *   instead of fork(), or %NULL for fork()
 * @user_data: data for @fork_func
 * @destroy: (nullable): frees @user_data
 *
 * Replaces the fork() that g_process_object_start() calls, process-wide. This is for language
 * bindings whose runtime must prepare for a fork itself: PyGObject's override installs
 * Python's `os.fork`, which resets the interpreter's locks in the child. Applications do not
 * need it.
 *
 * Since: 0.1
 */
void
g_process_set_fork_func (GProcessForkFunc fork_func,
                         gpointer         user_data,
                         GDestroyNotify   destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_mutex_lock (&process_lock);
  old_destroy = fork_hook_destroy;
  old_data = fork_hook_data;
  fork_hook = fork_func;
  fork_hook_data = user_data;
  fork_hook_destroy = destroy;
  g_mutex_unlock (&process_lock);

  if (old_destroy != NULL)
    old_destroy (old_data);
}
