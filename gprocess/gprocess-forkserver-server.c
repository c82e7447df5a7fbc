/* gprocess-forkserver-server.c: the fork server's side: its loop (one request, one clone or
 * warm child, one reply), the checks of a request, and its children's entry until they are
 * served children like any other (see gprocess-forkserver.c for the protocol and the
 * application's side)
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
#include "gprocess-forkserver-protocol-private.h"
#include "gprocess-wait-private.h"
#include "gprocess-lifecycle-private.h"
#include "gprocess-pdeath-private.h"
#include "gprocess-result-private.h"

#define get_priv _g_process_object_get_private

/* ---------------------------------------------------------------------------------------- */
/* The server                                                                                */

/* The server's state: static, so that the loop allocates nothing, and in as few pages as
 * possible, the ones a small request writes first: after each clone() the server's first
 * write to each page is a page fault. */
static struct
{
  GProcessForkServerChild child;                    /* the request, as its child sees it */
  int pidfd;                                        /* clone()'s */
  int fds[N_FIXED_FDS + MAX_PASSED_FDS + N_LIFECYCLE_FDS];            /* received */
  union
  {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int) * (N_FIXED_FDS + MAX_PASSED_FDS + N_LIFECYCLE_FDS))];
  } control;
  union
  {
    RequestHeader header;
    guint8 bytes[BUFFER_SIZE];
  } request;
} server __attribute__ ((aligned (4096)));

static void
send_reply (int          fd,
            ReplyStatus  status,
            int          error_number,
            pid_t        pid,
            int          pidfd)
{
  Reply reply = { status, error_number, pid, G_PROCESS_FORKSERVER_MESSAGE_REPLY };
  struct iovec iov = { &reply, sizeof reply };
  union
  {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int))];
  } control;
  struct msghdr msg = { NULL, 0, &iov, 1, NULL, 0, 0 };

  if (pidfd >= 0)
    {
      struct cmsghdr *cmsg;

      memset (control.buf, 0, sizeof control.buf);
      msg.msg_control = control.buf;
      msg.msg_controllen = sizeof control.buf;
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (cmsg), &pidfd, sizeof (int));
    }
  while (sendmsg (fd, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
    ;
}

/* Makes the child: clone3 with a pidfd, or clone without one (pipe fallback; valgrind, which
 * does not know clone3). CLONE_PARENT: the child's parent is the application, and its exit
 * signal the server's (SIGCHLD). Returns 0 in the child. */
static pid_t
clone_child (gboolean  with_pidfd,
             int      *pidfd)
{
  pid_t pid;

  *pidfd = -1;
  if (with_pidfd)
    {
      struct
      {
        guint64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
      } args = { CLONE_PARENT | CLONE_PIDFD, (guint64) (uintptr_t) pidfd, 0, 0, 0, 0, 0, 0 };

#ifdef SYS_clone3
      pid = (pid_t) syscall (SYS_clone3, &args, sizeof args);
      if (pid >= 0 || errno != ENOSYS)
        return pid;
#endif
      return (pid_t) syscall (SYS_clone, CLONE_PARENT | CLONE_PIDFD, NULL, pidfd, NULL, NULL);
    }
  return (pid_t) syscall (SYS_clone, CLONE_PARENT, NULL, NULL, NULL, NULL);
}

/* Reads one request into the static buffers; returns the number of descriptors received, or
 * -1 for a malformed request (its descriptors are closed). Exits on end-of-file. */
static int
receive_request (int fd)
{
  struct iovec iov = { server.request.bytes, sizeof server.request.bytes };
  struct msghdr msg = { NULL, 0, &iov, 1, server.control.buf, sizeof server.control.buf, 0 };
  int n_fds = 0;
  ssize_t n;

  do
    n = recvmsg (fd, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    _exit (0);  /* the application has gone */

  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c != NULL; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      {
        int count = (int) ((c->cmsg_len - CMSG_LEN (0)) / sizeof (int));

        memcpy (server.fds + n_fds, CMSG_DATA (c), count * sizeof (int));
        n_fds += count;
      }

  if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 || (gsize) n < sizeof (RequestHeader) ||
      server.request.header.magic != REQUEST_MAGIC ||
      server.request.header.type_name_len >= MAX_TYPE_NAME ||
      sizeof (RequestHeader) + TYPE_NAME_SPACE (server.request.header.type_name_len) > (gsize) n ||
      (guint32) n_fds != N_FIXED_FDS - 1 + server.request.header.n_fds +
                        ((server.request.header.flags & REQUEST_PAYLOAD_IN_FD) ? 1 : 0) +
                        ((server.request.header.flags & REQUEST_HAS_DEATH_FD) ? 1 : 0) +
                        ((server.request.header.flags & REQUEST_HAS_RESULT_FD) ? 1 : 0))
    {
      for (int i = 0; i < n_fds; i++)
        close (server.fds[i]);
      return -1;
    }
  server.request.bytes[sizeof (RequestHeader) + server.request.header.type_name_len] = '\0';
  server.child.payload_size = (gsize) n - sizeof (RequestHeader) -
                               TYPE_NAME_SPACE (server.request.header.type_name_len);
  return n_fds;
}

/* The types the server has found, most recent first. g_type_from_name() writes to GLib's
 * locks: after each clone() that is one more page fault in the server, so a hit writes
 * nothing. */
#define N_CACHED_TYPES 8
static struct
{
  char name[MAX_TYPE_NAME];
  GType type;
} type_cache[N_CACHED_TYPES];

/* A subtype of GProcessObject registered in the server, or 0 */
static GType
lookup_type (const char *name,
             gsize       len)
{
  GType type;

  for (int i = 0; i < N_CACHED_TYPES && type_cache[i].type != 0; i++)
    if (strncmp (type_cache[i].name, name, len + 1) == 0)
      return type_cache[i].type;

  type = g_type_from_name (name);
  if (type == 0 || !g_type_is_a (type, G_PROCESS_TYPE_OBJECT))
    return 0;
  memmove (type_cache + 1, type_cache, sizeof type_cache[0] * (N_CACHED_TYPES - 1));
  memcpy (type_cache[0].name, name, len + 1);
  type_cache[0].type = type;
  return type;
}

/* Whether @target is code of an object loaded in the server (the objects loaded when it
 * started: it loads none). The addresses found are cached: dladdr() takes the dynamic
 * linker's lock, a write, so one more page fault in the server after each clone(). */
static gboolean
target_is_known (gpointer target)
{
  static gpointer known[8];
  static guint next;
  Dl_info info;

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (known[i] == target)
      return TRUE;
  if (dladdr (target, &info) == 0)
    return FALSE;
  known[next++ % G_N_ELEMENTS (known)] = target;
  return TRUE;
}

/* Whether the target's user data, as the application has its first bytes, is what the server
 * has at that address, so what the served child will read. A pointer into memory allocated or
 * written after the server started points here to other bytes (garbage, or the old value) or
 * to nothing. The first 8 bytes are compared: inside any malloc() block (at least 24 usable
 * bytes), and a pointer-sized value (the class pointer of a GObject) rarely changes. */
static gboolean
data_is_known (const RequestHeader *h)
{
  guint8 here[sizeof h->data_head];

  if (h->data_head_len == 0)
    return TRUE;
  return h->data_head_len <= sizeof here &&
         read_own_memory (getpid (), (gconstpointer) (uintptr_t) h->target_data, here,
                          h->data_head_len) == h->data_head_len &&
         memcmp (here, h->data_head, h->data_head_len) == 0;
}

/* Fills server.child from the buffers; checks what must exist in the server */
static ReplyStatus
check_request (int n_fds)
{
  const RequestHeader *h = &server.request.header;
  GProcessForkServerChild *c = &server.child;
  gboolean in_fd = (h->flags & REQUEST_PAYLOAD_IN_FD) != 0;
  GType type;

  c->type_name = (const char *) server.request.bytes + sizeof (RequestHeader);
  c->target = (gpointer) (uintptr_t) h->target;
  c->target_data = (gpointer) (uintptr_t) h->target_data;
  c->app_pid = h->app_pid;
  c->payload = in_fd ? NULL : (const guint8 *) c->type_name + TYPE_NAME_SPACE (h->type_name_len);
  if (in_fd)
    c->payload_size = h->payload_size;
  c->stdout_fd = server.fds[0];
  c->stderr_fd = server.fds[1];
  c->gate_fd = (h->flags & REQUEST_HAS_GATE) ? server.fds[2] : -1;
  c->sentinel_fd = (h->flags & REQUEST_HAS_SENTINEL) ? server.fds[2] : -1;
  c->payload_fd = in_fd ? server.fds[3] : -1;
  c->fds = server.fds + (in_fd ? 4 : 3);
  c->n_fds = h->n_fds;
  c->process_group = (h->flags & REQUEST_PROCESS_GROUP) != 0;
  c->parent_death_signal = h->parent_death_signal;
  c->death_read_fd = (h->flags & REQUEST_HAS_DEATH_FD) ? c->fds[c->n_fds] : -1;
  c->result_send_fd = (h->flags & REQUEST_HAS_RESULT_FD) ?
                      c->fds[c->n_fds + (c->death_read_fd >= 0 ? 1 : 0)] : -1;

  if (!in_fd && c->payload_size != h->payload_size)
    return REPLY_BAD_REQUEST;
  type = lookup_type (c->type_name, h->type_name_len);
  if (type == 0)
    return REPLY_UNKNOWN_TYPE;
  c->type = type;
  if (c->target != NULL && !target_is_known (c->target))
    return REPLY_UNKNOWN_TARGET;
  if (c->target != NULL && !data_is_known (h))
    return REPLY_STALE_DATA;
  return REPLY_OK;
}

static void
close_range_or_loop (unsigned first,
                     unsigned last)
{
#ifdef HAVE_CLOSE_RANGE
  if (close_range (first, last, 0) == 0)
    return;
#endif
  for (unsigned fd = first; fd <= last && fd < 65536; fd++)
    close ((int) fd);
}

static void
close_fds_except (int keep)
{
  if (keep > 3)
    close_range_or_loop (3, (unsigned) keep - 1);
  close_range_or_loop ((unsigned) keep + 1, ~0U);
}

/* After the reply: the request's descriptors and the pidfd, usually consecutive numbers (the
 * lowest free ones), closed with one system call then */
static void
close_request_fds (int n_fds)
{
  int lowest = server.pidfd, highest = server.pidfd, count = server.pidfd >= 0;

  for (int i = 0; i < n_fds; i++)
    {
      if (lowest < 0 || server.fds[i] < lowest)
        lowest = server.fds[i];
      highest = MAX (highest, server.fds[i]);
      count++;
    }
  if (count > 0 && highest - lowest + 1 == count)
    close_range_or_loop ((unsigned) lowest, (unsigned) highest);
  else
    {
      if (server.pidfd >= 0)
        close (server.pidfd);
      for (int i = 0; i < n_fds; i++)
        close (server.fds[i]);
    }
  server.pidfd = -1;
}

/* The size of the request in the buffers, as it came */
static gsize
request_size (void)
{
  const RequestHeader *h = &server.request.header;

  return sizeof (RequestHeader) + TYPE_NAME_SPACE (h->type_name_len) +
         ((h->flags & REQUEST_PAYLOAD_IN_FD) ? 0 : h->payload_size);
}

/* ---------------------------------------------------------------------------------------- */
/* In the child                                                                              */

/* Child code (child_main() below): the caller's stdout and stderr become the
 * child's; the server's connection is closed. stdin is the server's /dev/null. */
void
_g_process_forkserver_child_fds (const GProcessForkServerChild *child)
{
  close (child->server_fd);
  dup2 (child->stdout_fd, STDOUT_FILENO);
  dup2 (child->stderr_fd, STDERR_FILENO);
  close (child->stdout_fd);
  close (child->stderr_fd);
}

/* ---------------------------------------------------------------------------------------- */
/* The binding's hook in the server's children                                               */

static GProcessHook child_func;   /* (lock process_lock) the binding's, run in each child */

/**
 * g_process_set_fork_server_child_func:
 * @func: (scope notified) (closure user_data) (destroy destroy) (nullable): what to run first
 *   in each fork-server child, or %NULL
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Installs a function that runs first in every child the fork server makes, before the
 * process object is rebuilt there: for language bindings whose runtime must reset itself in
 * a new process (`pthread_atfork` handlers do not run there). The server has a copy of the
 * function as it was when the server started: set it before g_process_start_fork_server().
 * Applications do not need it.
 *
 * Since: 0.2
 */
void
g_process_set_fork_server_child_func (GProcessForkServerChildFunc func,
                                      gpointer                    user_data,
                                      GDestroyNotify              destroy)
{
  _g_process_hook_set (&child_func, (GCallback) func, user_data, destroy);
}

/* Child code (child_main()): the child's copy of the hook, as it was when the server
 * started */
static void
run_child_func (void)
{
  if (child_func.func != NULL)
    ((GProcessForkServerChildFunc) child_func.func) (child_func.data);
}

/* Child code: a child that the fork server made with clone (CLONE_PARENT), from the server's
 * loop below, or a warm child once it has its request. No pthread_atfork() handler runs here: the server ran them
 * when it was forked from the application, and it has one thread and holds no lock. The
 * process has the server's descriptors (its connection, the request's) and no object yet:
 * the descriptors are set up, the gate is passed, the binding's hook runs
 * (g_process_set_fork_server_child_func()), and only then is the object rebuilt from the
 * request, which may run code of its class. From there on, as a fork child. */
static void G_GNUC_NORETURN
child_main (const GProcessForkServerChild *child)
{
  GProcessObjectPrivate *priv;
  GProcessObject *self;

  _g_process_set_self_pid (getpid ());
  _g_process_forkserver_child_fds (child);
  G_LOCK (process_lock);
  _g_process_lifecycle_bootstrap_served_child (child->process_group, child->parent_death_signal,
                                               child->death_read_fd, child->result_send_fd,
                                               child->app_pid);
  G_UNLOCK (process_lock);
  if (child->gate_fd >= 0)
    _g_process_child_wait_at_gate (child->gate_fd);
  G_LOCK (process_lock);
  if (child->sentinel_fd >= 0)
    _g_process_child_keep_sentinel_locked (child->sentinel_fd);
  G_UNLOCK (process_lock);

  run_child_func ();
  self = _g_process_forkserver_rebuild (child);

  priv = _g_process_object_get_private (self);
  G_LOCK (process_lock);
  _g_process_tree_become_child (self, child->app_pid);
  priv->pid = _g_process_self_pid ();
  priv->state = G_PROCESS_STATE_STARTED;
  priv->starting = FALSE;
  G_UNLOCK (process_lock);
  _g_process_child_main (self);
}

/* A warm child (gprocess-forkserver-warm.c): waits for the request the server forwards on
 * @handoff_fd, reads it as the server did, and becomes the served child. End-of-file (the
 * server has gone) ends it. */
void
_g_process_forkserver_become_warm (int handoff_fd)
{
  int n_fds;

  server.child.server_fd = handoff_fd;
  server.pidfd = -1;
  n_fds = receive_request (handoff_fd);
  if (n_fds < 0 || check_request (n_fds) != REPLY_OK)
    _exit (127);  /* the server checked it: cannot happen */
  prctl (PR_SET_NAME, "gprocess-fsrv");  /* as a child the server clones */
  child_main (&server.child);
}

/* The server's life: one request, one clone, one reply, until end-of-file. PR_SET_PDEATHSIG
 * fires when the thread that forked the server ends, not the process: it is a second guard
 * only when that thread is the main thread (end-of-file of the socket is the first). */
void
_g_process_forkserver_serve (int      fd,
       pid_t    app_pid,
       gboolean from_main_thread)
{
  gboolean with_pidfd = _g_process_pidfd_supported ();
  int devnull;

  if (from_main_thread)
    prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != app_pid)
    _exit (0);
  prctl (PR_SET_NAME, "gprocess-fsrv");

  /* No descriptor of the application: stdio on /dev/null, everything else closed */
  devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
  for (int i = 0; i < 3; i++)
    if (devnull >= 0 && devnull != i)
      dup2 (devnull, i);
  close_fds_except (fd);

  server.child.server_fd = fd;
  server.pidfd = -1;
  _g_process_forkserver_make_spare ();
  _g_process_forkserver_warm_server_init (fd, with_pidfd, _g_process_forkserver_become_warm);
  _g_process_forkserver_warm_refill ();
  /* Ready (named, descriptors closed, spare and warm children made):
   * g_process_start_fork_server() returns */
  while (send (fd, "R", 1, MSG_NOSIGNAL) < 0 && errno == EINTR)
    ;
  for (;;)
    {
      int n_fds;
      ReplyStatus status;
      pid_t pid = -1;
      int error_number = 0;

      _g_process_forkserver_warm_refill ();  /* while no request waits */
      n_fds = receive_request (fd);
      if (n_fds < 0)
        {
          send_reply (fd, REPLY_BAD_REQUEST, 0, 0, -1);
          continue;
        }
      status = check_request (n_fds);
      if (status == REPLY_OK)
        pid = _g_process_forkserver_warm_take (&server.pidfd);
      if (status == REPLY_OK && pid < 0)
        {
          pid = clone_child (with_pidfd, &server.pidfd);
          if (pid == 0)
            {
              _g_process_forkserver_warm_close_in_child ();
              child_main (&server.child);
            }
          if (pid < 0)
            {
              status = REPLY_CLONE_FAILED;
              error_number = errno;
            }
        }
      /* A warm child gets the request after the reply: woken first on a busy CPU, it would
       * run its bootstrap while the application waits for the reply. Except with a
       * parent-death signal: then, as a cloned child does, it holds the application's death
       * pipe before start() returns (were the application and this server killed between the
       * reply and the forward, it would end without its request, not by its signal). */
      if (server.request.header.flags & REQUEST_HAS_DEATH_FD)
        _g_process_forkserver_warm_forward (server.request.bytes, request_size (), server.fds,
                                            n_fds);
      send_reply (fd, status, error_number, pid, server.pidfd);
      if (!(server.request.header.flags & REQUEST_HAS_DEATH_FD))
        _g_process_forkserver_warm_forward (server.request.bytes, request_size (), server.fds,
                                            n_fds);
      close_request_fds (n_fds);
    }
}
