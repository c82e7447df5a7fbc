/* gprocess-pool-wire.c: the messages between a #GProcessPool and its workers
 *
 * One SOCK_SEQPACKET socket pair per worker: a message is one datagram, a fixed header and a
 * GVariant of type "v" (the value boxed, so any type travels). Small values follow the header
 * in the datagram; larger ones are written into a memfd, sealed, and the descriptor travels
 * with the header (SCM_RIGHTS). The receiver maps a sealed memfd and builds its GVariant over
 * the mapping: no copy of a large value in the receiver.
 *
 * Both sides check what they receive: a bad magic, a truncated datagram, a size that does not
 * match, an unsealed or short memfd are garbage (G_IO_ERROR_INVALID_DATA).
 *
 * Only the pool (gprocess-pool.c) uses this file; it builds on no other module's internals.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "gprocess-pool-private.h"

#define SEALS_NEEDED (F_SEAL_SHRINK | F_SEAL_WRITE)

typedef struct
{
  gpointer addr;
  gsize size;
} Mapping;

static void
mapping_free (gpointer data)
{
  Mapping *m = data;

  munmap (m->addr, m->size);
  g_free (m);
}

/* A sealed memfd holding @boxed's serialisation, or -1 with @error set */
static int
memfd_for (GVariant  *boxed,
           gsize      size,
           GError   **error)
{
  int fd = memfd_create ("gprocess-pool", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  gpointer addr;
  int saved;

  if (fd < 0)
    goto fail;
  if (ftruncate (fd, size) != 0)
    goto fail;
  addr = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED)
    goto fail;
  g_variant_store (boxed, addr);
  munmap (addr, size);
  if (fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
    goto fail;
  return fd;

fail:
  saved = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
               _("Cannot pass a value of %" G_GSIZE_FORMAT " bytes to or from a pool worker: %s"),
               size, g_strerror (saved));
  return -1;
}

gboolean
_g_process_pool_wire_send (int             fd,
                           PoolMsgKind     kind,
                           guint64         id,
                           guint64         extra,
                           GVariant       *value,
                           GError        **error)
{
  PoolMsgHeader h = { POOL_MSG_MAGIC, kind, id, 0, extra, 0, 0 };
  GVariant *boxed = NULL;
  struct iovec iov[2];
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int))];
  } control;
  struct msghdr msg = { 0 };
  int memfd = -1;
  ssize_t n;
  gboolean ok = TRUE;

  iov[0].iov_base = &h;
  iov[0].iov_len = sizeof h;
  msg.msg_iov = iov;
  msg.msg_iovlen = 1;

  if (value != NULL)
    {
      boxed = g_variant_ref_sink (g_variant_new_variant (value));
      h.size = g_variant_get_size (boxed);
      if (h.size <= POOL_INLINE_MAX)
        {
          iov[1].iov_base = (gpointer) g_variant_get_data (boxed);
          iov[1].iov_len = h.size;
          msg.msg_iovlen = 2;
        }
      else
        {
          memfd = memfd_for (boxed, h.size, error);
          if (memfd < 0)
            {
              g_variant_unref (boxed);
              return FALSE;
            }
          h.flags |= POOL_MSG_IN_FD;
          memset (&control, 0, sizeof control);
          msg.msg_control = control.buf;
          msg.msg_controllen = sizeof control.buf;
          struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
          c->cmsg_level = SOL_SOCKET;
          c->cmsg_type = SCM_RIGHTS;
          c->cmsg_len = CMSG_LEN (sizeof (int));
          memcpy (CMSG_DATA (c), &memfd, sizeof (int));
        }
    }

  do
    n = sendmsg (fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot send a message to a pool worker: %s"), g_strerror (saved));
      ok = FALSE;
    }
  if (memfd >= 0)
    close (memfd);
  g_clear_pointer (&boxed, g_variant_unref);
  return ok;
}

static GVariant *
unbox (GBytes  *bytes,
       GError **error)
{
  GVariant *boxed = g_variant_new_from_bytes (G_VARIANT_TYPE_VARIANT, bytes, FALSE);
  GVariant *value;

  g_variant_ref_sink (boxed);
  if (!g_variant_is_normal_form (boxed))
    {
      g_variant_unref (boxed);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("the value is not a valid serialised GVariant"));
      return NULL;
    }
  value = g_variant_get_variant (boxed);
  g_variant_unref (boxed);
  return value;
}

static GVariant *
map_memfd (int      memfd,
           gsize    size,
           GError **error)
{
  struct stat st;
  int seals = fcntl (memfd, F_GET_SEALS);
  Mapping *m;
  GBytes *bytes;
  GVariant *value;

  if (seals < 0 || (seals & SEALS_NEEDED) != SEALS_NEEDED || fstat (memfd, &st) != 0 ||
      (guint64) st.st_size != size || size == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("its memfd is not sealed or does not have the announced size"));
      return NULL;
    }
  m = g_new (Mapping, 1);
  m->size = size;
  m->addr = mmap (NULL, size, PROT_READ, MAP_SHARED, memfd, 0);
  if (m->addr == MAP_FAILED)
    {
      int saved = errno;

      g_free (m);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("cannot map its memfd: %s"), g_strerror (saved));
      return NULL;
    }
  bytes = g_bytes_new_with_free_func (m->addr, size, mapping_free, m);
  value = unbox (bytes, error);
  g_bytes_unref (bytes);
  return value;
}

gboolean
_g_process_pool_wire_recv (int             fd,
                           gboolean        blocking,
                           guint8         *buffer,
                           PoolMsgHeader  *h,
                           GVariant      **value,
                           GError        **error)
{
  struct iovec iov[2] = { { h, sizeof *h }, { buffer, POOL_INLINE_MAX } };
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int) * 4)];
  } control;
  struct msghdr msg = { NULL, 0, iov, 2, control.buf, sizeof control.buf, 0 };
  int memfd = -1;
  ssize_t n;
  const char *what = NULL;

  *value = NULL;
  /* ECONNRESET: the peer closed with messages of ours unread; the error is reported once,
   * before the messages it sent, which are still there */
  do
    n = recvmsg (fd, &msg, MSG_CMSG_CLOEXEC | (blocking ? 0 : MSG_DONTWAIT));
  while (n < 0 && (errno == EINTR || errno == ECONNRESET));
  if (n < 0)
    {
      int saved = errno;

      if (saved == EAGAIN || saved == EWOULDBLOCK)
        return FALSE;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot receive a message: %s"), g_strerror (saved));
      return FALSE;
    }
  if (n == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                           _("The other end closed the connection"));
      return FALSE;
    }

  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c != NULL; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      {
        gsize k = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);

        for (gsize i = 0; i < k; i++)
          {
            int got;

            memcpy (&got, CMSG_DATA (c) + i * sizeof (int), sizeof (int));
            if (memfd < 0)
              memfd = got;
            else
              {
                close (got);
                what = "more than one descriptor";
              }
          }
      }

  if (what == NULL && (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
    what = "a truncated message";
  else if (what == NULL && ((gsize) n < sizeof *h || h->magic != POOL_MSG_MAGIC))
    what = "a bad magic number";
  else if (what == NULL && (h->flags & POOL_MSG_IN_FD) && memfd < 0)
    what = "no memfd for a large value";
  else if (what == NULL && !(h->flags & POOL_MSG_IN_FD) &&
           (memfd >= 0 || (guint64) n - sizeof *h != h->size))
    what = "a size that does not match";

  if (what == NULL && h->size > 0)
    {
      GError *local = NULL;

      if (h->flags & POOL_MSG_IN_FD)
        *value = map_memfd (memfd, h->size, &local);
      else
        {
          GBytes *bytes = g_bytes_new (buffer, h->size);

          *value = unbox (bytes, &local);
          g_bytes_unref (bytes);
        }
      if (*value == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Invalid message: %s"), local->message);
          g_error_free (local);
        }
    }
  else if (what != NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Invalid message: %s"), what);

  if (memfd >= 0)
    close (memfd);
  return what == NULL && (h->size == 0 || *value != NULL);
}
