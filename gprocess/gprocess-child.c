/* gprocess-child.c: fork() and the child's life until _exit()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two paths lead into a child of g_process_object_start():
 *  - C: start() calls fork(); in the child, fork() returns 0 and start() calls
 *    _g_process_child_main(),
 *    which runs the object and ends the process with g_process_exit(). It never returns.
 *  - A binding's fork hook (g_process_set_fork_func(); PyGObject's override passes os.fork()
 *    so that the interpreter resets its own locks): the hook forks, and may run the child's
 *    life itself before returning; if it returns 0, start() continues as in C.
 * Both pass through atfork_child(), the pthread_atfork() handler that runs in every new
 * process whoever forked, and which turns a child of start() into that object's process
 * (bootstrap_child()) before any code of the binding runs there.
 *  - Fork server (G_PROCESS_START_METHOD_FORKSERVER): the server (gprocess-forkserver.c) is
 *    itself a fork of the application, made through the same path (the binding's hook too);
 *    it makes each child with clone (CLONE_PARENT), which runs no atfork handler; the server's
 *    own child entry (gprocess-forkserver.c) sets up the descriptors, passes the gate, runs
 *    the binding's fork-server hook, rebuilds the object from the request, then calls
 *    _g_process_child_main().
 *
 * WHAT RUNS BETWEEN fork() AND _exit() (as glib/gspawn-posix.c labels its child code):
 * atfork_child(), bootstrap_child() and the functions they call (the descriptor bitmap, the
 * tree and reaper resets) run in the new process before anything else. Only the forking
 * thread exists there, and any lock another thread of the parent held at the fork is held
 * for good: this code takes no lock but process_lock (released by atfork_child() itself, as
 * atfork_prepare() took it before the fork), calls no GLib function that locks, emits no
 * signal and allocates nothing. After it, the child runs the user's run() as an ordinary
 * (single-threaded) program, then g_process_exit(): the daemon rules, a flush of stdout and
 * stderr, _exit(). The parent's atexit() handlers never run in a child.
 */

#define _GNU_SOURCE

#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gprocess.h"
#include "gprocess-object-private.h"
#include "gprocess-exit-private.h"
#include "gprocess-child-private.h"
#include "gprocess-forkserver-private.h"
#include "gprocess-result-private.h"
#include "gprocess-wait-private.h"

static GProcessHook fork_hook;               /* (lock process_lock) the binding's fork */

/* Set by start() around its fork(), for atfork_child(): the one piece of per-thread state.
 * initial-exec: a fixed offset from the thread pointer, read without __tls_get_addr() (whose
 * code page every child would fault in). */
static __thread GProcessForkRequest *forking __attribute__ ((tls_model ("initial-exec")));

/* ---------------------------------------------------------------------------------------- */
/* In the parent                                                                             */

/* Creates, under the lock (so no other thread's fork can copy them unregistered), the
 * descriptors this fork needs: the gate with a pidfd, the sentinel pipe without. */
gboolean
_g_process_child_prepare_locked (GProcessForkRequest  *request,
                                 GError              **error)
{
  int fds[2];

  request->use_pidfd = _g_process_pidfd_supported ();
  if (pipe2 (fds, O_CLOEXEC) != 0)
    {
      int saved_errno = errno;

      _g_process_set_start_error (error, NULL, saved_errno);
      errno = saved_errno;
      return FALSE;
    }
  _g_process_fds_add_locked (fds[0]);
  _g_process_fds_add_locked (fds[1]);
  if (request->use_pidfd)
    {
      request->gate_read_fd = fds[0];
      request->gate_write_fd = fds[1];
    }
  else
    {
      request->pipe_read_fd = fds[0];
      request->pipe_write_fd = fds[1];
    }
  return TRUE;
}

/* After a failed fork */
void
_g_process_child_abort_locked (GProcessForkRequest *request)
{
  _g_process_fds_close_locked (request->gate_read_fd);
  _g_process_fds_close_locked (request->gate_write_fd);
  _g_process_fds_close_locked (request->pipe_read_fd);
  _g_process_fds_close_locked (request->pipe_write_fd);
}

/* In the parent after the fork, under the lock: makes the sentinel. With a pidfd the child is
 * still waiting at the gate, so it can neither have run its target nor have been reaped by
 * anybody (SIGCHLD ignored, the application's waitpid (-1)): the pidfd names it for sure.
 * The pidfd takes the slot the gate's read end leaves, so that a full descriptor table fails
 * the start before the target ran. On failure the child is told to leave at once; reap it
 * with _g_process_child_reap_aborted(). */
gboolean
_g_process_child_finish_locked (GProcessForkRequest *request,
                                GProcessSentinel    *sentinel,
                                int                 *saved_errno)
{
  sentinel->owner = request->creator;
  sentinel->users = 0;
  sentinel->is_pidfd = request->use_pidfd;

  if (!request->use_pidfd)
    {
      _g_process_fds_close_locked (request->pipe_write_fd);
      sentinel->fd = request->pipe_read_fd;
      return TRUE;
    }

  _g_process_fds_close_locked (request->gate_read_fd);
  /* A fork-server child's pidfd came with the server's reply (CLONE_PIDFD) */
  sentinel->fd = request->pidfd >= 0 ? request->pidfd : _g_process_pidfd_open (request->pid);
  if (sentinel->fd < 0)
    {
      static const char abort_byte = 'x';

      *saved_errno = errno;
      while (write (request->gate_write_fd, &abort_byte, 1) < 0 && errno == EINTR)
        ;
      _g_process_fds_close_locked (request->gate_write_fd);
      return FALSE;
    }
  if (request->pidfd < 0)
    _g_process_fds_add_locked (sentinel->fd);
  request->pidfd = -1;  /* the sentinel's now */
  _g_process_fds_close_locked (request->gate_write_fd);  /* opens the gate */
  return TRUE;
}

/* Outside the lock: the child of a failed finish leaves at once, without running anything.
 * The one wait on a bare pid: finish failed because no pidfd could be made (a full
 * descriptor table), so there is none, and no /proc descriptor either. The child cannot have
 * been reaped by anybody before it read the abort byte (it was waiting at the gate), and
 * after, only by an application that reaps children it does not own; then waitpid() fails
 * with ECHILD here, unless the number was given again to another child within that window. */
void
_g_process_child_reap_aborted (pid_t pid)
{
  int status;

  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
}

static pid_t
do_fork (void)
{
  GProcessForkFunc func;
  gpointer data;

  G_LOCK (process_lock);
  func = (GProcessForkFunc) fork_hook.func;
  data = fork_hook.data;
  G_UNLOCK (process_lock);

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


/* Forks the fork server (gprocess-forkserver.c), through the binding's fork hook if any */
pid_t
_g_process_child_fork_server (void)
{
  return do_fork ();
}

/* Forks for start(). Never returns in the child. Returns the pid, or -1 with errno set. */
pid_t
_g_process_child_fork (GProcessForkRequest *request)
{
  pid_t pid;

  forking = request;
  pid = do_fork ();
  forking = NULL;
  if (pid == 0)
    _g_process_child_main (request->object);
  request->pid = pid;
  return pid;
}

/* ---------------------------------------------------------------------------------------- */
/* In every new process: the fork handlers                                                   */

/* The fork server's part of the fork hook, once it has started (it has no state before):
 * gprocess-forkserver.c registers it, which keeps this file below the server's */
static void (*server_reset_in_child) (void);   /* (atomic) */

void
_g_process_child_set_server_reset (void (*reset_in_child) (void))
{
  g_atomic_pointer_set (&server_reset_in_child, reset_in_child);
}

static void
atfork_prepare (void)
{
  G_LOCK (process_lock);
}

static void
atfork_parent (void)
{
  G_UNLOCK (process_lock);
}

/* Child code: waits until the parent holds the child's pidfd (end-of-file), or leaves at once
 * when the parent could not make or receive it (a byte). */
void
_g_process_child_wait_at_gate (int gate_fd)
{
  char byte;
  ssize_t n;

  do
    n = read (gate_fd, &byte, 1);
  while (n < 0 && errno == EINTR);
  if (n > 0)
    _exit (127);  /* the parent could not watch this child: it must not run */
  close (gate_fd);
}

/* Child code: the sentinel pipe's write end of the fallback stays open across exec(), so that
 * the sentinel follows the process, not the program; it is hidden from the child's own
 * children. */
void
_g_process_child_keep_sentinel_locked (int pipe_write_fd)
{
  fcntl (pipe_write_fd, F_SETFD, 0);
  _g_process_fds_add_locked (pipe_write_fd);
}

/* Child code (see the top of this file). The object becomes this process: it waits at the
 * gate until the parent holds its pidfd, keeps the write end of its sentinel pipe in the
 * fallback. */
static void
bootstrap_child (GProcessForkRequest *request)
{
  GProcessObjectPrivate *priv = _g_process_object_get_private (request->object);

  /* The process group, the parent-death signal, the result socket: before the gate */
  _g_process_lifecycle_bootstrap_child (request->object, request->creator);
  if (request->gate_read_fd >= 0)
    _g_process_child_wait_at_gate (request->gate_read_fd);
  if (request->pipe_write_fd >= 0)
    _g_process_child_keep_sentinel_locked (request->pipe_write_fd);

  _g_process_tree_become_child (request->object, request->creator);
  priv->pid = _g_process_self_pid ();
  priv->state = G_PROCESS_STATE_STARTED;
  priv->starting = FALSE;
}

/* Child code. Runs in every new process, whoever called fork(): the process has no children
 * yet, and the library's descriptors describe its parent's children. The order matters:
 * stdin is redirected while the library's /dev/null is still open; the descriptors this
 * fork's child keeps are taken out of the bitmap before the others are closed. */
static void
atfork_child (void)
{
  GProcessForkRequest *request = forking;

  _g_process_set_self_pid (getpid ());
  if (request != NULL)
    {
      _g_process_fds_redirect_stdin ();
      _g_process_fds_remove_locked (request->gate_read_fd);
      _g_process_fds_remove_locked (request->pipe_write_fd);
      _g_process_lifecycle_keep_in_child (request->object);
    }
  if (server_reset_in_child != NULL)
    server_reset_in_child ();
  _g_process_fds_close_in_child ();
  _g_process_fds_forget_devnull ();
  _g_process_tree_reset_in_child ();
  _g_process_reaper_reset_in_child (request != NULL);
  _g_process_lifecycle_reset_in_child ();
  if (request != NULL)
    bootstrap_child (request);
  /* Released by resetting the word: only this thread exists, and g_mutex_unlock()'s code
   * page would be one more fault in every child */
  G_LOCK_NAME (process_lock) = (GMutex) { 0 };
}

/* gjs reports an exception escaping a vfunc (vfunc_run) with g_critical ("JS ERROR: …") and
 * returns normally. In a program that has gjs loaded, that message is seen here (the handler
 * is set in the parent, where no fork has left g_log's lock held) and ends the child with 1,
 * as an exception escaping run() does in Python. */
static int js_error_in_run;                  /* (atomic) a handler may run in any thread */

static void
note_js_error (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  if (message != NULL && g_str_has_prefix (message, "JS ERROR:"))
    g_atomic_int_set (&js_error_in_run, TRUE);
  g_log_default_handler (domain, level, message, data);
}

void
_g_process_child_register_atfork (void)
{
  pthread_atfork (atfork_prepare, atfork_parent, atfork_child);
  if (dlsym (RTLD_DEFAULT, "gjs_context_new") != NULL)
    g_log_set_handler ("Gjs", G_LOG_LEVEL_CRITICAL | G_LOG_FLAG_FATAL, note_js_error, NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* The child's life after its bootstrap                                                      */

/* What start() does in the child once fork() returned there */
void
_g_process_child_main (GProcessObject *self)
{
  if (g_atomic_int_get (&js_error_in_run))   /* an error of the parent's: written only then,
                                               * a write would cost every child a page fault */
    g_atomic_int_set (&js_error_in_run, FALSE);
  if (G_PROCESS_OBJECT_GET_CLASS (self)->run != NULL)   /* g_process_object_run () */
    G_PROCESS_OBJECT_GET_CLASS (self)->run (self);
  /* 1 after an error: a JavaScript exception, or g_process_set_error() as the last word */
  g_process_exit (g_atomic_int_get (&js_error_in_run) || _g_process_result_error_recorded () ?
                  1 : 0);
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
  GProcessObject *current = _g_process_tree_current ();

  if (_g_process_object_get_private (current)->kind != PROCESS_KIND_CHILD)
    exit (status);

  if (_g_process_tree_begin_exit ())
    _g_process_exit_end_children ();
  _g_process_result_send_in_child ();
  _g_process_flush_std_streams ();
  _exit (status);
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
  _g_process_hook_set (&fork_hook, (GCallback) fork_func, user_data, destroy);
}
