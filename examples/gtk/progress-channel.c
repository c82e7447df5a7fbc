/* progress-channel.c: the workers' progress, one pipe per worker
 *
 * See progress-channel.h for the protocol. The application side lives in the main context:
 * one g_unix_fd_add() source per read end.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE
#include "progress-channel.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <string.h>
#include <unistd.h>

struct _ProgressChannel
{
  GPtrArray    *readers;     /* (element-type Reader) */
  ProgressFunc  func;
  gpointer      user_data;
};

typedef struct
{
  ProgressChannel *channel;
  gpointer         worker;
  int              fd;
  guint            source_id;
  gsize            pending;  /* bytes of a record read so far (a torn read; never seen) */
  ProgressRecord   record;
} Reader;

static void
reader_free (gpointer data)
{
  Reader *reader = data;

  if (reader->source_id != 0)
    g_source_remove (reader->source_id);
  close (reader->fd);
  g_free (reader);
}

static gboolean
reader_readable (int          fd,
                 GIOCondition condition,
                 gpointer     data)
{
  Reader *reader = data;
  ProgressChannel *channel = reader->channel;

  for (;;)
    {
      ssize_t n = read (fd, (char *) &reader->record + reader->pending,
                        sizeof reader->record - reader->pending);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return G_SOURCE_CONTINUE;
      if (n <= 0)
        break;                                  /* end of file: the worker has gone */
      reader->pending += n;
      if (reader->pending < sizeof reader->record)
        continue;
      reader->pending = 0;
      channel->func (reader->worker, &reader->record, channel->user_data);
    }

  reader->source_id = 0;
  channel->func (reader->worker, NULL, channel->user_data);
  return G_SOURCE_REMOVE;
}

ProgressChannel *
progress_channel_new (ProgressFunc func,
                      gpointer     user_data)
{
  ProgressChannel *channel = g_new0 (ProgressChannel, 1);

  channel->readers = g_ptr_array_new_with_free_func (reader_free);
  channel->func = func;
  channel->user_data = user_data;
  return channel;
}

/* Makes the pipe of one worker and watches its read end. Returns the write end, for
 * g_process_object_set_fds(); the caller closes it once g_process_object_start() has
 * returned. */
int
progress_channel_open (ProgressChannel  *channel,
                       gpointer          worker,
                       GError          **error)
{
  Reader *reader;
  int fds[2];

  if (pipe2 (fds, O_CLOEXEC) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot make a progress pipe: %s", g_strerror (saved_errno));
      return -1;
    }
  g_unix_set_fd_nonblocking (fds[0], TRUE, NULL);

  reader = g_new0 (Reader, 1);
  reader->channel = channel;
  reader->worker = worker;
  reader->fd = fds[0];
  reader->source_id = g_unix_fd_add (fds[0], G_IO_IN | G_IO_HUP | G_IO_ERR,
                                     reader_readable, reader);
  g_ptr_array_add (channel->readers, reader);
  return fds[1];
}

void
progress_channel_free (ProgressChannel *channel)
{
  if (channel == NULL)
    return;
  g_ptr_array_unref (channel->readers);   /* removes the sources, closes the read ends */
  g_free (channel);
}

/* ---- worker side: runs in the child ---- */

gboolean
progress_channel_send (int                   fd,
                       const ProgressRecord *record)
{
  ssize_t n;

  if (fd < 0)
    return FALSE;
  do
    n = write (fd, record, sizeof *record);   /* atomic: sizeof *record <= PIPE_BUF */
  while (n < 0 && errno == EINTR);
  return n == (ssize_t) sizeof *record;
}
