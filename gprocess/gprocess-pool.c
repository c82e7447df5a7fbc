/* gprocess-pool.c: a pool of warm worker processes that survives its workers
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

/**
 * SECTION:gprocess-pool
 * @title: GProcessPool
 * @short_description: a pool of warm worker processes that survives its workers
 *
 * A #GProcessPool runs tasks in worker processes: a #GProcessPoolFunc is called in a worker
 * with the task's #GVariant, and its result (or its #GError) comes back to the main context
 * where the pool was created. Workers are #GProcessObject children started once and reused:
 * a task costs a message over a socket, not a fork.
 *
 * What happens in a worker stays in that task: when a worker crashes, is killed, exceeds its
 * memory limit or runs past #GProcessPool:task-timeout, only its task fails
 * (%G_PROCESS_ERROR_WORKER_LOST or %G_IO_ERROR_TIMED_OUT) and a new worker takes its place. A
 * running task can be cancelled (its worker is stopped), and can send progress with
 * g_process_pool_send_progress().
 *
 * The pool starts no thread: everything happens in its main context. It is not thread-safe:
 * use it from the thread that runs that context.
 *
 * Since: 0.3
 */

/* The state machine
 *
 * A task: QUEUED (in self->queue) → RUNNING (worker->task) → completed (its GTask returned,
 * the Task freed). It completes exactly once: with its result, its error, TIMED_OUT,
 * CANCELLED, WORKER_LOST or CLOSED (terminate).
 *
 * A worker: IDLE ⇄ BUSY → RETIRING (its socket closed: it exits by itself) or STOPPING
 * (SIGTERM, SIGKILL after the grace) → freed once its end is observed (exit_source). A worker
 * is in self->workers until freed. IDLE and BUSY workers count in n-workers and against
 * max-workers.
 *
 * Every source of the pool (socket watches, ends of workers, timers, cancellables) is attached
 * to pool_context(): the pool's context, or while a synchronous call runs, that call's private
 * context. Entering and leaving a synchronous call re-creates them in the other context. */

#define STOP_GRACE_US (200 * G_TIME_SPAN_MILLISECOND)

typedef enum
{
  WORKER_IDLE,
  WORKER_BUSY,
  WORKER_RETIRING,
  WORKER_STOPPING,
} WorkerState;

typedef struct _Task Task;

typedef struct
{
  gint ref_count;
  GProcessPool *pool;        /* not owned */
  GProcessObject *process;
  GPid pid;
  int fd;                    /* our end of the socket pair, -1 once closed */
  WorkerState state;
  gboolean exited;           /* its end was observed: no exit source any more */
  Task *task;                /* while BUSY */
  guint n_tasks;
  guint64 boot_rss;
  GSource *io_source;
  GSource *exit_source;
  GSource *timer_source;     /* idle timeout (IDLE) or SIGKILL after the grace (STOPPING) */
  gint64 timer_deadline;
} Worker;

struct _Task
{
  gint ref_count;
  GProcessPool *pool;        /* not owned: the GTask holds it */
  GProcessPoolAsync *gtask; /* NULL once completed */
  guint64 id;
  GVariant *input;
  GCancellable *cancellable;
  GSource *cancel_source;
  GSource *timeout_source;
  gint64 deadline;           /* monotonic, 0 = none */
  Worker *worker;            /* while RUNNING */
  GProcessPoolProgressFunc progress;
  gpointer progress_data;
  GDestroyNotify progress_destroy;
};

struct _GProcessPool
{
  GObject parent_instance;

  GProcessPoolFunc func;
  gpointer user_data;
  GDestroyNotify destroy;

  GMainContext *context;     /* the thread-default context at creation */
  GMainContext *sync_context;/* while a synchronous call runs */

  int max_workers;
  gint64 task_timeout;
  guint max_tasks_per_worker;
  guint64 max_worker_memory;
  gint64 idle_timeout;
  GProcessStartMethod start_method;

  gboolean submitted;
  gboolean in_submit;        /* completions inside a submit call wait for an idle */
  gboolean closed;
  gboolean terminated;
  GError *not_transferable;

  GQueue queue;              /* Task *, QUEUED */
  GList *workers;            /* Worker * */
  guint n_running;
  guint last_n_workers;
  guint last_n_pending;
  guint64 next_id;
  guint8 *buffer;            /* POOL_INLINE_MAX bytes for receiving */
};

G_DEFINE_FINAL_TYPE (GProcessPool, g_process_pool, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_MAX_WORKERS,
  PROP_TASK_TIMEOUT,
  PROP_MAX_TASKS_PER_WORKER,
  PROP_MAX_WORKER_MEMORY,
  PROP_IDLE_TIMEOUT,
  PROP_START_METHOD,
  PROP_N_WORKERS,
  PROP_N_PENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void pool_schedule (GProcessPool *self);
static void worker_stop (Worker *w);
static void worker_retire (Worker *w);
static void worker_watch (Worker *w);
static void task_watch (Task *t);

/* ---------------------------------------------------------------------------------------- */
/* Sources                                                                                   */

static GMainContext *
pool_context (GProcessPool *self)
{
  return self->sync_context != NULL ? self->sync_context : self->context;
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_source_unref (*source);
      *source = NULL;
    }
}

static GSource *
attach (GProcessPool *self,
        GSource      *source,
        GSourceFunc   func,
        gpointer      data)
{
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, pool_context (self));
  return source;
}

static GSource *
deadline_source_new (gint64 deadline)
{
  gint64 left = MAX (0, deadline - g_get_monotonic_time ());

  return g_timeout_source_new ((guint) MIN ((left + 999) / 1000, G_MAXUINT));
}

/* ---------------------------------------------------------------------------------------- */
/* Tasks                                                                                     */

static Task *
task_ref (Task *t)
{
  t->ref_count++;
  return t;
}

static void
task_unref (Task *t)
{
  if (--t->ref_count > 0)
    return;
  g_assert (t->gtask == NULL && t->worker == NULL);
  g_clear_pointer (&t->input, g_variant_unref);
  g_clear_object (&t->cancellable);
  if (t->progress_destroy != NULL)
    t->progress_destroy (t->progress_data);
  g_free (t);
}

static void
notify_counts (GProcessPool *self)
{
  guint n_workers = g_process_pool_get_n_workers (self);
  guint n_pending = g_process_pool_get_n_pending (self);

  if (n_workers != self->last_n_workers)
    {
      self->last_n_workers = n_workers;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WORKERS]);
    }
  if (n_pending != self->last_n_pending)
    {
      self->last_n_pending = n_pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
    }
}

/* Completes @t with @value (transfer full) or @error (taken). The caller has detached it from
 * its worker or the queue. */
static void
task_complete (Task     *t,
               GVariant *value,
               GError   *error)
{
  GProcessPoolAsync *gtask = g_steal_pointer (&t->gtask);

  g_assert (gtask != NULL && t->worker == NULL);
  clear_source (&t->cancel_source);
  clear_source (&t->timeout_source);
  _g_process_pool_async_return (gtask, value, error, !t->pool->in_submit);
  g_object_unref (gtask);
  task_unref (t);
}

static void
task_fail_literal (Task       *t,
                   GQuark      domain,
                   int         code,
                   const char *message)
{
  task_complete (t, NULL, g_error_new_literal (domain, code, message));
}

/* Takes @t off its worker; the worker is left without a task */
static void
task_detach (Task *t)
{
  Worker *w = t->worker;

  if (w != NULL)
    {
      w->task = NULL;
      t->worker = NULL;
      t->pool->n_running--;
    }
}

static gboolean
on_task_timeout (gpointer data)
{
  Task *t = data;
  GProcessPool *self = t->pool;
  Worker *w = t->worker;
  char *message;

  g_assert (w != NULL);
  message = g_strdup_printf (_("The task did not finish within %.3f s (task-timeout); its "
                               "worker %d was stopped"),
                             self->task_timeout / (double) G_USEC_PER_SEC, (int) w->pid);
  g_object_ref (self);
  task_detach (t);
  worker_stop (w);
  task_fail_literal (t, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, message);
  g_free (message);
  pool_schedule (self);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static gboolean
on_task_cancelled (GCancellable *cancellable,
                   gpointer      data)
{
  Task *t = data;
  GProcessPool *self = t->pool;
  Worker *w = t->worker;

  g_object_ref (self);
  if (w != NULL)
    {
      task_detach (t);
      worker_stop (w);
    }
  else
    g_queue_remove (&self->queue, t);
  task_fail_literal (t, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The task was cancelled"));
  pool_schedule (self);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* (Re)creates @t's sources in pool_context() */
static void
task_watch (Task *t)
{
  GProcessPool *self = t->pool;

  clear_source (&t->cancel_source);
  clear_source (&t->timeout_source);
  if (t->cancellable != NULL)
    t->cancel_source = attach (self, g_cancellable_source_new (t->cancellable),
                               (GSourceFunc) (void (*) (void)) on_task_cancelled, t);
  if (t->worker != NULL && t->deadline > 0)
    t->timeout_source = attach (self, deadline_source_new (t->deadline), on_task_timeout, t);
}

/* ---------------------------------------------------------------------------------------- */
/* Workers                                                                                   */

static Worker *
worker_ref (Worker *w)
{
  w->ref_count++;
  return w;
}

static void
worker_unref (Worker *w)
{
  if (--w->ref_count > 0)
    return;
  g_assert (w->task == NULL);
  clear_source (&w->io_source);
  clear_source (&w->exit_source);
  clear_source (&w->timer_source);
  if (w->fd >= 0)
    close (w->fd);
  g_clear_object (&w->process);
  g_free (w);
}

static void
worker_close_socket (Worker *w)
{
  clear_source (&w->io_source);
  if (w->fd >= 0)
    {
      G_LOCK (process_lock);
      _g_process_fds_close_locked (w->fd);
      G_UNLOCK (process_lock);
      w->fd = -1;
    }
}

static const char *
signal_name (int signum,
             char buf[32])
{
  const char *abbrev = sigabbrev_np (signum);

  if (abbrev == NULL)
    g_snprintf (buf, 32, "%d", signum);
  else
    g_snprintf (buf, 32, "SIG%s", abbrev);
  return buf;
}

/* How @w ended, for WORKER_LOST */
static char *
worker_describe_end (Worker *w)
{
  GProcessPool *self = w->pool;
  int code = g_process_object_get_exit_code (w->process);
  gint64 max_rss = 0;
  GString *s = g_string_new (NULL);
  char buf[32];

  if (code == G_PROCESS_EXIT_CODE_UNKNOWN || code == G_PROCESS_EXIT_CODE_NONE)
    g_string_printf (s, _("Worker %d ended while it ran the task (its exit status is unknown)"),
                     (int) w->pid);
  else if (code < 0)
    g_string_printf (s, _("Worker %d was killed by signal %s while it ran the task"),
                     (int) w->pid, signal_name (-code, buf));
  else
    g_string_printf (s, _("Worker %d exited with code %d while it ran the task"),
                     (int) w->pid, code);

  if (self->max_worker_memory > 0 &&
      g_process_object_get_usage (w->process, NULL, NULL, &max_rss) &&
      (guint64) max_rss >= w->boot_rss + self->max_worker_memory / 2)
    {
      char *limit = g_format_size_full (self->max_worker_memory, G_FORMAT_SIZE_IEC_UNITS);

      g_string_append_printf (s, _(": it reached its memory limit (max-worker-memory, %s)"),
                              limit);
      g_free (limit);
    }
  return g_string_free (s, FALSE);
}

static void worker_drain (Worker *w);

static gboolean
on_worker_exit (GProcessObject *process,
                gpointer        data)
{
  Worker *w = data;
  GProcessPool *self = w->pool;

  g_clear_pointer (&w->exit_source, g_source_unref);  /* it is being dispatched once */
  if (w->exited)
    return G_SOURCE_REMOVE;
  w->exited = TRUE;   /* callbacks below may re-create sources (a sync call): not this one */
  g_object_ref (self);
  worker_ref (w);
  /* A result written just before the end is still in the socket */
  if (w->fd >= 0)
    worker_drain (w);
  w->state = WORKER_STOPPING;   /* no longer live: a callback below may need a new worker */
  worker_close_socket (w);
  if (w->task != NULL)
    {
      Task *t = w->task;
      char *message = worker_describe_end (w);

      task_detach (t);
      task_fail_literal (t, G_PROCESS_ERROR, G_PROCESS_ERROR_WORKER_LOST, message);
      g_free (message);
    }
  worker_close_socket (w);
  clear_source (&w->timer_source);
  if (g_list_find (self->workers, w) != NULL)
    {
      self->workers = g_list_remove (self->workers, w);
      worker_unref (w);   /* the list's */
    }
  worker_unref (w);
  pool_schedule (self);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static gboolean
on_kill_timer (gpointer data)
{
  Worker *w = data;

  g_clear_pointer (&w->timer_source, g_source_unref);
  g_process_object_kill (w->process);
  return G_SOURCE_REMOVE;
}

static gboolean
on_idle_timer (gpointer data)
{
  Worker *w = data;
  GProcessPool *self = w->pool;

  g_clear_pointer (&w->timer_source, g_source_unref);
  worker_retire (w);
  notify_counts (self);
  return G_SOURCE_REMOVE;
}

/* A worker broke the protocol: whatever it ran fails, and it is stopped */
static void
worker_garbage (Worker       *w,
                const GError *error)
{
  Task *t = w->task;

  if (t != NULL)
    {
      char *message = g_strdup_printf (_("Worker %d sent an invalid reply (%s); it was stopped "
                                         "and replaced"), (int) w->pid, error->message);

      task_detach (t);
      task_fail_literal (t, G_PROCESS_ERROR, G_PROCESS_ERROR_WORKER_LOST, message);
      g_free (message);
    }
  worker_stop (w);
}

static void
fail_all_queued (GProcessPool *self,
                 const GError *error)
{
  Task *t;

  while ((t = g_queue_pop_head (&self->queue)) != NULL)
    task_complete (t, NULL, g_error_copy (error));
}

static void
worker_handle (Worker        *w,
               PoolMsgHeader *h,
               GVariant      *value)
{
  GProcessPool *self = w->pool;
  Task *t = w->task;

  switch (h->kind)
    {
    case POOL_MSG_READY:
      {
        guint32 status = 0;
        const char *message = NULL;

        if (value == NULL || !g_variant_is_of_type (value, G_VARIANT_TYPE ("(us)")))
          goto garbage;
        w->boot_rss = h->extra;
        g_variant_get (value, "(u&s)", &status, &message);
        if (status != 0 && self->not_transferable == NULL)
          {
            self->not_transferable = g_error_new (G_PROCESS_ERROR,
                                                  G_PROCESS_ERROR_NOT_TRANSFERABLE,
                                                  _("Cannot run the pool's tasks in workers "
                                                    "of the fork server: %s"), message);
          }
        if (status != 0)
          {
            if (t != NULL)
              {
                task_detach (t);
                task_complete (t, NULL, g_error_copy (self->not_transferable));
              }
            worker_retire (w);
            fail_all_queued (self, self->not_transferable);
          }
      }
      return;

    case POOL_MSG_RESULT:
    case POOL_MSG_ERROR:
      if (t == NULL || h->id != t->id || value == NULL ||
          (h->kind == POOL_MSG_ERROR && !g_variant_is_of_type (value, G_VARIANT_TYPE ("(sis)"))))
        goto garbage;
      task_detach (t);
      w->n_tasks++;
      if (h->kind == POOL_MSG_RESULT)
        task_complete (t, g_variant_ref (value), NULL);
      else
        {
          const char *domain, *message;
          int code;

          g_variant_get (value, "(&si&s)", &domain, &code, &message);
          task_fail_literal (t, g_quark_from_string (domain), code, message);
        }
      if (w->state != WORKER_BUSY)
        return;   /* a callback terminated the pool */
      if ((self->max_tasks_per_worker > 0 && w->n_tasks >= self->max_tasks_per_worker) ||
          (self->max_worker_memory > 0 && h->extra > w->boot_rss + self->max_worker_memory / 2))
        worker_retire (w);
      else
        {
          w->state = WORKER_IDLE;
          if (self->idle_timeout > 0)
            {
              w->timer_deadline = g_get_monotonic_time () + self->idle_timeout;
              clear_source (&w->timer_source);
              w->timer_source = attach (self, deadline_source_new (w->timer_deadline),
                                        on_idle_timer, w);
            }
        }
      return;

    case POOL_MSG_PROGRESS:
      if (t == NULL || h->id != t->id || value == NULL)
        goto garbage;
      if (t->progress != NULL)
        {
          task_ref (t);
          t->progress (self, value, t->progress_data);
          task_unref (t);
        }
      return;

    default:
      break;
    }

garbage:
  {
    GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                         _("an unexpected message"));
    worker_garbage (w, error);
    g_error_free (error);
  }
}

/* Reads every message waiting on @w's socket */
static void
worker_drain (Worker *w)
{
  GProcessPool *self = w->pool;

  worker_ref (w);
  while (w->fd >= 0 && (w->state == WORKER_BUSY || w->state == WORKER_IDLE))
    {
      PoolMsgHeader h;
      GVariant *value = NULL;
      GError *error = NULL;

      if (!_g_process_pool_wire_recv (w->fd, FALSE, self->buffer, &h, &value, &error))
        {
          if (error == NULL)
            break;   /* nothing more for now */
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
              g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
              g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
            worker_close_socket (w);   /* it is ending: its exit source tells how */
          else
            worker_garbage (w, error);
          g_error_free (error);
          break;
        }
      worker_handle (w, &h, value);
      g_clear_pointer (&value, g_variant_unref);
    }
  worker_unref (w);
}

static gboolean
on_worker_io (int          fd,
              GIOCondition condition,
              gpointer     data)
{
  Worker *w = data;
  GProcessPool *self = g_object_ref (w->pool);

  worker_drain (w);
  pool_schedule (self);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

/* (Re)creates @w's sources in pool_context() */
static void
worker_watch (Worker *w)
{
  GProcessPool *self = w->pool;

  clear_source (&w->io_source);
  clear_source (&w->timer_source);
  if (w->fd >= 0)
    w->io_source = attach (self, g_unix_fd_source_new (w->fd, G_IO_IN | G_IO_HUP | G_IO_ERR),
                           (GSourceFunc) (void (*) (void)) on_worker_io, w);
  if (!w->exited)
    {
      clear_source (&w->exit_source);
      w->exit_source = attach (self, g_process_object_create_source (w->process, NULL),
                               (GSourceFunc) (void (*) (void)) on_worker_exit, w);
    }
  if (w->state == WORKER_IDLE && self->idle_timeout > 0)
    {
      if (w->timer_deadline == 0)
        w->timer_deadline = g_get_monotonic_time () + self->idle_timeout;
      w->timer_source = attach (self, deadline_source_new (w->timer_deadline), on_idle_timer, w);
    }
  else if (w->state == WORKER_STOPPING && w->timer_deadline > 0)
    w->timer_source = attach (self, deadline_source_new (w->timer_deadline), on_kill_timer, w);
}

static void
worker_retire (Worker *w)
{
  if (w->state == WORKER_RETIRING || w->state == WORKER_STOPPING)
    return;
  w->state = WORKER_RETIRING;
  w->timer_deadline = 0;
  clear_source (&w->timer_source);
  worker_close_socket (w);   /* it reads the end of its socket and exits */
}

/* SIGTERM now, SIGKILL after the grace; its exit source frees it */
static void
worker_stop (Worker *w)
{
  if (w->state == WORKER_STOPPING)
    return;
  w->state = WORKER_STOPPING;
  worker_close_socket (w);
  clear_source (&w->timer_source);
  w->timer_deadline = g_get_monotonic_time () + STOP_GRACE_US;
  g_process_object_terminate (w->process);
  worker_watch (w);
}

static Worker *
worker_spawn (GProcessPool *self,
              GError      **error)
{
  Worker *w;
  int sv[2];
  guint64 flags = self->start_method == G_PROCESS_START_METHOD_FORKSERVER ?
                  G_PROCESS_POOL_BOOT_FORKSERVER : 0;
  GProcessObject *process;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    {
      int saved = errno;

      g_set_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED,
                   _("Cannot start a pool worker: socketpair: %s"), g_strerror (saved));
      return NULL;
    }
  /* The pool's end is the library's: no child inherits it (its worker included: a worker
   * sees its pool's end-of-file) */
  G_LOCK (process_lock);
  _g_process_fds_add_locked (sv[0]);
  G_UNLOCK (process_lock);
  process = g_process_object_new_with_target (_g_process_pool_worker_main,
                                              flags & G_PROCESS_POOL_BOOT_FORKSERVER ? NULL : self,
                                              NULL);
  g_process_object_set_name (process, "gprocess-pool-worker");
  g_process_object_set_start_method (process, self->start_method);
  g_process_object_set_parent_death_signal (process, SIGKILL);
  g_process_object_set_args (process,
                             g_variant_new ("(tttt)", (guint64) (uintptr_t) self->func,
                                            (guint64) (uintptr_t) self->user_data,
                                            self->max_worker_memory, flags));
  g_process_object_set_fds (process, &sv[1], 1);
  if (!g_process_object_start (process, error))
    {
      G_LOCK (process_lock);
      _g_process_fds_close_locked (sv[0]);
      G_UNLOCK (process_lock);
      close (sv[1]);
      g_object_unref (process);
      return NULL;
    }
  close (sv[1]);

  w = g_new0 (Worker, 1);
  w->ref_count = 1;
  w->pool = self;
  w->process = process;
  w->pid = g_process_object_get_pid (process);
  w->fd = sv[0];
  w->state = WORKER_IDLE;
  self->workers = g_list_prepend (self->workers, w);
  worker_watch (w);
  return w;
}

static Worker *
find_idle_worker (GProcessPool *self)
{
  for (GList *l = self->workers; l != NULL; l = l->next)
    {
      Worker *w = l->data;

      if (w->state == WORKER_IDLE && w->fd >= 0)
        return w;
    }
  return NULL;
}

static gboolean
task_dispatch (GProcessPool *self,
               Task         *t,
               Worker       *w)
{
  GError *error = NULL;

  if (!_g_process_pool_wire_send (w->fd, POOL_MSG_TASK, t->id, 0, t->input, &error))
    {
      gboolean worker_gone = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
                             g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
                             g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);

      if (worker_gone)
        {
          /* It ended while idle: the task goes back to the head of the queue */
          g_error_free (error);
          worker_stop (w);
          g_queue_push_head (&self->queue, t);
          return FALSE;
        }
      task_complete (t, NULL, error);
      return TRUE;
    }
  w->state = WORKER_BUSY;
  w->task = t;
  w->timer_deadline = 0;
  clear_source (&w->timer_source);
  t->worker = w;
  self->n_running++;
  if (self->task_timeout > 0)
    {
      t->deadline = g_get_monotonic_time () + self->task_timeout;
      t->timeout_source = attach (self, deadline_source_new (t->deadline), on_task_timeout, t);
    }
  return TRUE;
}

static guint
count_live_workers (GProcessPool *self)
{
  guint n = 0;

  for (GList *l = self->workers; l != NULL; l = l->next)
    {
      Worker *w = l->data;

      n += w->state == WORKER_IDLE || w->state == WORKER_BUSY;
    }
  return n;
}

static void
pool_schedule (GProcessPool *self)
{
  guint attempts = 0;

  if (self->not_transferable != NULL)
    fail_all_queued (self, self->not_transferable);

  while (!g_queue_is_empty (&self->queue) && attempts < 8)
    {
      Worker *w = find_idle_worker (self);
      Task *t;

      if (w == NULL && (int) count_live_workers (self) < self->max_workers)
        {
          GError *error = NULL;

          w = worker_spawn (self, &error);
          if (w == NULL)
            {
              task_complete (g_queue_pop_head (&self->queue), NULL, error);
              continue;
            }
        }
      if (w == NULL)
        break;
      t = g_queue_pop_head (&self->queue);
      if (!task_dispatch (self, t, w))
        attempts++;
    }

  if (self->closed && g_queue_is_empty (&self->queue))
    for (GList *l = self->workers; l != NULL; l = l->next)
      {
        Worker *w = l->data;

        if (w->state == WORKER_IDLE)
          worker_retire (w);
      }
  notify_counts (self);
}

/* Re-creates every source of the pool in pool_context() */
static void
pool_rewatch (GProcessPool *self)
{
  for (GList *l = self->workers; l != NULL; l = l->next)
    {
      Worker *w = l->data;

      worker_watch (w);
      if (w->task != NULL)
        task_watch (w->task);
    }
  for (GList *l = self->queue.head; l != NULL; l = l->next)
    task_watch (l->data);
}

/* ---------------------------------------------------------------------------------------- */
/* GObject                                                                                   */

static void
kill_all_workers (GProcessPool *self,
                  const char   *why)
{
  GList *workers = g_list_copy (self->workers);

  for (GList *l = workers; l != NULL; l = l->next)
    {
      Worker *w = l->data;

      if (w->task != NULL)
        {
          Task *t = w->task;

          task_detach (t);
          task_fail_literal (t, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED, why);
        }
      worker_close_socket (w);
      w->state = WORKER_STOPPING;
      w->timer_deadline = 0;
      clear_source (&w->timer_source);
      g_process_object_kill (w->process);
    }
  g_list_free (workers);
}

static void
g_process_pool_dispose (GObject *object)
{
  GProcessPool *self = G_PROCESS_POOL (object);

  if (!self->terminated)
    g_process_pool_terminate (self);

  /* Collect the ends of the killed workers (SIGKILL: a matter of milliseconds) */
  while (self->workers != NULL)
    {
      Worker *w = self->workers->data;

      self->workers = g_list_delete_link (self->workers, self->workers);
      clear_source (&w->exit_source);
      g_process_object_kill (w->process);
      g_process_object_join (w->process, 5 * G_USEC_PER_SEC, NULL, NULL);
      worker_unref (w);
    }

  G_OBJECT_CLASS (g_process_pool_parent_class)->dispose (object);
}

static void
g_process_pool_finalize (GObject *object)
{
  GProcessPool *self = G_PROCESS_POOL (object);

  g_assert (self->workers == NULL && g_queue_is_empty (&self->queue));
  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_clear_error (&self->not_transferable);
  g_main_context_unref (self->context);
  g_free (self->buffer);

  G_OBJECT_CLASS (g_process_pool_parent_class)->finalize (object);
}

static void
g_process_pool_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  GProcessPool *self = G_PROCESS_POOL (object);

  switch (prop_id)
    {
    case PROP_MAX_WORKERS:
      g_value_set_int (value, self->max_workers);
      break;
    case PROP_TASK_TIMEOUT:
      g_value_set_int64 (value, self->task_timeout);
      break;
    case PROP_MAX_TASKS_PER_WORKER:
      g_value_set_uint (value, self->max_tasks_per_worker);
      break;
    case PROP_MAX_WORKER_MEMORY:
      g_value_set_uint64 (value, self->max_worker_memory);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_int64 (value, self->idle_timeout);
      break;
    case PROP_START_METHOD:
      g_value_set_enum (value, self->start_method);
      break;
    case PROP_N_WORKERS:
      g_value_set_uint (value, g_process_pool_get_n_workers (self));
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, g_process_pool_get_n_pending (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_process_pool_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  GProcessPool *self = G_PROCESS_POOL (object);

  switch (prop_id)
    {
    case PROP_MAX_WORKERS:
      g_process_pool_set_max_workers (self, g_value_get_int (value));
      break;
    case PROP_TASK_TIMEOUT:
      g_process_pool_set_task_timeout (self, g_value_get_int64 (value));
      break;
    case PROP_MAX_TASKS_PER_WORKER:
      g_process_pool_set_max_tasks_per_worker (self, g_value_get_uint (value));
      break;
    case PROP_MAX_WORKER_MEMORY:
      g_process_pool_set_max_worker_memory (self, g_value_get_uint64 (value));
      break;
    case PROP_IDLE_TIMEOUT:
      g_process_pool_set_idle_timeout (self, g_value_get_int64 (value));
      break;
    case PROP_START_METHOD:
      g_process_pool_set_start_method (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_process_pool_class_init (GProcessPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = g_process_pool_dispose;
  object_class->finalize = g_process_pool_finalize;
  object_class->get_property = g_process_pool_get_property;
  object_class->set_property = g_process_pool_set_property;

  /**
   * GProcessPool:max-workers:
   *
   * The largest number of workers alive at once. Setting 0 or less gives the number of
   * processors. Raising it starts workers for queued tasks; lowering it lets surplus workers
   * finish their task first.
   *
   * Since: 0.3
   */
  properties[PROP_MAX_WORKERS] =
    g_param_spec_int ("max-workers", NULL, NULL, G_MININT, G_MAXINT, 1, rw);

  /**
   * GProcessPool:task-timeout:
   *
   * How long a task may run, in microseconds, or 0 for no limit. A task that runs longer fails
   * with %G_IO_ERROR_TIMED_OUT and its worker is stopped (SIGTERM, then SIGKILL after a short
   * grace) and replaced. It applies to tasks that start after it is set.
   *
   * Since: 0.3
   */
  properties[PROP_TASK_TIMEOUT] =
    g_param_spec_int64 ("task-timeout", NULL, NULL, 0, G_MAXINT64, 0, rw);

  /**
   * GProcessPool:max-tasks-per-worker:
   *
   * How many tasks a worker runs before it exits and a new one takes its place, or 0 for no
   * limit.
   *
   * Since: 0.3
   */
  properties[PROP_MAX_TASKS_PER_WORKER] =
    g_param_spec_uint ("max-tasks-per-worker", NULL, NULL, 0, G_MAXUINT, 0, rw);

  /**
   * GProcessPool:max-worker-memory:
   *
   * How much memory, in bytes, a worker may add to what it had when it started, or 0 for no
   * limit. Between tasks, a worker whose resident set grew by more than half of it is
   * replaced, so that each task starts with at least half of it free. While a task
   * runs the kernel enforces it (`RLIMIT_DATA`, set in the worker): an allocation beyond it
   * fails, and a task that dies of it fails with %G_PROCESS_ERROR_WORKER_LOST, whose message
   * names the limit. It applies to workers started after it is set.
   *
   * Since: 0.3
   */
  properties[PROP_MAX_WORKER_MEMORY] =
    g_param_spec_uint64 ("max-worker-memory", NULL, NULL, 0, G_MAXUINT64, 0, rw);

  /**
   * GProcessPool:idle-timeout:
   *
   * How long, in microseconds, a worker stays without a task before it exits, or 0 to keep
   * workers until g_process_pool_close().
   *
   * Since: 0.3
   */
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_int64 ("idle-timeout", NULL, NULL, 0, G_MAXINT64, 0, rw);

  /**
   * GProcessPool:start-method:
   *
   * How workers are started: forks of the application, or children of the fork server (which
   * must be started, g_process_start_fork_server()). It can be set until the first submit. The
   * default is g_process_get_start_method() when the pool is created. With the fork server the
   * pool's function must be code of the program (or of a library loaded before the server
   * started) and its user data %NULL or memory that existed then; where the worker can tell,
   * the first task fails with %G_PROCESS_ERROR_NOT_TRANSFERABLE.
   *
   * Since: 0.3
   */
  properties[PROP_START_METHOD] =
    g_param_spec_enum ("start-method", NULL, NULL, G_PROCESS_TYPE_START_METHOD,
                       G_PROCESS_START_METHOD_FORK, rw);

  /**
   * GProcessPool:n-workers:
   *
   * The number of live workers: idle or running a task (not those exiting).
   *
   * Since: 0.3
   */
  properties[PROP_N_WORKERS] =
    g_param_spec_uint ("n-workers", NULL, NULL, 0, G_MAXUINT, 0, ro);

  /**
   * GProcessPool:n-pending:
   *
   * The number of tasks queued or running.
   *
   * Since: 0.3
   */
  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
g_process_pool_init (GProcessPool *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->max_workers = MAX (1, (int) g_get_num_processors ());
  self->start_method = g_process_get_start_method ();
  self->next_id = 1;
  self->buffer = g_malloc (POOL_INLINE_MAX);
  g_queue_init (&self->queue);
}

/* ---------------------------------------------------------------------------------------- */
/* Public API                                                                                */

/**
 * g_process_pool_new:
 * @func: (scope notified) (closure user_data) (destroy destroy): the function that runs each
 *   task in a worker
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when the pool is finalized
 * @max_workers: the most workers alive at once; 0 or less for the number of processors
 *
 * Creates a pool whose workers run @func. No worker starts before the first task. The pool
 * belongs to the thread-default main context of the caller: results, errors and progress
 * arrive there.
 *
 * Returns: (transfer full): a new #GProcessPool
 *
 * Since: 0.3
 */
GProcessPool *
g_process_pool_new (GProcessPoolFunc func,
                    gpointer         user_data,
                    GDestroyNotify   destroy,
                    int              max_workers)
{
  GProcessPool *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (G_PROCESS_TYPE_POOL, "max-workers", max_workers, NULL);
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  return self;
}

static void
submit_internal (GProcessPool             *self,
                 GVariant                 *task,
                 GProcessPoolProgressFunc  progress,
                 gpointer                  progress_data,
                 GDestroyNotify            progress_destroy,
                 GCancellable             *cancellable,
                 GAsyncReadyCallback       callback,
                 gpointer                  user_data,
                 gpointer                  source_tag)
{
  GProcessPoolAsync *gtask = _g_process_pool_async_new (self, callback, user_data, source_tag);
  GError *error = NULL;
  Task *t;

  g_variant_ref_sink (task);

  if (self->closed)
    {
      _g_process_pool_async_return (gtask, NULL,
                                    g_error_new_literal (G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED,
                                                         _("The pool is closed: it takes no "
                                                           "new task")), FALSE);
      goto out;
    }
  if (self->not_transferable != NULL)
    {
      _g_process_pool_async_return (gtask, NULL, g_error_copy (self->not_transferable), FALSE);
      goto out;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      _g_process_pool_async_return (gtask, NULL, error, FALSE);
      goto out;
    }

  self->submitted = TRUE;
  t = g_new0 (Task, 1);
  t->ref_count = 1;
  t->pool = self;
  t->gtask = g_steal_pointer (&gtask);
  t->id = self->next_id++;
  t->input = g_variant_ref (task);
  t->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  t->progress = progress;
  t->progress_data = progress_data;
  t->progress_destroy = progress_destroy;
  progress_destroy = NULL;
  g_queue_push_tail (&self->queue, t);
  task_watch (t);
  self->in_submit = TRUE;
  pool_schedule (self);
  self->in_submit = FALSE;

out:
  if (progress_destroy != NULL)
    progress_destroy (progress_data);
  g_clear_object (&gtask);
  g_variant_unref (task);
}

/**
 * g_process_pool_submit_async:
 * @self: a #GProcessPool
 * @task: (transfer floating): the task's value, for the pool's #GProcessPoolFunc
 * @cancellable: (nullable): a #GCancellable: cancelling a queued task removes it, cancelling
 *   a running one stops its worker; either way @callback gets %G_IO_ERROR_CANCELLED at once
 * @callback: (scope async) (closure user_data): called in the pool's main context when the
 *   task is done
 * @user_data: data for @callback
 *
 * Queues @task; a worker (idle, or newly started if fewer than #GProcessPool:max-workers are
 * alive) runs it. Finish with g_process_pool_submit_finish().
 *
 * Since: 0.3
 */
void
g_process_pool_submit_async (GProcessPool        *self,
                             GVariant            *task,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (G_PROCESS_IS_POOL (self));
  g_return_if_fail (task != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  submit_internal (self, task, NULL, NULL, NULL, cancellable, callback, user_data,
                   g_process_pool_submit_async);
}

static GVariant *
submit_finish (GProcessPool  *self,
               GAsyncResult  *result,
               GError       **error)
{
  return _g_process_pool_async_propagate (result, self, NULL, error);
}

/**
 * g_process_pool_submit_finish:
 * @self: a #GProcessPool
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes g_process_pool_submit_async(). The errors: the #GError the pool's function set
 * (same domain, code and message); %G_PROCESS_ERROR_WORKER_LOST when the worker ended while it
 * ran the task (the message says how); %G_IO_ERROR_TIMED_OUT (#GProcessPool:task-timeout);
 * %G_IO_ERROR_CANCELLED; %G_PROCESS_ERROR_CLOSED (submitted after g_process_pool_close(), or
 * failed by g_process_pool_terminate()); %G_PROCESS_ERROR_NOT_TRANSFERABLE; a %G_IO_ERROR when
 * the task or its result cannot travel.
 *
 * Returns: (transfer full): the task's result, or %NULL with @error set
 *
 * Since: 0.3
 */
GVariant *
g_process_pool_submit_finish (GProcessPool  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (G_PROCESS_IS_POOL (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  return submit_finish (self, result, error);
}

/**
 * g_process_pool_submit_with_progress_async:
 * @self: a #GProcessPool
 * @task: (transfer floating): the task's value, for the pool's #GProcessPoolFunc
 * @progress: (scope notified) (closure progress_data) (destroy progress_destroy) (nullable):
 *   receives the task's progress messages (g_process_pool_send_progress()) in the pool's main
 *   context, before @callback
 * @progress_data: data for @progress
 * @progress_destroy: (nullable): frees @progress_data once the task is done
 * @cancellable: (nullable): a #GCancellable, as for g_process_pool_submit_async()
 * @callback: (scope async) (closure user_data): called when the task is done
 * @user_data: data for @callback
 *
 * As g_process_pool_submit_async(), and @progress receives what the task sends with
 * g_process_pool_send_progress() while it runs. Finish with
 * g_process_pool_submit_with_progress_finish().
 *
 * Since: 0.3
 */
void
g_process_pool_submit_with_progress_async (GProcessPool             *self,
                                           GVariant                 *task,
                                           GProcessPoolProgressFunc  progress,
                                           gpointer                  progress_data,
                                           GDestroyNotify            progress_destroy,
                                           GCancellable             *cancellable,
                                           GAsyncReadyCallback       callback,
                                           gpointer                  user_data)
{
  g_return_if_fail (G_PROCESS_IS_POOL (self));
  g_return_if_fail (task != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  submit_internal (self, task, progress, progress_data, progress_destroy, cancellable,
                   callback, user_data, g_process_pool_submit_with_progress_async);
}

/**
 * g_process_pool_submit_with_progress_finish:
 * @self: a #GProcessPool
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes g_process_pool_submit_with_progress_async(), as g_process_pool_submit_finish().
 *
 * Returns: (transfer full): the task's result, or %NULL with @error set
 *
 * Since: 0.3
 */
GVariant *
g_process_pool_submit_with_progress_finish (GProcessPool  *self,
                                            GAsyncResult  *result,
                                            GError       **error)
{
  g_return_val_if_fail (G_PROCESS_IS_POOL (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  return submit_finish (self, result, error);
}

typedef struct
{
  GAsyncResult *result;
  gboolean timed_out;
  gboolean cancelled;
} SyncWait;

static void
on_sync_done (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  SyncWait *wait = data;

  wait->result = g_object_ref (result);
}

static gboolean
sync_submit_done (GProcessPool *self,
                  gpointer      data)
{
  return ((SyncWait *) data)->result != NULL;
}

/**
 * g_process_pool_submit:
 * @self: a #GProcessPool
 * @task: (transfer floating): the task's value, for the pool's #GProcessPoolFunc
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Runs @task in a worker and waits for its result. Meanwhile it iterates a private main
 * context, where the pool's own work goes on (other tasks' workers keep being served), but no
 * callback of the application runs: the callbacks of other tasks that finish meanwhile run
 * later, in the pool's context. Call it from the thread that runs the pool's context. The
 * errors are those of g_process_pool_submit_finish().
 *
 * Returns: (transfer full): the task's result, or %NULL with @error set
 *
 * Since: 0.3
 */
GVariant *
g_process_pool_submit (GProcessPool  *self,
                       GVariant      *task,
                       GCancellable  *cancellable,
                       GError       **error)
{
  SyncWait wait = { NULL, FALSE, FALSE };
  GMainContext *context;
  GVariant *value;

  g_return_val_if_fail (G_PROCESS_IS_POOL (self), NULL);
  g_return_val_if_fail (task != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The GTask must complete in the private context: submit from inside it */
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  g_object_ref (self);
  {
    GMainContext *previous = self->sync_context;

    self->sync_context = context;
    pool_rewatch (self);
    submit_internal (self, task, NULL, NULL, NULL, cancellable, on_sync_done, &wait,
                     g_process_pool_submit_async);
    while (!sync_submit_done (self, &wait))
      g_main_context_iteration (context, TRUE);
    self->sync_context = previous;
    pool_rewatch (self);
  }
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  value = submit_finish (self, wait.result, error);
  g_object_unref (wait.result);
  g_object_unref (self);
  return value;
}

/**
 * g_process_pool_close:
 * @self: a #GProcessPool
 *
 * Takes no new task: later submits fail with %G_PROCESS_ERROR_CLOSED. Queued and running
 * tasks still run; each worker exits when no task is left for it. As
 * `multiprocessing.Pool.close()`.
 *
 * Since: 0.3
 */
void
g_process_pool_close (GProcessPool *self)
{
  g_return_if_fail (G_PROCESS_IS_POOL (self));

  if (self->closed)
    return;
  self->closed = TRUE;
  pool_schedule (self);
}

/**
 * g_process_pool_terminate:
 * @self: a #GProcessPool
 *
 * Closes the pool, fails its queued and running tasks with %G_PROCESS_ERROR_CLOSED, and kills
 * its workers (SIGKILL); their ends are collected in the pool's context (or by
 * g_process_pool_join()). As `multiprocessing.Pool.terminate()`. Disposing the pool does the
 * same.
 *
 * Since: 0.3
 */
void
g_process_pool_terminate (GProcessPool *self)
{
  GError *error;

  g_return_if_fail (G_PROCESS_IS_POOL (self));

  if (self->terminated)
    return;
  g_object_ref (self);
  self->closed = TRUE;
  self->terminated = TRUE;
  error = g_error_new_literal (G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED,
                               _("The pool was terminated"));
  fail_all_queued (self, error);
  kill_all_workers (self, error->message);
  g_error_free (error);
  notify_counts (self);
  g_object_unref (self);
}

typedef struct
{
  gboolean timed_out;
  gboolean cancelled;
} JoinWait;

static gboolean
on_join_timeout (gpointer data)
{
  ((JoinWait *) data)->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
on_join_cancelled (GCancellable *cancellable,
                   gpointer      data)
{
  ((JoinWait *) data)->cancelled = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
join_done (GProcessPool *self,
           gpointer      data)
{
  JoinWait *wait = data;

  return wait->timed_out || wait->cancelled ||
         (self->workers == NULL && g_queue_is_empty (&self->queue));
}

/**
 * g_process_pool_join:
 * @self: a closed or terminated #GProcessPool
 * @timeout_us: how long to wait, in microseconds; negative for no limit
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Waits until every task is done and every worker has exited (their ends collected: no
 * zombie is left). Only after g_process_pool_close() or g_process_pool_terminate(), as
 * `multiprocessing.Pool.join()`. It iterates a private main context: the callbacks of the
 * tasks that finish meanwhile run afterwards, in the pool's context.
 *
 * Returns: %TRUE once everything has ended; %FALSE with %G_IO_ERROR_TIMED_OUT,
 *   %G_IO_ERROR_CANCELLED, or %G_PROCESS_ERROR_STILL_RUNNING if the pool was not closed
 *
 * Since: 0.3
 */
gboolean
g_process_pool_join (GProcessPool  *self,
                     gint64         timeout_us,
                     GCancellable  *cancellable,
                     GError       **error)
{
  JoinWait wait = { FALSE, FALSE };
  GMainContext *context;
  GSource *timeout = NULL, *cancel = NULL;

  g_return_val_if_fail (G_PROCESS_IS_POOL (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!self->closed)
    {
      g_set_error_literal (error, G_PROCESS_ERROR, G_PROCESS_ERROR_STILL_RUNNING,
                           _("The pool is still running: call g_process_pool_close() or "
                             "g_process_pool_terminate() before g_process_pool_join()"));
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* run_private() makes the context; the timers go into it through pool_context() */
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  g_object_ref (self);
  {
    GMainContext *previous = self->sync_context;

    self->sync_context = context;
    pool_rewatch (self);
    if (timeout_us >= 0)
      timeout = attach (self, g_timeout_source_new ((guint) MIN ((timeout_us + 999) / 1000,
                                                               G_MAXUINT)),
                        on_join_timeout, &wait);
    if (cancellable != NULL)
      cancel = attach (self, g_cancellable_source_new (cancellable),
                       (GSourceFunc) (void (*) (void)) on_join_cancelled, &wait);
    while (!join_done (self, &wait))
      g_main_context_iteration (context, TRUE);
    clear_source (&timeout);
    clear_source (&cancel);
    self->sync_context = previous;
    pool_rewatch (self);
  }
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_object_unref (self);

  if (self->workers == NULL && g_queue_is_empty (&self->queue))
    return TRUE;
  if (wait.cancelled)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The join was cancelled"));
  else
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                         _("The pool's tasks and workers did not end in time"));
  return FALSE;
}

/* ---------------------------------------------------------------------------------------- */
/* Properties                                                                                */

/**
 * g_process_pool_get_max_workers:
 * @self: a #GProcessPool
 *
 * Gets #GProcessPool:max-workers.
 *
 * Returns: the most workers alive at once
 *
 * Since: 0.3
 */
int
g_process_pool_get_max_workers (GProcessPool *self)
{
  g_return_val_if_fail (G_PROCESS_IS_POOL (self), 0);
  return self->max_workers;
}

/**
 * g_process_pool_set_max_workers:
 * @self: a #GProcessPool
 * @max_workers: the most workers alive at once; 0 or less for the number of processors
 *
 * Sets #GProcessPool:max-workers.
 *
 * Since: 0.3
 */
void
g_process_pool_set_max_workers (GProcessPool *self,
                                int           max_workers)
{
  g_return_if_fail (G_PROCESS_IS_POOL (self));

  if (max_workers <= 0)
    max_workers = MAX (1, (int) g_get_num_processors ());
  if (self->max_workers == max_workers)
    return;
  self->max_workers = max_workers;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_WORKERS]);
  pool_schedule (self);
}

/**
 * g_process_pool_get_task_timeout:
 * @self: a #GProcessPool
 *
 * Gets #GProcessPool:task-timeout.
 *
 * Returns: the time a task may run, in microseconds, or 0
 *
 * Since: 0.3
 */
gint64
g_process_pool_get_task_timeout (GProcessPool *self)
{
  g_return_val_if_fail (G_PROCESS_IS_POOL (self), 0);
  return self->task_timeout;
}

/**
 * g_process_pool_set_task_timeout:
 * @self: a #GProcessPool
 * @timeout_us: the time a task may run, in microseconds, or 0 for no limit
 *
 * Sets #GProcessPool:task-timeout.
 *
 * Since: 0.3
 */
void
g_process_pool_set_task_timeout (GProcessPool *self,
                                 gint64        timeout_us)
{
  g_return_if_fail (G_PROCESS_IS_POOL (self));
  g_return_if_fail (timeout_us >= 0);

  if (self->task_timeout == timeout_us)
    return;
  self->task_timeout = timeout_us;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TASK_TIMEOUT]);
}

/**
 * g_process_pool_get_max_tasks_per_worker:
 * @self: a #GProcessPool
 *
 * Gets #GProcessPool:max-tasks-per-worker.
 *
 * Returns: the tasks a worker runs before it is replaced, or 0
 *
 * Since: 0.3
 */
guint
g_process_pool_get_max_tasks_per_worker (GProcessPool *self)
{
  g_return_val_if_fail (G_PROCESS_IS_POOL (self), 0);
  return self->max_tasks_per_worker;
}

/**
 * g_process_pool_set_max_tasks_per_worker:
 * @self: a #GProcessPool
 * @max_tasks: the tasks a worker runs before it is replaced, or 0 for no limit
 *
 * Sets #GProcessPool:max-tasks-per-worker.
 *
 * Since: 0.3
 */
void
g_process_pool_set_max_tasks_per_worker (GProcessPool *self,
                                         guint         max_tasks)
{
  g_return_if_fail (G_PROCESS_IS_POOL (self));

  if (self->max_tasks_per_worker == max_tasks)
    return;
  self->max_tasks_per_worker = max_tasks;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_TASKS_PER_WORKER]);
}

/**
 * g_process_pool_get_max_worker_memory:
 * @self: a #GProcessPool
 *
 * Gets #GProcessPool:max-worker-memory.
 *
 * Returns: the memory a worker may add, in bytes, or 0
 *
 * Since: 0.3
 */
guint64
g_process_pool_get_max_worker_memory (GProcessPool *self)
{
  g_return_val_if_fail (G_PROCESS_IS_POOL (self), 0);
  return self->max_worker_memory;
}

/**
 * g_process_pool_set_max_worker_memory:
 * @self: a #GProcessPool
 * @max_bytes: the memory a worker may add, in bytes, or 0 for no limit
 *
 * Sets #GProcessPool:max-worker-memory.
 *
 * Since: 0.3
 */
void
g_process_pool_set_max_worker_memory (GProcessPool *self,
                                      guint64       max_bytes)
{
  g_return_if_fail (G_PROCESS_IS_POOL (self));

  if (self->max_worker_memory == max_bytes)
    return;
  self->max_worker_memory = max_bytes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_WORKER_MEMORY]);
}

/**
 * g_process_pool_get_idle_timeout:
 * @self: a #GProcessPool
 *
 * Gets #GProcessPool:idle-timeout.
 *
 * Returns: how long an idle worker lives, in microseconds, or 0
 *
 * Since: 0.3
 */
gint64
g_process_pool_get_idle_timeout (GProcessPool *self)
{
  g_return_val_if_fail (G_PROCESS_IS_POOL (self), 0);
  return self->idle_timeout;
}

/**
 * g_process_pool_set_idle_timeout:
 * @self: a #GProcessPool
 * @timeout_us: how long an idle worker lives, in microseconds, or 0 for no limit
 *
 * Sets #GProcessPool:idle-timeout. It applies to workers that become idle after it is set.
 *
 * Since: 0.3
 */
void
g_process_pool_set_idle_timeout (GProcessPool *self,
                                 gint64        timeout_us)
{
  g_return_if_fail (G_PROCESS_IS_POOL (self));
  g_return_if_fail (timeout_us >= 0);

  if (self->idle_timeout == timeout_us)
    return;
  self->idle_timeout = timeout_us;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE_TIMEOUT]);
}

/**
 * g_process_pool_get_start_method:
 * @self: a #GProcessPool
 *
 * Gets #GProcessPool:start-method.
 *
 * Returns: how workers are started
 *
 * Since: 0.3
 */
GProcessStartMethod
g_process_pool_get_start_method (GProcessPool *self)
{
  g_return_val_if_fail (G_PROCESS_IS_POOL (self), G_PROCESS_START_METHOD_FORK);
  return self->start_method;
}

/**
 * g_process_pool_set_start_method:
 * @self: a #GProcessPool to which no task was submitted yet
 * @method: how workers are started
 *
 * Sets #GProcessPool:start-method; after the first submit it warns and changes nothing.
 *
 * Since: 0.3
 */
void
g_process_pool_set_start_method (GProcessPool        *self,
                                 GProcessStartMethod  method)
{
  g_return_if_fail (G_PROCESS_IS_POOL (self));

  if (self->submitted)
    {
      g_warning ("%s: the start method of a pool can only change before its first task",
                 G_STRFUNC);
      return;
    }
  if (self->start_method == method)
    return;
  self->start_method = method;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_START_METHOD]);
}

/**
 * g_process_pool_get_n_workers:
 * @self: a #GProcessPool
 *
 * Gets #GProcessPool:n-workers.
 *
 * Returns: the number of live workers
 *
 * Since: 0.3
 */
guint
g_process_pool_get_n_workers (GProcessPool *self)
{
  g_return_val_if_fail (G_PROCESS_IS_POOL (self), 0);
  return count_live_workers (self);
}

/**
 * g_process_pool_get_n_pending:
 * @self: a #GProcessPool
 *
 * Gets #GProcessPool:n-pending.
 *
 * Returns: the number of tasks queued or running
 *
 * Since: 0.3
 */
guint
g_process_pool_get_n_pending (GProcessPool *self)
{
  g_return_val_if_fail (G_PROCESS_IS_POOL (self), 0);
  return self->queue.length + self->n_running;
}
