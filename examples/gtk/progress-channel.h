/* progress-channel.h: how the workers tell the window how far they are
 *
 * One pipe per worker. The application makes it, keeps the read end and gives the write end
 * to the child with g_process_object_set_fds(): a fork child would inherit it anyway, a
 * fork-server child gets a copy sent with the start request (and nothing else of the
 * application's). The application closes its copy of the write end once start() has
 * returned, so that end of file on the read end means the worker has gone.
 *
 * The worker writes fixed-size #ProgressRecord messages. A write of at most PIPE_BUF bytes to
 * a pipe is atomic, so records never interleave or tear. The worker ignores SIGPIPE: if the
 * application stops listening, a write fails with EPIPE and the worker carries on.
 *
 * No GTK on the worker's side: it only write()s.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One message, worker → application */
typedef struct
{
  guint32 blocks_done;   /* blocks of numbers finished so far */
  guint32 blocks_total;  /* blocks this worker was given */
  guint64 primes;        /* primes counted so far */
} ProgressRecord;

typedef struct _ProgressChannel ProgressChannel;

/* Called in the main context for each message (@record) and once at end of file (@record
 * NULL), with the @worker given to progress_channel_open(). */
typedef void (* ProgressFunc) (gpointer              worker,
                               const ProgressRecord *record,
                               gpointer              user_data);

/* Application side (main thread) */
ProgressChannel *progress_channel_new    (ProgressFunc      func,
                                          gpointer          user_data);
int              progress_channel_open   (ProgressChannel  *channel,
                                          gpointer          worker,
                                          GError          **error);
void             progress_channel_free   (ProgressChannel  *channel);

/* Worker side (in the child; no GLib main loop, no GTK) */
gboolean         progress_channel_send   (int               fd,
                                          const ProgressRecord *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProgressChannel, progress_channel_free)

G_END_DECLS
