/* gprocess-forkserver-private.h: start methods and the fork server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sys/types.h>

#include <gio/gio.h>

#include "gprocess-child-private.h"
#include "gprocess-start-method.h"

G_BEGIN_DECLS

/* Descriptors passed with g_process_object_set_fds(), at most */
#define G_PROCESS_FORKSERVER_MAX_FDS 240

/* One request as the fork server received it, handed to the child it clones. Everything points
 * into the server's receive buffer, which the child has as a copy. */
typedef struct _GProcessForkServerChild GProcessForkServerChild;
struct _GProcessForkServerChild
{
  const char *type_name;
  GType type;             /* looked up by the server */
  gpointer target;
  gpointer target_data;
  pid_t app_pid;          /* the application: the child's parent */
  const guint8 *payload;  /* the serialized object, or NULL when it is in payload_fd */
  gsize payload_size;
  int payload_fd;         /* a memfd holding a large payload, or -1 */
  int server_fd;          /* the server's end of the connection: closed in the child */
  int stdout_fd;          /* the caller's stdout and stderr at start() */
  int stderr_fd;
  int gate_fd;            /* pidfd mode: the gate's read end, as for fork children; or -1 */
  int sentinel_fd;        /* pipe fallback: the sentinel's write end; or -1 */
  const int *fds;         /* descriptors passed with g_process_object_set_fds() */
  gsize n_fds;
  /* The lifecycle (gprocess-lifecycle.c), as a fork child has it from its object */
  gboolean process_group;
  int parent_death_signal;
  int death_read_fd;      /* the application's death pipe, or -1 */
  int result_send_fd;     /* the application's socket of results, or -1 */
};

G_GNUC_INTERNAL GProcessStartMethod _g_process_default_start_method (void);
G_GNUC_INTERNAL void      _g_process_forkserver_install_properties (GParamSpec **properties);
G_GNUC_INTERNAL void      _g_process_forkserver_free_object_data   (GProcessObject *self);
G_GNUC_INTERNAL void      _g_process_forkserver_atfork_child       (void);

G_GNUC_INTERNAL GVariant *_g_process_forkserver_collect  (GProcessObject       *self);
G_GNUC_INTERNAL guint8   *_g_process_forkserver_payload_new_locked (GProcessObject *self,
                                                                    GVariant       *properties,
                                                                    gsize          *size);
G_GNUC_INTERNAL gboolean  _g_process_forkserver_spawn    (GProcessForkRequest  *request,
                                                          GVariant             *properties,
                                                          GError              **error);

G_GNUC_INTERNAL void            _g_process_forkserver_child_fds      (const GProcessForkServerChild *child);
G_GNUC_INTERNAL GProcessObject *_g_process_forkserver_rebuild        (const GProcessForkServerChild *child);
G_GNUC_INTERNAL gboolean        _g_process_forkserver_init_rebuilt   (GProcessObject                *self);
G_GNUC_INTERNAL void            _g_process_forkserver_make_spare     (void);

G_END_DECLS
