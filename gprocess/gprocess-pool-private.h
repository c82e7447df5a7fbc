/* gprocess-pool-private.h: the wire between a #GProcessPool and its workers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "gprocess-object.h"

G_BEGIN_DECLS

#define POOL_MSG_MAGIC 0x31505047u    /* "GPP1" */
#define POOL_INLINE_MAX (48 * 1024)  /* larger values travel in a sealed memfd */

typedef enum
{
  POOL_MSG_READY = 1,   /* worker → pool: extra = RSS at start; value "(us)" status, message */
  POOL_MSG_TASK,        /* pool → worker: value = the task */
  POOL_MSG_RESULT,      /* worker → pool: extra = RSS after the task; value = the result */
  POOL_MSG_ERROR,       /* worker → pool: extra = RSS; value "(sis)" domain, code, message */
  POOL_MSG_PROGRESS,    /* worker → pool: value = the progress */
} PoolMsgKind;

enum { POOL_MSG_IN_FD = 1 << 0 };

typedef struct
{
  guint32 magic;
  guint32 kind;
  guint64 id;
  guint64 size;    /* bytes of the serialised "v" after the header, or in the memfd */
  guint64 extra;
  guint32 flags;
  guint32 reserved;
  guint64 reserved2;
} PoolMsgHeader;

G_GNUC_INTERNAL
gboolean _g_process_pool_wire_send (int             fd,
                                    PoolMsgKind     kind,
                                    guint64         id,
                                    guint64         extra,
                                    GVariant       *value,
                                    GError        **error);
G_GNUC_INTERNAL
gboolean _g_process_pool_wire_recv (int             fd,
                                    gboolean        blocking,
                                    guint8         *buffer,
                                    PoolMsgHeader  *h,
                                    GVariant      **value,
                                    GError        **error);

G_END_DECLS

/* A GAsyncResult without GTask: GTask's class initialisation starts GLib's worker thread
 * (for its thread pool), and the pool promises no thread of its own, GLib's included. */
G_BEGIN_DECLS

#define G_PROCESS_TYPE_POOL_ASYNC (_g_process_pool_async_get_type ())
G_GNUC_INTERNAL
G_DECLARE_FINAL_TYPE (GProcessPoolAsync, _g_process_pool_async, G_PROCESS, POOL_ASYNC, GObject)

G_GNUC_INTERNAL
GProcessPoolAsync *_g_process_pool_async_new       (gpointer              source_object,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data,
                                                    gpointer              source_tag);
G_GNUC_INTERNAL
void               _g_process_pool_async_return    (GProcessPoolAsync    *self,
                                                    GVariant             *value,
                                                    GError               *error,
                                                    gboolean              may_call_now);
G_GNUC_INTERNAL
GVariant          *_g_process_pool_async_propagate (GAsyncResult         *result,
                                                    gpointer              source_object,
                                                    gpointer              source_tag,
                                                    GError              **error);

/* gprocess-pool-worker.c: the target of every worker; its args are (tttt): the pool's
 * function, its user data, the memory limit, the boot flags */
enum { G_PROCESS_POOL_BOOT_FORKSERVER = 1 << 0 };

G_GNUC_INTERNAL void _g_process_pool_worker_main (GProcessObject *process,
                                                  gpointer        pool);

G_END_DECLS
