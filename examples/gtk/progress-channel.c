/* progress-channel.c: the workers' progress, over a SOCK_SEQPACKET socket
 *
 * See progress-channel.h for the protocol. The application side lives in the main context
 * (one g_unix_fd_add() source for the listening socket, one per accepted worker); the worker
 * side is two system calls.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE
#include "progress-channel.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct _ProgressChannel
{
  char         *name;      /* abstract socket name, without the leading NUL */
  int           listen_fd;
  guint         listen_id;
  GHashTable   *expected;  /* pid → TRUE: the workers allowed to connect */
  GHashTable   *peers;     /* fd → source id, the accepted connections */
  ProgressFunc  func;
  gpointer      user_data;
};

typedef struct
{
  ProgressChannel *channel;
  int              fd;
  pid_t            pid;
} Peer;

static socklen_t
abstract_address (const char         *name,
                  struct sockaddr_un *addr)
{
  size_t len = strlen (name);

  memset (addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  g_assert (len + 1 <= sizeof addr->sun_path);
  memcpy (addr->sun_path + 1, name, len);   /* sun_path[0] == '\0': the abstract namespace */
  return offsetof (struct sockaddr_un, sun_path) + 1 + len;
}

static gboolean
peer_readable (int          fd,
               GIOCondition condition,
               gpointer     data)
{
  Peer *peer = data;
  ProgressRecord record;
  ssize_t n;

  do
    n = recv (fd, &record, sizeof record, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);

  if (n < 0 && errno == EAGAIN)
    return G_SOURCE_CONTINUE;
  if (n == (ssize_t) sizeof record)
    {
      peer->channel->func (peer->pid, &record, peer->channel->user_data);
      return G_SOURCE_CONTINUE;
    }

  /* End of file (the worker has gone), an error, or a malformed message: this connection
   * is over. */
  peer->channel->func (peer->pid, NULL, peer->channel->user_data);
  g_hash_table_remove (peer->channel->peers, GINT_TO_POINTER (fd));
  return G_SOURCE_REMOVE;
}

static void
peer_free (gpointer data)
{
  Peer *peer = data;

  close (peer->fd);
  g_free (peer);
}

static gboolean
listener_readable (int          fd,
                   GIOCondition condition,
                   gpointer     data)
{
  ProgressChannel *channel = data;
  struct ucred cred;
  socklen_t cred_len = sizeof cred;
  Peer *peer;
  guint id;
  int conn;

  conn = accept4 (fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (conn < 0)
    return G_SOURCE_CONTINUE;   /* EAGAIN, EINTR, ECONNABORTED: nothing to do */

  /* The kernel says who connected. Only our own started workers are listened to. */
  if (getsockopt (conn, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) < 0 ||
      !g_hash_table_remove (channel->expected, GINT_TO_POINTER (cred.pid)))
    {
      close (conn);
      return G_SOURCE_CONTINUE;
    }

  peer = g_new0 (Peer, 1);
  peer->channel = channel;
  peer->fd = conn;
  peer->pid = cred.pid;
  id = g_unix_fd_add_full (G_PRIORITY_DEFAULT, conn, G_IO_IN | G_IO_HUP | G_IO_ERR,
                           peer_readable, peer, peer_free);
  g_hash_table_insert (channel->peers, GINT_TO_POINTER (conn), GUINT_TO_POINTER (id));
  return G_SOURCE_CONTINUE;
}

ProgressChannel *
progress_channel_new (ProgressFunc   func,
                      gpointer       user_data,
                      GError       **error)
{
  g_autoptr(ProgressChannel) channel = g_new0 (ProgressChannel, 1);
  struct sockaddr_un addr;
  socklen_t len;
  int saved_errno;

  channel->listen_fd = -1;
  channel->func = func;
  channel->user_data = user_data;
  channel->expected = g_hash_table_new (NULL, NULL);
  channel->peers = g_hash_table_new_full (NULL, NULL, NULL,
                                          (GDestroyNotify) (void (*) (void)) g_source_remove);
  channel->name = g_strdup_printf ("gprocess-primes-%d-%08x", (int) getpid (), g_random_int ());
  len = abstract_address (channel->name, &addr);

  channel->listen_fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (channel->listen_fd < 0 ||
      bind (channel->listen_fd, (struct sockaddr *) &addr, len) < 0 ||
      listen (channel->listen_fd, 64) < 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot make the progress socket: %s", g_strerror (saved_errno));
      return NULL;
    }
  channel->listen_id = g_unix_fd_add (channel->listen_fd, G_IO_IN, listener_readable, channel);
  return g_steal_pointer (&channel);
}

const char *
progress_channel_get_name (ProgressChannel *channel)
{
  return channel->name;
}

/* The application calls this right after g_process_object_start(), with the worker's pid,
 * before the main loop runs again: the connection, if any, is accepted only then. */
void
progress_channel_expect (ProgressChannel *channel,
                         pid_t            pid)
{
  g_hash_table_add (channel->expected, GINT_TO_POINTER (pid));
}

void
progress_channel_free (ProgressChannel *channel)
{
  if (channel == NULL)
    return;
  if (channel->listen_id != 0)
    g_source_remove (channel->listen_id);
  if (channel->listen_fd >= 0)
    close (channel->listen_fd);
  g_hash_table_unref (channel->peers);   /* removes the sources, which close the fds */
  g_hash_table_unref (channel->expected);
  g_free (channel->name);
  g_free (channel);
}

/* ---- worker side: runs in the child ---- */

int
progress_channel_connect (const char *name)
{
  struct sockaddr_un addr;
  socklen_t len = abstract_address (name, &addr);
  int fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return -1;
  if (connect (fd, (struct sockaddr *) &addr, len) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

gboolean
progress_channel_send (int                   fd,
                       const ProgressRecord *record)
{
  ssize_t n;

  if (fd < 0)
    return FALSE;
  do
    n = send (fd, record, sizeof *record, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t) sizeof *record;
}
