/* gprocess-forkserver-warm.c: the fork server's warm children
 *
 * The idea of Android's zygote with its unspecialized app processes (USAP): the fork server
 * keeps a few children already made, each waiting on its own AF_UNIX SOCK_SEQPACKET socket
 * (the handoff). A request for a child goes to one of them instead of to clone(): the server
 * checks it as always, forwards it as it came (the same bytes, the same descriptors) on the
 * handoff, closes its end and answers the application. The warm child reads the request as
 * the server would have, and from there on is a served child like any other
 * (_g_process_child_forkserver_main(): process group, parent-death signal, result socket,
 * descriptors, gate). The application's start() costs one message, not a fork. The server
 * makes new warm children when no request waits (_g_process_forkserver_warm_refill(), at the
 * top of its loop): a program that starts children a few milliseconds apart always finds
 * one; a tight loop pays a clone() per child, as before.
 *
 * The warm children are made with clone (CLONE_PARENT), like the others: they are the
 * application's children from the start. The server tells the application about each one
 * (a WARM message, with its pidfd in pidfd mode) before anything else; the application
 * keeps them in a small table. So every process the application may have to reap is known
 * to it by a pidfd it holds:
 *  - at a start, the reply names the warm child that was used: the application takes the
 *    pidfd it already holds (the child is its unreaped child since it was made, so the pidfd
 *    can only name it; no pidfd_open() of a number);
 *  - a warm child that died before use (killed by somebody) fails the forward (EPIPE): the
 *    server tells the application (LOST), which reaps it through its pidfd;
 *  - when the server dies, every warm child sees end-of-file on its handoff socket and
 *    exits; the application, which found the server gone, reaps them all (and drains the
 *    WARM messages the server sent before it died). When the application dies, its server
 *    sees end-of-file and exits, and the warm children then do.
 * The one window: a server killed between clone() and its WARM message leaves a zombie the
 * application does not know about, until it exits.
 *
 * How many: g_process_set_fork_server_warm_children(), or the environment variable
 * GPROCESS_FORK_SERVER_WARM_CHILDREN, read when the server starts; 0 turns them off.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gprocess.h"
#include "gprocess-object-private.h"
#include "gprocess-forkserver-private.h"
#include "gprocess-forkserver-warm-private.h"
#include "gprocess-wait-private.h"

#ifndef CLONE_PIDFD
# define CLONE_PIDFD 0x00001000
#endif

/* The setting, in the application: -1 until g_process_set_fork_server_warm_children() */
static gint configured_warm = -1;   /* (atomic) */

/* ---------------------------------------------------------------------------------------- */
/* The setting                                                                               */

static guint
effective_warm (void)
{
  gint n = g_atomic_int_get (&configured_warm);
  const char *env;

  if (n >= 0)
    return (guint) n;
  env = g_getenv (G_PROCESS_FORKSERVER_WARM_ENV);
  if (env != NULL && *env != '\0')
    {
      char *end = NULL;
      guint64 v = g_ascii_strtoull (env, &end, 10);

      if (end != NULL && *end == '\0')
        return (guint) MIN (v, G_PROCESS_FORKSERVER_MAX_WARM);
    }
  return G_PROCESS_FORKSERVER_DEFAULT_WARM;
}

/**
 * g_process_set_fork_server_warm_children:
 * @n: how many warm children the fork server keeps; 0 turns them off. At most 64: a larger
 *   number is taken as 64.
 *
 * Sets how many children the fork server keeps already made and waiting (warm children).
 * A start with %G_PROCESS_START_METHOD_FORKSERVER hands its request to one of them, so that
 * it costs the application one message instead of a fork, at any size of the application;
 * the server makes a new one when no request waits. A warm child is a served child like any
 * other once it has its request (the application's child, its process group, its
 * parent-death signal, its descriptors); while it waits it is a sleeping copy of the server,
 * whose pages it shares, and it ends with the server.
 *
 * The number is read when the fork server starts: call this before
 * g_process_start_fork_server() (or before the first start that starts the server). Without
 * this call, the environment variable `GPROCESS_FORK_SERVER_WARM_CHILDREN` gives the
 * number, and without it the default is 2.
 *
 * Since: 0.3
 */
void
g_process_set_fork_server_warm_children (guint n)
{
  g_atomic_int_set (&configured_warm, (gint) MIN (n, G_PROCESS_FORKSERVER_MAX_WARM));
}

/**
 * g_process_get_fork_server_warm_children:
 *
 * Gets the number of warm children a fork server started now would keep: the one set with
 * g_process_set_fork_server_warm_children(), else the one of the environment variable
 * `GPROCESS_FORK_SERVER_WARM_CHILDREN`, else the default, 2.
 *
 * Returns: the number of warm children
 *
 * Since: 0.3
 */
guint
g_process_get_fork_server_warm_children (void)
{
  return effective_warm ();
}

/* ---------------------------------------------------------------------------------------- */
/* In the server                                                                             */

typedef struct
{
  pid_t pid;
  int pidfd;   /* clone()'s, sent to the application with the WARM message, then closed */
  int sock;    /* the server's end of the handoff */
} WarmChild;

static struct
{
  int app_fd;
  gboolean with_pidfd;
  guint target;
  guint n;
  WarmChild child[G_PROCESS_FORKSERVER_MAX_WARM];
  GProcessWarmChildMain main;   /* the server's: what a warm child becomes */
} warm = { -1, FALSE, 0, 0, { { 0, -1, -1 } }, NULL };
static int taken = -1;   /* the handoff of the warm child taken for the current request */

/* A message to the application, in the layout of the server's reply, with a pidfd or not */
static void
send_message (GProcessForkServerMessage kind,
              pid_t                     pid,
              int                       pidfd)
{
  gint32 message[4] = { 0, 0, pid, kind };
  struct iovec iov = { message, sizeof message };
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
  while (sendmsg (warm.app_fd, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
    ;
}

void
_g_process_forkserver_warm_server_init (int                   app_fd,
                                        gboolean              with_pidfd,
                                        GProcessWarmChildMain warm_main)
{
  warm.main = warm_main;
  warm.app_fd = app_fd;
  warm.with_pidfd = with_pidfd;
  warm.target = effective_warm ();
  warm.n = 0;
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

/* As the server's clone_child() in gprocess-forkserver.c: clone3 with a pidfd, or clone */
static pid_t
clone_parent (int *pidfd)
{
  pid_t pid;

  *pidfd = -1;
  if (warm.with_pidfd)
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

/* Makes one warm child and tells the application */
static gboolean
make_one (void)
{
  WarmChild *w = &warm.child[warm.n];
  int sv[2];
  pid_t pid;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    return FALSE;
  pid = clone_parent (&w->pidfd);
  if (pid == 0)
    {
      int h = sv[1];

      /* Nothing of the server's but stdio (its /dev/null) and the handoff: not its
       * connection (the application sees the server's end-of-file when the server dies), not
       * the other warm children's handoffs (each one sees its own end-of-file) */
      if (h > 3)
        close_range_or_loop (3, (unsigned) h - 1);
      close_range_or_loop ((unsigned) h + 1, ~0U);
      prctl (PR_SET_NAME, "gprocess-warm");
      /* Ready: named, descriptors closed */
      while (send (h, "W", 1, MSG_NOSIGNAL) < 0 && errno == EINTR)
        ;
      warm.main (h);
    }
  close (sv[1]);
  if (pid < 0)
    {
      close (sv[0]);
      return FALSE;
    }
  /* Its first message says it is ready, so that the application, once told, finds it
   * named and waiting (a warm child that died at once is reported lost at its first use) */
  {
    char ready;

    while (recv (sv[0], &ready, 1, 0) < 0 && errno == EINTR)
      ;
  }
  w->pid = pid;
  w->sock = sv[0];
  warm.n++;
  send_message (G_PROCESS_FORKSERVER_MESSAGE_WARM, pid, w->pidfd);
  if (w->pidfd >= 0)
    close (w->pidfd);
  w->pidfd = -1;
  return TRUE;
}

/* At the top of the server's loop: makes warm children up to the number, as long as no
 * request waits (a request goes first: the refill is off its path). A failed clone() is
 * tried again at the next turn of the loop, after a request. */
void
_g_process_forkserver_warm_refill (void)
{
  while (warm.n < warm.target)
    {
      struct pollfd pfd = { warm.app_fd, POLLIN, 0 };

      /* Off the critical path: on a shared CPU, a server that just woke would otherwise go
       * on to clone() before the application, which its reply has just woken, gets the CPU
       * back to finish its start */
      sched_yield ();
      if (poll (&pfd, 1, 0) != 0)
        return;
      if (!make_one ())
        return;
    }
}

/* For a checked request: takes the oldest warm child that still lives. Returns its pid (the
 * application holds its pidfd; *pidfd is -1), or -1 when none is left. A warm child that has
 * died (its end of the handoff is closed) is reported LOST, and the next one is tried. The
 * request goes to it after the reply (_g_process_forkserver_warm_forward()). */
pid_t
_g_process_forkserver_warm_take (int *pidfd)
{
  *pidfd = -1;
  while (warm.n > 0)
    {
      WarmChild w = warm.child[0];
      struct pollfd pfd = { w.sock, 0, 0 };

      warm.n--;
      memmove (warm.child, warm.child + 1, sizeof warm.child[0] * warm.n);
      if (poll (&pfd, 1, 0) == 0)
        {
          taken = w.sock;
          return w.pid;
        }
      close (w.sock);
      send_message (G_PROCESS_FORKSERVER_MESSAGE_LOST, w.pid, -1);
    }
  return -1;
}

/* After the reply (before it, with a parent-death signal): the request, as it came (its
 * bytes, its descriptors), to the warm child taken for it, if any. Should the child die in between, the application sees a child that
 * was killed at once: it reaps it as any other. */
void
_g_process_forkserver_warm_forward (const void *request,
                                    gsize       size,
                                    const int  *fds,
                                    int         n_fds)
{
  struct iovec iov = { (void *) request, size };
  union
  {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int) * (4 + G_PROCESS_FORKSERVER_MAX_FDS + 2))];
  } control;
  struct msghdr msg = { NULL, 0, &iov, 1, NULL, 0, 0 };

  if (taken < 0)
    return;
  if (n_fds > 0)
    {
      struct cmsghdr *cmsg;

      msg.msg_control = control.buf;
      msg.msg_controllen = CMSG_SPACE (sizeof (int) * n_fds);
      memset (control.buf, 0, msg.msg_controllen);
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int) * n_fds);
      memcpy (CMSG_DATA (cmsg), fds, sizeof (int) * n_fds);
    }
  while (sendmsg (taken, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
    ;
  close (taken);
  taken = -1;
}

/* Child code, in a child the server clones: the warm children's handoffs are not its own */
void
_g_process_forkserver_warm_close_in_child (void)
{
  for (guint i = 0; i < warm.n; i++)
    close (warm.child[i].sock);
  warm.n = 0;
  if (taken >= 0)
    close (taken);
  taken = -1;
}

/* ---------------------------------------------------------------------------------------- */
/* In the application                                                                        */

/* The warm children the server announced and has not handed out: (lock server_mutex of
 * gprocess-forkserver.c) */
static struct
{
  pid_t pid;
  int pidfd;              /* a library descriptor, or -1 (pipe fallback) */
  GProcessSentinel proc;  /* the pipe fallback: /proc/<pid>, bound when it was announced */
} announced[G_PROCESS_FORKSERVER_MAX_WARM * 2];
static guint n_announced;

static int
find_announced (pid_t pid)
{
  for (guint i = 0; i < n_announced; i++)
    if (announced[i].pid == pid)
      return (int) i;
  return -1;
}

/* Forgets entry @i, process_lock held; closes its /proc descriptor (the pipe fallback) */
static void
remove_announced_locked (guint i)
{
  _g_process_fds_close_locked (announced[i].proc.proc_fd);
  announced[i] = announced[--n_announced];
}

/* Reaps a warm child that has died or is about to (its server has gone): through its pidfd,
 * which names it even if somebody else reaped it first; in the fallback by its number, but
 * only while its /proc descriptor names it (_g_process_wait_reap_by_pid()) */
static void
reap_warm (pid_t                   pid,
           int                     pidfd,
           const GProcessSentinel *proc)
{
  if (pidfd >= 0)
    {
      siginfo_t info;

      memset (&info, 0, sizeof info);
      _g_process_pidfd_waitid (pidfd, WEXITED, &info, NULL);
      G_LOCK (process_lock);
      _g_process_fds_close_locked (pidfd);
      G_UNLOCK (process_lock);
    }
  else
    _g_process_wait_reap_by_pid (proc, pid);
}

/* A message of the server that is not a reply (its pidfd already registered as a library
 * descriptor, or -1) */
void
_g_process_forkserver_warm_note (GProcessForkServerMessage kind,
                                 pid_t                     pid,
                                 int                       pidfd)
{
  int i;

  if (kind == G_PROCESS_FORKSERVER_MESSAGE_WARM && n_announced < G_N_ELEMENTS (announced))
    {
      announced[n_announced].pid = pid;
      announced[n_announced].pidfd = pidfd;
      announced[n_announced].proc = (GProcessSentinel) { .fd = -1, .proc_fd = -1 };
      if (pidfd < 0)
        {
          /* Made just before this message, waiting for a request: still our unreaped child
           * unless it was killed and reaped by somebody else in between */
          G_LOCK (process_lock);
          _g_process_sentinel_bind_pid_locked (&announced[n_announced].proc, pid);
          G_UNLOCK (process_lock);
        }
      n_announced++;
      return;
    }
  if (kind == G_PROCESS_FORKSERVER_MESSAGE_LOST && (i = find_announced (pid)) >= 0)
    {
      int fd = announced[i].pidfd;

      reap_warm (pid, fd, &announced[i].proc);
      G_LOCK (process_lock);
      remove_announced_locked ((guint) i);
      G_UNLOCK (process_lock);
      return;
    }
  if (pidfd >= 0)
    {
      G_LOCK (process_lock);
      _g_process_fds_close_locked (pidfd);
      G_UNLOCK (process_lock);
    }
}

/* With process_lock held. A reply named @pid: if it is a warm child, it is no longer waiting;
 * returns its pidfd (the caller owns it), or -1 */
int
_g_process_forkserver_warm_claim (pid_t pid)
{
  int i = find_announced (pid);
  int pidfd;

  if (i < 0)
    return -1;
  pidfd = announced[i].pidfd;
  remove_announced_locked ((guint) i);
  return pidfd;
}

/* The server has died (@server_fd still open): the messages it sent before are read, and
 * every warm child, which sees end-of-file now, is reaped */
void
_g_process_forkserver_warm_forget (int server_fd)
{
  for (;;)
    {
      gint32 message[4];
      struct iovec iov = { message, sizeof message };
      union
      {
        struct cmsghdr align;
        char buf[CMSG_SPACE (sizeof (int))];
      } control;
      struct msghdr msg = { NULL, 0, &iov, 1, control.buf, sizeof control.buf, 0 };
      int pidfd = -1;
      ssize_t n;

      do
        n = recvmsg (server_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
      while (n < 0 && errno == EINTR);
      if (n < (ssize_t) sizeof message)
        break;
      G_LOCK (process_lock);
      for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c != NULL; c = CMSG_NXTHDR (&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len >= CMSG_LEN (sizeof (int)))
          {
            memcpy (&pidfd, CMSG_DATA (c), sizeof (int));
            _g_process_fds_add_locked (pidfd);
          }
      G_UNLOCK (process_lock);
      if (message[3] != G_PROCESS_FORKSERVER_MESSAGE_REPLY)
        _g_process_forkserver_warm_note ((GProcessForkServerMessage) message[3], message[2],
                                         pidfd);
      else if (pidfd >= 0)
        {
          G_LOCK (process_lock);
          _g_process_fds_close_locked (pidfd);
          G_UNLOCK (process_lock);
        }
    }
  while (n_announced > 0)
    {
      reap_warm (announced[n_announced - 1].pid, announced[n_announced - 1].pidfd,
                 &announced[n_announced - 1].proc);
      G_LOCK (process_lock);
      remove_announced_locked (n_announced - 1);
      G_UNLOCK (process_lock);
    }
}

/* Child code: a plain fork() of the application has no warm child (their pidfds are library
 * descriptors, closed there) */
void
_g_process_forkserver_warm_atfork_child (void)
{
  n_announced = 0;
}
