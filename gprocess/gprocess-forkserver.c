/* gprocess-forkserver.c: start methods, and the fork server
 *
 * The fork server is a fork() of the application, made early by g_process_start_fork_server()
 * (or by the first start that needs it). It is single-threaded and holds no descriptor of the
 * application. For each start, the application sends one request on an AF_UNIX SOCK_SEQPACKET
 * connection: the object's type name, its target's address and user data, one serialized
 * GVariant with everything else (name, identity, daemon flag, key, args, subclass
 * properties), and, as SCM_RIGHTS, the caller's stdout and stderr, the gate (pidfd mode) or
 * the sentinel's write end (pipe fallback) and the descriptors passed with
 * g_process_object_set_fds(). The server checks that the type and the target exist in its
 * copy of the program (and that the target's user data has there the first bytes it has in
 * the application), makes the child with clone (CLONE_PARENT | CLONE_PIDFD), so that the
 * child's parent is the application, and answers with one message: the pid, and the pidfd.
 * The application then publishes the child exactly as a fork child (gprocess-start.c); the
 * child rebuilds the object (gprocess-child.c calls _g_process_forkserver_rebuild()) and runs
 * it.
 *
 * With warm children (gprocess-forkserver-warm.c), the server answers with a child it made
 * earlier and forwards the request to it after the reply; its other messages to the
 * application (a Reply whose kind is not REPLY: a warm child made, with its pidfd, or lost)
 * come before the reply they precede, and exchange() reads them on its way.
 *
 * The server dies on end-of-file of its socket: when the application exits or is killed,
 * whichever thread started it (PR_SET_PDEATHSIG, which follows that thread, is only a second
 * guard). A plain fork() of the application does not inherit the connection (it is a library
 * descriptor, closed in every new process, and _g_process_forkserver_atfork_child() forgets
 * it).
 *
 * Locks: server_mutex serializes the requests on the one connection and the server's start;
 * it is held across one request/reply exchange (the server answers without waiting for
 * anything but clone()). Order: server_mutex before process_lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gprocess.h"
#include "gprocess-object-private.h"
#include "gprocess-forkserver-private.h"
#include "gprocess-forkserver-warm-private.h"
#include "gprocess-wait-private.h"
#include "gprocess-lifecycle-private.h"
#include "gprocess-pdeath-private.h"
#include "gprocess-result-private.h"

#define get_priv _g_process_object_get_private

#include "gprocess-forkserver-protocol-private.h"

static GMutex server_mutex;                         /* see the top of this file */
static int server_fd = -1;                          /* (lock server_mutex) the application's
                                                     * end, a library descriptor */
static pid_t server_pid;                            /* (lock server_mutex) */
static int server_pidfd = -1;                       /* (lock server_mutex) or -1 */
static GProcessSentinel server_proc = { .fd = -1, .proc_fd = -1 };  /* (lock server_mutex)
                                                     * without a pidfd: /proc/<server_pid> */
static __thread int forking_server_fd = -1;         /* the server's end, while forking it */

/* ---------------------------------------------------------------------------------------- */
/* The connection, and the server's start                                                    */

/* Child code (see gprocess-child.c): runs in every new process before the library's
 * descriptors are closed. The fork server keeps its end; any other new process forgets the
 * connection (its end is closed with the other library descriptors). */
void
_g_process_forkserver_atfork_child (void)
{
  if (forking_server_fd >= 0)
    _g_process_fds_remove_locked (forking_server_fd);
  server_fd = -1;
  server_pid = 0;
  server_pidfd = -1;
  server_proc.proc_fd = -1;
  server_proc.gone = FALSE;
  _g_process_forkserver_warm_atfork_child ();
  g_mutex_init (&server_mutex);  /* another thread may have held it at the fork */
}

/* With server_mutex held, the server's socket closed (it is exiting), without a pidfd: by its
 * pid only while /proc/<pid> (bound at its fork) names it (_g_process_wait_reap_by_pid()). */
static void
reap_server_by_pid (void)
{
  _g_process_wait_reap_by_pid (&server_proc, server_pid);
  G_LOCK (process_lock);
  _g_process_fds_close_locked (server_proc.proc_fd);
  G_UNLOCK (process_lock);
  server_proc.proc_fd = -1;
  server_proc.gone = FALSE;
}

/* With server_mutex held: the server has gone; forgets it and collects its status. A started
 * child is acted on only through its pidfd; without one, see reap_server_by_pid(). */
static void
forget_server (void)
{
  _g_process_forkserver_warm_forget (server_fd);
  G_LOCK (process_lock);
  _g_process_fds_close_locked (server_fd);
  server_fd = -1;
  G_UNLOCK (process_lock);

  if (server_pidfd >= 0)
    {
      siginfo_t info;

      memset (&info, 0, sizeof info);
      _g_process_pidfd_waitid (server_pidfd, WEXITED, &info, NULL);
      G_LOCK (process_lock);
      _g_process_fds_close_locked (server_pidfd);
      G_UNLOCK (process_lock);
    }
  else if (server_pid > 0)
    reap_server_by_pid ();
  server_pidfd = -1;
  server_pid = 0;
}


static gboolean reply_receive_locked (Reply *reply, int *pidfd);

/* With server_mutex held, after the fork: the server's one-byte message says it is ready, so
 * that it has its name, no descriptor of the application and its warm children (announced
 * by the messages before it) once this process goes on. */
static gboolean
wait_until_ready (GError **error)
{
  for (;;)
    {
      struct pollfd pfd = { server_fd, POLLIN, 0 };
      Reply reply;
      int pidfd;
      gboolean got;

      while (poll (&pfd, 1, -1) < 0 && errno == EINTR)
        ;
      G_LOCK (process_lock);
      got = reply_receive_locked (&reply, &pidfd);
      G_UNLOCK (process_lock);
      if (got && reply.kind == 'R')
        return TRUE;
      if (!got)
        break;
      _g_process_forkserver_warm_note ((GProcessForkServerMessage) reply.kind, reply.pid, pidfd);
    }
  forget_server ();
  _g_process_record_errno (0);
  g_set_error_literal (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
                       _("Could not start the fork server: it exited at once"));
  return FALSE;
}

/* With server_mutex held */
static gboolean
ensure_server (GError **error)
{
  gboolean from_main_thread;
  int fds[2];
  pid_t pid;
  int saved_errno;

  if (server_fd >= 0)
    return TRUE;

  G_LOCK (process_lock);
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
    {
      saved_errno = errno;
      G_UNLOCK (process_lock);
      _g_process_record_errno (saved_errno);
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
                   _("Could not start the fork server: %s"), g_strerror (saved_errno));
      return FALSE;
    }
  _g_process_fds_add_locked (fds[0]);
  _g_process_fds_add_locked (fds[1]);
  G_UNLOCK (process_lock);

  _g_process_flush_std_streams ();
  from_main_thread = syscall (SYS_gettid) == getpid ();
  forking_server_fd = fds[1];
  pid = _g_process_child_fork_server ();
  saved_errno = errno;
  forking_server_fd = -1;
  if (pid == 0)
    _g_process_forkserver_serve (fds[1], getppid (), from_main_thread);

  G_LOCK (process_lock);
  _g_process_fds_close_locked (fds[1]);
  if (pid < 0)
    {
      _g_process_fds_close_locked (fds[0]);
      G_UNLOCK (process_lock);
      _g_process_record_errno (saved_errno);
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
                   _("Could not start the fork server: %s"), g_strerror (saved_errno));
      return FALSE;
    }
  server_fd = fds[0];
  server_pid = pid;
  /* Still our unreaped child (its socket is open): the pidfd names it */
  server_pidfd = _g_process_pidfd_supported () ? _g_process_pidfd_open (pid) : -1;
  if (server_pidfd >= 0)
    _g_process_fds_add_locked (server_pidfd);
  else
    _g_process_sentinel_bind_pid_locked (&server_proc, pid);
  G_UNLOCK (process_lock);
  return wait_until_ready (error);
}

/**
 * g_process_start_fork_server:
 * @error: return location for a #GError
 *
 * Starts the fork server of this process, if it does not run yet. Call it early: before the
 * program starts threads, and before its heap grows, since the server and every child it
 * makes are copies of the process as it is now (types registered, libraries loaded, static
 * data). Without this call, the first start with %G_PROCESS_START_METHOD_FORKSERVER forks it
 * from whatever the process is then. Data made after this call reaches a served child only
 * through #GProcessObject:args: a target's user data pointing to memory allocated or changed
 * since is refused at start with %G_PROCESS_ERROR_NOT_TRANSFERABLE.
 *
 * The server is forked like a child of g_process_object_start() (through the function of
 * g_process_set_fork_func() when a binding installed one), but it is never one of this
 * process's process objects; it ends when this process ends, however it ends. If it has died, the next start with it fails with
 * %G_PROCESS_ERROR_FAILED, and the start after that (or this function) starts a new one.
 *
 * Returns: %TRUE if the server runs
 *
 * Since: 0.2
 */
gboolean
g_process_start_fork_server (GError **error)
{
  _g_process_child_set_server_reset (_g_process_forkserver_atfork_child);
  gboolean ok;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The type system, the atfork handlers and the translations are set up before the fork */
  g_type_ensure (G_PROCESS_TYPE_OBJECT);
  _g_process_tree_current ();
  g_mutex_lock (&server_mutex);
  ok = ensure_server (error);
  g_mutex_unlock (&server_mutex);
  return ok;
}

/* ---------------------------------------------------------------------------------------- */
/* A request, from the application's side                                                    */

typedef struct
{
  RequestHeader header;
  const char *type_name;
  guint8 *payload;        /* serialized, wiped after sending (it holds the key) */
  gsize payload_size;
  int payload_fd;         /* a memfd when the payload is too large for one message */
  int fds[N_FIXED_FDS + MAX_PASSED_FDS + N_LIFECYCLE_FDS];
  guint n_fds;
  char *name;             /* for the messages */
} Request;

/* What a fork child inherits for its lifecycle (gprocess-lifecycle.c), sent along: its process
 * group, its parent-death signal with the application's death pipe, and the application's
 * socket of results (both made by _g_process_lifecycle_prepare_start_locked()) */
static void
request_add_lifecycle_locked (Request        *r,
                              GProcessObject *self)
{
  int signum = _g_process_lifecycle_parent_death_signal_locked (self);
  int death_fd = _g_process_pdeath_read_fd_locked ();
  int result_fd = _g_process_result_send_fd_locked ();

  if (get_priv (self)->lifecycle.process_group)
    r->header.flags |= REQUEST_PROCESS_GROUP;
  if (signum > 0 && death_fd >= 0)
    {
      r->header.parent_death_signal = signum;
      r->header.flags |= REQUEST_HAS_DEATH_FD;
      r->fds[r->n_fds++] = death_fd;
    }
  if (result_fd >= 0)
    {
      r->header.flags |= REQUEST_HAS_RESULT_FD;
      r->fds[r->n_fds++] = result_fd;
    }
}

/* With the lock held: the request for @fork's object. The fixed descriptors come first. */
static gboolean
request_build_locked (Request             *r,
                      GProcessForkRequest *fork,
                      GVariant            *properties,
                      GError             **error)
{
  GProcessObject *self = fork->object;
  GProcessObjectPrivate *priv = get_priv (self);

  r->name = g_strdup (priv->name);
  r->type_name = G_OBJECT_TYPE_NAME (self);
  r->payload = _g_process_forkserver_payload_new_locked (self, properties, &r->payload_size);

  r->header.magic = REQUEST_MAGIC;
  r->header.type_name_len = strlen (r->type_name);
  r->header.payload_size = r->payload_size;
  r->header.target = (guint64) (uintptr_t) priv->target;
  r->header.target_data = (guint64) (uintptr_t) priv->target_data;
  /* For the server's check of the data's memory (data_is_known()) */
  if (priv->target != NULL && priv->target_data != NULL)
    r->header.data_head_len = read_own_memory (_g_process_self_pid (), priv->target_data,
                                               r->header.data_head,
                                               sizeof r->header.data_head);
  r->header.app_pid = _g_process_self_pid ();
  r->header.n_fds = priv->n_fds;
  r->header.flags = fork->use_pidfd ? REQUEST_HAS_GATE : REQUEST_HAS_SENTINEL;
  r->fds[r->n_fds++] = STDOUT_FILENO;
  r->fds[r->n_fds++] = STDERR_FILENO;
  r->fds[r->n_fds++] = fork->use_pidfd ? fork->gate_read_fd : fork->pipe_write_fd;

  if (r->header.type_name_len >= MAX_TYPE_NAME)
    {
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_TRANSFERABLE,
                   _("Cannot start process “%s” with the fork server: its type name is longer "
                     "than %d bytes; use the fork start method"), r->name, MAX_TYPE_NAME - 1);
      return FALSE;
    }
  if (sizeof (RequestHeader) + TYPE_NAME_SPACE (r->header.type_name_len) + r->payload_size >
      BUFFER_SIZE)
    {
      gsize done = 0;

      r->payload_fd = memfd_create ("gprocess-request", MFD_CLOEXEC);
      while (r->payload_fd >= 0 && done < r->payload_size)
        {
          ssize_t n = write (r->payload_fd, r->payload + done, r->payload_size - done);

          if (n < 0 && errno != EINTR)
            break;
          done += MAX (n, 0);
        }
      if (r->payload_fd < 0 || done < r->payload_size)
        {
          int saved_errno = errno;

          _g_process_set_start_error (error, r->name, saved_errno);
          return FALSE;
        }
      _g_process_fds_add_locked (r->payload_fd);
      r->header.flags |= REQUEST_PAYLOAD_IN_FD;
      r->fds[r->n_fds++] = r->payload_fd;
    }
  if (priv->n_fds > 0)   /* priv->fds is NULL otherwise: no memcpy from NULL (UBSan) */
    memcpy (r->fds + r->n_fds, priv->fds, priv->n_fds * sizeof (int));
  r->n_fds += priv->n_fds;
  request_add_lifecycle_locked (r, self);
  return TRUE;
}

/* With the lock held or not, as @locked says */
static void
request_clear (Request  *r,
               gboolean  locked)
{
  if (r->payload_fd >= 0)
    {
      if (!locked)
        G_LOCK (process_lock);
      _g_process_fds_close_locked (r->payload_fd);
      if (!locked)
        G_UNLOCK (process_lock);
      r->payload_fd = -1;
    }
  if (r->payload != NULL)
    explicit_bzero (r->payload, r->payload_size);
  g_clear_pointer (&r->payload, g_free);
  g_clear_pointer (&r->name, g_free);
}

/* With server_mutex held: one sendmsg() */
static int
request_send (Request *r)
{
  gboolean in_fd = (r->header.flags & REQUEST_PAYLOAD_IN_FD) != 0;
  static const char zeros[8];
  struct iovec iov[4] = {
    { &r->header, sizeof r->header },
    { (char *) r->type_name, r->header.type_name_len },
    { (char *) zeros, TYPE_NAME_SPACE (r->header.type_name_len) - r->header.type_name_len },
    { r->payload, in_fd ? 0 : r->payload_size },
  };
  union
  {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int) * (N_FIXED_FDS + MAX_PASSED_FDS + N_LIFECYCLE_FDS))];
  } control;
  struct msghdr msg = { NULL, 0, iov, 4, control.buf, CMSG_SPACE (sizeof (int) * r->n_fds), 0 };
  struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg);
  ssize_t n;

  memset (control.buf, 0, msg.msg_controllen);  /* the alignment padding too */
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int) * r->n_fds);
  memcpy (CMSG_DATA (cmsg), r->fds, sizeof (int) * r->n_fds);
  do
    n = sendmsg (server_fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n < 0 ? -1 : 0;
}

/* With server_mutex and then process_lock held, once the reply is readable: one recvmsg().
 * The pidfd is registered at once, under the lock. Returns FALSE at end-of-file. */
static gboolean
reply_receive_locked (Reply *reply,
                      int   *pidfd)
{
  struct iovec iov = { reply, sizeof *reply };
  union
  {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int))];
  } control;
  struct msghdr msg = { NULL, 0, &iov, 1, control.buf, sizeof control.buf, 0 };
  ssize_t n;

  *pidfd = -1;
  do
    n = recvmsg (server_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n == 1 && ((char *) reply)[0] == 'R')
    {
      reply->kind = 'R';  /* the server is ready: its one-byte message */
      return TRUE;
    }
  if (n < (ssize_t) sizeof *reply)
    return FALSE;
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c != NULL; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len >= CMSG_LEN (sizeof (int)))
      {
        memcpy (pidfd, CMSG_DATA (c), sizeof (int));
        _g_process_fds_add_locked (*pidfd);
      }
  return TRUE;
}

static void
set_reply_error (const Reply  *reply,
                 const Request *r,
                 GError      **error)
{
  switch (reply->status)
    {
    case REPLY_UNKNOWN_TYPE:
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_TRANSFERABLE,
                   _("Cannot start process “%s” with the fork server: its type %s did not exist "
                     "when the server started. Register the type (g_type_ensure()) before "
                     "g_process_start_fork_server(), or use the fork start method"),
                   r->name, r->type_name);
      break;
    case REPLY_UNKNOWN_TARGET:
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_TRANSFERABLE,
                   _("Cannot start process “%s” with the fork server: its target function is "
                     "not in the code that was loaded when the server started (a closure, or a "
                     "module loaded later). Use a function of the program or of a library "
                     "loaded before g_process_start_fork_server() and pass data in the “args” "
                     "property, or use the fork start method"), r->name);
      break;
    case REPLY_STALE_DATA:
      _g_process_record_errno (0);
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_TRANSFERABLE,
                   _("Cannot start process “%s” with the fork server: the user data of its "
                     "target (%p) is not in the server’s copy of the program as it is here: it "
                     "was allocated or changed after g_process_start_fork_server(), and the "
                     "child would read other bytes. Make the data before the server starts, or "
                     "pass it in the “args” property (a GVariant), or use the fork start "
                     "method"), r->name, (gpointer) (uintptr_t) r->header.target_data);
      break;
    case REPLY_CLONE_FAILED:
      _g_process_set_start_error (error, r->name, reply->error_number);
      break;
    default:
      _g_process_record_errno (0);
      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
                   _("The fork server refused the request to start process “%s”"), r->name);
    }
}

static gboolean
set_server_died_error (const Request  *r,
                       GError        **error)
{
  forget_server ();
  _g_process_record_errno (0);
  g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
               _("Could not start process “%s”: the fork server has exited. The next start "
                 "starts a new one"), r->name);
  return FALSE;
}

/* One exchange with the server, server_mutex held. On success, returns with process_lock
 * held, and the pid and the pidfd (pidfd mode) in @fork. */
static gboolean
exchange (Request             *r,
          GProcessForkRequest *fork,
          GError             **error)
{
  struct pollfd pfd = { server_fd, POLLIN, 0 };
  Reply reply;
  int pidfd;

  if (!ensure_server (error))
    return FALSE;
  pfd.fd = server_fd;
  if (request_send (r) < 0)
    {
      int saved_errno = errno;

      if (saved_errno == EPIPE || saved_errno == ECONNRESET)
        return set_server_died_error (r, error);
      _g_process_set_start_error (error, r->name, saved_errno);
      return FALSE;
    }
  for (;;)
    {
      while (poll (&pfd, 1, -1) < 0 && errno == EINTR)
        ;

      G_LOCK (process_lock);
      if (!reply_receive_locked (&reply, &pidfd))
        {
          G_UNLOCK (process_lock);
          return set_server_died_error (r, error);
        }
      if (reply.kind == G_PROCESS_FORKSERVER_MESSAGE_REPLY)
        break;
      G_UNLOCK (process_lock);
      /* News of a warm child, sent before this reply */
      _g_process_forkserver_warm_note ((GProcessForkServerMessage) reply.kind, reply.pid, pidfd);
    }
  if (reply.status == REPLY_OK)
    {
      /* A warm child: the application has held its pidfd since it was made */
      int warm_pidfd = _g_process_forkserver_warm_claim (reply.pid);

      if (pidfd < 0)
        pidfd = warm_pidfd;
      else
        _g_process_fds_close_locked (warm_pidfd);
    }
  if (reply.status != REPLY_OK || (fork->use_pidfd && pidfd < 0))
    {
      _g_process_fds_close_locked (pidfd);
      G_UNLOCK (process_lock);
      if (reply.status == REPLY_OK)
        {
          /* No pidfd arrived (descriptor table full): the child waits at the gate, which
           * start() closes with the abort byte; it leaves without running anything. */
          fork->pid = reply.pid;
          _g_process_set_start_error (error, r->name, EMFILE);
          return FALSE;
        }
      set_reply_error (&reply, r, error);
      return FALSE;
    }
  fork->pid = reply.pid;
  fork->pidfd = pidfd;
  return TRUE;
}

/* Outside the lock, after start()'s preparation: asks the server for the child. On success,
 * returns with process_lock held and the pid (and pidfd) in @fork; on failure, without it,
 * with @fork->pid set if a child exists that must be released through the gate. */
gboolean
_g_process_forkserver_spawn (GProcessForkRequest  *fork,
                             GVariant             *properties,
                             GError              **error)
{
  Request r;
  gboolean ok;

  _g_process_child_set_server_reset (_g_process_forkserver_atfork_child);
  memset (&r, 0, sizeof r);
  r.payload_fd = -1;
  G_LOCK (process_lock);
  ok = request_build_locked (&r, fork, properties, error);
  G_UNLOCK (process_lock);

  if (ok)
    {
      g_mutex_lock (&server_mutex);
      ok = exchange (&r, fork, error);
      g_mutex_unlock (&server_mutex);
    }
  request_clear (&r, ok);
  return ok;
}
