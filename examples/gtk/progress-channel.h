/* progress-channel.h: how the workers tell the window how far they are
 *
 * The channel is a Unix socket of type SOCK_SEQPACKET in the abstract namespace, made by the
 * application. Its name crosses to the child in the worker's GProcessObject:args (a string, so
 * it crosses every start method, the fork server included); each worker connects once and sends
 * fixed-size #ProgressRecord messages. The application accepts each connection and asks the
 * kernel who is on the other end (SO_PEERCRED): a connection whose pid is not one of the
 * application's started workers is closed unread. End of file on a connection means the worker
 * has gone. No GTK on the worker's side: it only connects and send()s.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* One message, worker → application. SOCK_SEQPACKET keeps message boundaries, so a message is
 * read whole or not at all. */
typedef struct
{
  guint32 blocks_done;   /* blocks of numbers finished so far */
  guint32 blocks_total;  /* blocks this worker was given */
  guint64 primes;        /* primes counted so far */
} ProgressRecord;

typedef struct _ProgressChannel ProgressChannel;

/* Called in the main context for each message (@record) and once at end of file (@record
 * NULL). @pid is the worker's, from SO_PEERCRED. */
typedef void (* ProgressFunc) (pid_t                 pid,
                               const ProgressRecord *record,
                               gpointer              user_data);

/* Application side (main thread) */
ProgressChannel *progress_channel_new      (ProgressFunc      func,
                                            gpointer          user_data,
                                            GError          **error);
const char      *progress_channel_get_name (ProgressChannel  *channel);
void             progress_channel_expect   (ProgressChannel  *channel,
                                            pid_t             pid);
void             progress_channel_free     (ProgressChannel  *channel);

/* Worker side (in the child; no GLib main loop, no GTK) */
int              progress_channel_connect  (const char       *name);
gboolean         progress_channel_send     (int               fd,
                                            const ProgressRecord *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProgressChannel, progress_channel_free)

G_END_DECLS
