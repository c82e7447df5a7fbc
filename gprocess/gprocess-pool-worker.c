/* gprocess-pool-worker.c: a pool worker, in its own process: it serves tasks until its socket
 * closes (the parent's side is gprocess-pool.c)
 *
 * CHILD CODE: everything here runs in a worker, a child of the pool's process (a fork child, or
 * a fork-server child with the fork server start method); it reaches the parent only through
 * its socket (gprocess-pool-wire.c) and ends with _exit().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib-unix.h>

#include "gprocess.h"
#include "gprocess-private.h"
#include "gprocess-fds-private.h"
#include "gprocess-pool-private.h"

/* ---------------------------------------------------------------------------------------- */
/* The worker side                                                                           */

static int worker_fd = -1;          /* in a worker: its socket */
static guint64 worker_task_id;      /* in a worker: the running task, 0 between tasks */

static guint64
read_rss (void)
{
  FILE *f = fopen ("/proc/self/statm", "re");
  unsigned long size = 0, resident = 0;

  if (f == NULL)
    return 0;
  if (fscanf (f, "%lu %lu", &size, &resident) != 2)
    resident = 0;
  fclose (f);
  return (guint64) resident * (guint64) sysconf (_SC_PAGESIZE);
}

static guint64
read_vm_data (void)
{
  FILE *f = fopen ("/proc/self/status", "re");
  char line[256];
  guint64 kib = 0;

  if (f == NULL)
    return 0;
  while (fgets (line, sizeof line, f) != NULL)
    if (sscanf (line, "VmData: %" G_GUINT64_FORMAT, &kib) == 1)
      break;
  fclose (f);
  return kib * 1024;
}

static gboolean
address_is_mapped (gconstpointer p)
{
  long page = sysconf (_SC_PAGESIZE);
  uintptr_t start = (uintptr_t) p & ~((uintptr_t) page - 1);

  return msync ((void *) start, page, MS_ASYNC) == 0 || errno != ENOMEM;
}

static void
worker_send_or_exit (PoolMsgKind  kind,
                     guint64      id,
                     guint64      extra,
                     GVariant    *value)
{
  GError *error = NULL;

  if (_g_process_pool_wire_send (worker_fd, kind, id, extra, value, &error))
    return;
  if (kind == POOL_MSG_RESULT && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
    {
      /* The result cannot travel (no memory for its memfd…): its task fails with the reason */
      GVariant *e = g_variant_new ("(sis)", g_quark_to_string (error->domain), error->code,
                                   error->message);

      g_clear_error (&error);
      if (_g_process_pool_wire_send (worker_fd, POOL_MSG_ERROR, id, extra, e, NULL))
        return;
    }
  g_clear_error (&error);
  _exit (3);
}

/* The target of every worker: serves tasks until its socket closes */
void
_g_process_pool_worker_main (GProcessObject *process,
                             gpointer        data)
{
  GVariant *args = g_process_object_get_args (process);
  guint64 func_addr = 0, data_addr = 0, max_memory = 0, flags = 0;
  GProcessPoolFunc func;
  gpointer user_data;
  const int *fds;
  gsize n_fds = 0;
  guint8 *buffer;
  guint32 status = 0;
  const char *message = "";

  if (args == NULL || !g_variant_is_of_type (args, G_VARIANT_TYPE ("(tttt)")))
    _exit (4);
  g_variant_get (args, "(tttt)", &func_addr, &data_addr, &max_memory, &flags);
  func = (GProcessPoolFunc) (uintptr_t) func_addr;
  user_data = (gpointer) (uintptr_t) data_addr;
  fds = g_process_object_get_fds (process, &n_fds);
  if (fds == NULL || n_fds < 1)
    _exit (4);
  worker_fd = fds[0];

  /* The pool's ends of the sockets (its own and the other workers') are the library's
   * descriptors: a forked worker, as every child, was started without them */

  if (flags & G_PROCESS_POOL_BOOT_FORKSERVER)
    {
      Dl_info info;

      if (dladdr ((gpointer) func, &info) == 0)
        {
          status = 1;
          message = _("the pool's function is not in the code that was loaded when the fork "
                      "server started (a closure, or a module loaded later); use a function of "
                      "the program, or the fork start method");
        }
      else if (user_data != NULL && !address_is_mapped (user_data))
        {
          status = 1;
          message = _("the pool's user data is not memory that existed when the fork server "
                      "started; pass NULL or static data, or use the fork start method");
        }
    }

  worker_send_or_exit (POOL_MSG_READY, 0, read_rss (), g_variant_new ("(us)", status, message));
  if (status != 0)
    {
      /* The pool closes the socket once it has read why */
      PoolMsgHeader h;
      GVariant *ignored = NULL;
      guint8 *scratch = g_malloc (POOL_INLINE_MAX);

      while (_g_process_pool_wire_recv (worker_fd, TRUE, scratch, &h, &ignored, NULL))
        g_clear_pointer (&ignored, g_variant_unref);
      g_free (scratch);
      return;
    }

  if (max_memory > 0)
    {
      guint64 limit = read_vm_data () + max_memory;
      struct rlimit rl = { limit, limit };

      setrlimit (RLIMIT_DATA, &rl);
    }

  buffer = g_malloc (POOL_INLINE_MAX);
  for (;;)
    {
      PoolMsgHeader h;
      GVariant *task = NULL, *result;
      GError *error = NULL;

      if (!_g_process_pool_wire_recv (worker_fd, TRUE, buffer, &h, &task, &error))
        {
          gboolean closed = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);

          g_clear_error (&error);
          if (closed)
            break;
          _exit (5);
        }
      if (h.kind != POOL_MSG_TASK || task == NULL)
        _exit (5);

      worker_task_id = h.id;
      result = func (task, user_data, &error);
      worker_task_id = 0;
      g_variant_unref (task);

      if (result != NULL)
        {
          g_variant_ref_sink (result);
          g_clear_error (&error);
          worker_send_or_exit (POOL_MSG_RESULT, h.id, max_memory > 0 ? read_rss () : 0, result);
          g_variant_unref (result);
        }
      else
        {
          GVariant *e;

          if (error != NULL)
            e = g_variant_new ("(sis)", g_quark_to_string (error->domain), error->code,
                               error->message);
          else
            e = g_variant_new ("(sis)", g_quark_to_string (G_PROCESS_ERROR),
                               G_PROCESS_ERROR_FAILED,
                               _("The pool's function returned NULL without setting an error"));
          g_clear_error (&error);
          worker_send_or_exit (POOL_MSG_ERROR, h.id, max_memory > 0 ? read_rss () : 0, e);
        }
    }
  g_free (buffer);
  close (worker_fd);
  worker_fd = -1;
}

/**
 * g_process_pool_send_progress:
 * @progress: (transfer floating): the progress, any #GVariant
 *
 * Sends progress from a task: called by a #GProcessPoolFunc while it runs in a worker, it
 * passes @progress to the #GProcessPoolProgressFunc given to
 * g_process_pool_submit_with_progress_async(), in the pool's main context, while the task goes
 * on. A task submitted without a progress function ignores its progress. It blocks only when
 * the parent is far behind in reading.
 *
 * Returns: %TRUE if it was sent; %FALSE outside a task of a pool worker (a floating
 *   @progress is then sunk and freed)
 *
 * Since: 0.3
 */
gboolean
g_process_pool_send_progress (GVariant *progress)
{
  gboolean ok;

  g_return_val_if_fail (progress != NULL, FALSE);

  g_variant_ref_sink (progress);
  ok = worker_fd >= 0 && worker_task_id != 0 &&
       _g_process_pool_wire_send (worker_fd, POOL_MSG_PROGRESS, worker_task_id, 0, progress,
                                  NULL);
  g_variant_unref (progress);
  return ok;
}
