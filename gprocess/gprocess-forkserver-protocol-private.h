/* gprocess-forkserver-protocol-private.h: what the application and its fork server say to each
 * other: a request (a header, the type name, the payload, descriptors) and a reply
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <glib.h>

#include "gprocess-forkserver-private.h"

G_BEGIN_DECLS

#ifndef CLONE_PIDFD
# define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
# define P_PIDFD 3
#endif

/* What the serialized part of a request holds */
#define PAYLOAD_TYPE "(ssbaymva{sv}i)"

/* The server's receive buffer: a request larger than this sends its payload in a memfd */
#define BUFFER_SIZE (64 * 1024)
#define MAX_TYPE_NAME 1024
/* stdout, stderr, gate or sentinel, payload memfd */
#define N_FIXED_FDS 4
#define MAX_PASSED_FDS G_PROCESS_FORKSERVER_MAX_FDS

#define REQUEST_MAGIC 0x47505331u  /* "GPS1" */
/* The type name, its NUL and padding: the payload that follows is 8-byte aligned, so that the
 * child reads the GVariant where it is */
#define TYPE_NAME_SPACE(len) (((gsize) (len) + 1 + 7) & ~(gsize) 7)
#define REQUEST_PAYLOAD_IN_FD 1u
#define REQUEST_HAS_GATE      2u
#define REQUEST_HAS_SENTINEL  4u
#define REQUEST_PROCESS_GROUP 8u
#define REQUEST_HAS_DEATH_FD  16u   /* after the passed descriptors */
#define REQUEST_HAS_RESULT_FD 32u   /* after those */
#define N_LIFECYCLE_FDS 2

typedef struct
{
  guint32 magic;
  guint32 flags;
  guint32 type_name_len;   /* without the NUL and padding (TYPE_NAME_SPACE) that follow it */
  guint32 n_fds;           /* passed descriptors, after the fixed ones */
  guint64 payload_size;
  guint64 target;
  guint64 target_data;
  gint32 app_pid;
  gint32 parent_death_signal;
  guint8 data_head[8];     /* the first bytes at target_data, as the application has them */
  guint32 data_head_len;   /* 0: target_data is no readable address here (a number), or NULL */
  guint32 reserved;
} RequestHeader;

G_STATIC_ASSERT (sizeof (RequestHeader) % 8 == 0);

typedef enum
{
  REPLY_OK,
  REPLY_BAD_REQUEST,
  REPLY_UNKNOWN_TYPE,
  REPLY_UNKNOWN_TARGET,
  REPLY_CLONE_FAILED,
  REPLY_STALE_DATA,
} ReplyStatus;

typedef struct
{
  gint32 status;
  gint32 error_number;
  gint32 pid;
  gint32 kind;             /* GProcessForkServerMessage: a reply, or news of a warm child */
} Reply;

/* Reads up to @len bytes at @address of this process without faulting on an address that is
 * not mapped (user data may be a number, not a pointer): process_vm_readv() on itself, which
 * needs no permission. Returns the number of bytes read (fewer at the end of a mapping). */
static inline gsize
read_own_memory (pid_t         self,
                 gconstpointer address,
                 guint8       *buf,
                 gsize         len)
{
  struct iovec local = { buf, len };
  struct iovec remote = { (void *) address, len };
  ssize_t n;

  do
    n = process_vm_readv (self, &local, 1, &remote, 1, 0);
  while (n < 0 && errno == EINTR);
  return n > 0 ? (gsize) n : 0;
}

/* The server's life (gprocess-forkserver-server.c), in the process forked for it */
G_GNUC_INTERNAL void _g_process_forkserver_serve (int      fd,
                                                  pid_t    app_pid,
                                                  gboolean from_main_thread) G_GNUC_NORETURN;

G_END_DECLS
