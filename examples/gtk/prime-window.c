/* prime-window.c: the window of the prime counter
 *
 * Everything in this file runs in the application's main thread. A job is a GProcessPool with
 * one worker per share and one task per share: the pool's function is prime_pool_task() (in
 * prime-worker.c), the task its share (PRIME_JOB_FORMAT). The window learns about its tasks
 * through the GTK main loop only, never by blocking or polling:
 *
 *  - the task's progress messages (g_process_pool_send_progress() in the worker), for the
 *    bars;
 *  - the task's callback: its count, or G_IO_ERROR_CANCELLED after Cancel (the pool stops the
 *    worker of a cancelled task), or the error that ended it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE   /* sigabbrev_np() */
#include "prime-window.h"
#include "prime-worker.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#define TICK_MS 16

typedef struct
{
  PrimeWindow    *window;     /* unowned: the window outlives its workers */
  GCancellable   *cancellable;/* Cancel cancels the worker's task */
  GPid            pid;        /* the pool worker running the task, from its progress */
  GtkWidget      *name_label;
  GtkWidget      *bar;
  GtkWidget      *state_label;
  GtkWidget      *result_label;
  guint32         blocks_total;
  gboolean        ended;
} Worker;

struct _PrimeWindow
{
  GtkApplicationWindow parent_instance;

  GtkWidget       *limit_spin;
  GtkWidget       *workers_spin;
  GtkWidget       *start_button;
  GtkWidget       *cancel_button;
  GtkWidget       *worker_grid;
  GtkWidget       *total_label;
  GtkWidget       *tick_label;

  GPtrArray       *workers;        /* (element-type Worker) of the current or last job */
  GProcessPool    *pool;           /* while a job runs: one task per worker */
  guint            n_running;      /* workers not seen ending yet */
  guint            n_stopping;     /* stop_async() calls not finished yet */
  gboolean         starting;       /* inside the loop of prime_window_start() */
  gint64           started_us;
  guint            tick_id;        /* the 16 ms timeout, while a job runs */
  gint64           last_tick_us;
  PrimeJobReport   report;
};

G_DEFINE_FINAL_TYPE (PrimeWindow, prime_window, GTK_TYPE_APPLICATION_WINDOW)

enum { SIGNAL_PROGRESS, SIGNAL_JOB_FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* 1234567 → "1,234,567" */
static char *
format_count (guint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  GString *out = g_string_new (NULL);
  size_t len = strlen (digits);

  for (size_t i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

static void
worker_free (gpointer data)
{
  Worker *w = data;

  g_clear_object (&w->cancellable);
  g_free (w);
}

/* ---- the 16 ms tick: elapsed time, and the proof that the main loop keeps running ---- */

static gboolean
on_tick (gpointer data)
{
  PrimeWindow *self = data;
  gint64 now = g_get_monotonic_time ();
  g_autofree char *text = NULL;
  g_autofree char *tick = NULL;

  self->report.max_gap_us = MAX (self->report.max_gap_us, now - self->last_tick_us);
  self->report.ticks++;
  self->last_tick_us = now;
  if (self->report.ticks % 6 != 0)
    return G_SOURCE_CONTINUE;   /* the labels change ten times a second, that is enough */

  text = g_strdup_printf ("Running… %.2f s", (now - self->started_us) / 1e6);
  gtk_label_set_text (GTK_LABEL (self->total_label), text);
  tick = g_strdup_printf ("Main loop: %u ticks of %d ms so far, largest gap %.1f ms",
                          self->report.ticks, TICK_MS, self->report.max_gap_us / 1e3);
  gtk_label_set_text (GTK_LABEL (self->tick_label), tick);
  return G_SOURCE_CONTINUE;
}

/* ---- the end of the job ---- */

static void
finish_job (PrimeWindow *self)
{
  PrimeJobReport *r = &self->report;
  g_autofree char *primes = format_count (r->primes);
  g_autofree char *limit = format_count (r->limit);
  g_autofree char *total = NULL;
  g_autofree char *tick = NULL;

  r->elapsed_us = g_get_monotonic_time () - self->started_us;
  g_clear_handle_id (&self->tick_id, g_source_remove);
  /* Every task has ended: disposing the pool kills its workers (those of cancelled tasks were
   * already stopped) and collects their ends. The rows keep what they showed. */
  g_object_run_dispose (G_OBJECT (self->pool));   /* now: the task's result still holds it */
  g_clear_object (&self->pool);

  if (r->n_results == r->n_workers)
    total = g_strdup_printf ("%s primes below %s in %.2f s", primes, limit,
                             r->elapsed_us / 1e6);
  else
    total = g_strdup_printf ("Cancelled after %.2f s (%u of %u workers finished)",
                             r->elapsed_us / 1e6, r->n_results, r->n_workers);
  gtk_label_set_text (GTK_LABEL (self->total_label), total);
  tick = g_strdup_printf ("Main loop: %u ticks of %d ms, largest gap %.1f ms", r->ticks,
                          TICK_MS, r->max_gap_us / 1e3);
  gtk_label_set_text (GTK_LABEL (self->tick_label), tick);

  gtk_widget_set_sensitive (self->start_button, TRUE);
  gtk_widget_set_sensitive (self->cancel_button, FALSE);
  gtk_widget_set_sensitive (self->limit_spin, TRUE);
  gtk_widget_set_sensitive (self->workers_spin, TRUE);
  g_signal_emit (self, signals[SIGNAL_JOB_FINISHED], 0);
}

/* The job is over when every worker has ended and every stop_async() has answered. */
static void
maybe_finish_job (PrimeWindow *self)
{
  if (self->workers != NULL && self->n_running == 0 && self->n_stopping == 0 &&
      self->pool != NULL && !self->starting)
    finish_job (self);
}

static gboolean
finish_later (gpointer data)
{
  maybe_finish_job (data);
  return G_SOURCE_REMOVE;
}

/* The worker's task ended: its count, or why not */
static void
on_task_done (GObject      *source,
              GAsyncResult *res,
              gpointer      data)
{
  Worker *w = data;
  PrimeWindow *self = w->window;
  PrimeJobReport *r = &self->report;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = g_process_pool_submit_with_progress_finish (G_PROCESS_POOL (source),
                                                                          res, &error);
  g_autofree char *text = NULL;

  w->ended = TRUE;
  if (result != NULL && g_variant_is_of_type (result, G_VARIANT_TYPE_UINT64))
    {
      g_autofree char *count = format_count (g_variant_get_uint64 (result));

      r->n_results++;
      r->primes += g_variant_get_uint64 (result);
      text = g_strdup_printf ("%s primes", count);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (w->bar), 1.0);
      gtk_label_set_text (GTK_LABEL (w->state_label), "done");
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      r->n_stopped++;
      text = g_strdup ("cancelled");
      gtk_label_set_text (GTK_LABEL (w->state_label), "cancelled, worker stopped");
    }
  else if (error != NULL)
    {
      r->n_killed += g_error_matches (error, G_PROCESS_ERROR, G_PROCESS_ERROR_WORKER_LOST);
      text = g_strdup (error->message);
      gtk_label_set_text (GTK_LABEL (w->state_label), "failed");
    }
  else
    {
      r->n_empty++;
      text = g_strdup ("no result");
    }
  gtk_label_set_text (GTK_LABEL (w->result_label), text);
  gtk_widget_set_tooltip_text (w->result_label, text);
  self->n_running--;
  /* Not from inside the pool's callback: the job's end disposes the pool, once the pool has
   * returned from delivering this result */
  if (self->n_running == 0)
    g_idle_add_full (G_PRIORITY_DEFAULT, finish_later, g_object_ref (self), g_object_unref);
}

/* ---- progress, from the workers' own messages ---- */

static void
on_progress (gpointer              worker,
             const ProgressRecord *record,
             gpointer              user_data)
{
  PrimeWindow *self = user_data;
  Worker *w = worker;
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;

  if (record == NULL || w->ended || record->blocks_total == 0)
    return;   /* end of file (notify::state tells the end), or too late */

  w->blocks_total = record->blocks_total;
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (w->bar),
                                 (double) record->blocks_done / record->blocks_total);
  count = format_count (record->primes);
  text = g_strdup_printf ("%s primes so far", count);
  gtk_label_set_text (GTK_LABEL (w->result_label), text);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0);
}

/* A progress message of a task (g_process_pool_send_progress() in prime_pool_task()) */
static void
on_task_progress (GProcessPool *pool,
                  GVariant     *progress,
                  gpointer      data)
{
  Worker *w = data;
  ProgressRecord record = { 0 };
  gint64 pid = 0;

  if (!g_variant_is_of_type (progress, G_VARIANT_TYPE (PRIME_PROGRESS_FORMAT)))
    return;
  g_variant_get (progress, PRIME_PROGRESS_FORMAT, &record.blocks_done, &record.blocks_total,
                 &record.primes, &pid);
  w->pid = (GPid) pid;
  on_progress (w, &record, w->window);
}

/* ---- starting and cancelling ---- */

static Worker *
add_worker_row (PrimeWindow *self,
                guint        index)
{
  Worker *w = g_new0 (Worker, 1);
  g_autofree char *name = g_strdup_printf ("worker-%u", index + 1);
  GtkGrid *grid = GTK_GRID (self->worker_grid);

  w->window = self;
  w->name_label = gtk_label_new (name);
  w->bar = gtk_progress_bar_new ();
  w->state_label = gtk_label_new ("waiting");
  w->result_label = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (w->name_label), 0);
  gtk_widget_set_hexpand (w->bar, TRUE);
  gtk_widget_set_valign (w->bar, GTK_ALIGN_CENTER);
  gtk_progress_bar_set_show_text (GTK_PROGRESS_BAR (w->bar), TRUE);
  gtk_label_set_xalign (GTK_LABEL (w->state_label), 0);
  gtk_label_set_width_chars (GTK_LABEL (w->state_label), 22);
  gtk_widget_add_css_class (w->state_label, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (w->result_label), 1);
  gtk_label_set_width_chars (GTK_LABEL (w->result_label), 22);
  gtk_label_set_ellipsize (GTK_LABEL (w->result_label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (w->result_label, "numeric");
  gtk_grid_attach (grid, w->name_label, 0, index, 1, 1);
  gtk_grid_attach (grid, w->bar, 1, index, 1, 1);
  gtk_grid_attach (grid, w->state_label, 2, index, 1, 1);
  gtk_grid_attach (grid, w->result_label, 3, index, 1, 1);
  return w;
}

static void
clear_worker_rows (PrimeWindow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->worker_grid)) != NULL)
    gtk_grid_remove (GTK_GRID (self->worker_grid), child);
  g_clear_pointer (&self->workers, g_ptr_array_unref);
}

/* Submits one worker's share: a task of the pool, which runs prime_pool_task() (a function
 * of this program, as the fork server wants) in one of its workers. Its progress comes back
 * through the pool's progress messages. */
static void
start_worker (PrimeWindow *self,
              Worker      *w,
              guint        index,
              guint        n_workers)
{
  w->cancellable = g_cancellable_new ();
  self->n_running++;
  gtk_label_set_text (GTK_LABEL (w->state_label), "running");
  g_process_pool_submit_with_progress_async (self->pool,
                                             prime_job_new (self->report.limit, index, n_workers),
                                             on_task_progress, w, NULL, w->cancellable,
                                             on_task_done, w);
}

gboolean
prime_window_start (PrimeWindow  *self,
                    GError      **error)
{
  guint n_workers = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->workers_spin));
  guint64 limit = (guint64) gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->limit_spin));

  g_return_val_if_fail (!prime_window_is_running (self), FALSE);

  clear_worker_rows (self);
  memset (&self->report, 0, sizeof self->report);
  self->report.limit = limit;
  self->report.n_workers = n_workers;
  self->pool = g_process_pool_new (prime_pool_task, NULL, NULL, n_workers);

  self->workers = g_ptr_array_new_with_free_func (worker_free);
  self->started_us = self->last_tick_us = g_get_monotonic_time ();
  self->tick_id = g_timeout_add (TICK_MS, on_tick, self);
  /* start() may notice that an earlier worker has already ended (and notify::state says so
   * right there): the job cannot finish before the loop is over. */
  self->starting = TRUE;
  for (guint i = 0; i < n_workers; i++)
    {
      Worker *w = add_worker_row (self, i);

      g_ptr_array_add (self->workers, w);
      start_worker (self, w, i, n_workers);
    }
  self->starting = FALSE;
  /* The gaps are measured while the workers run: from here on (start() itself is a
   * synchronous round trip per worker, part of the elapsed time, not of the gaps). */
  self->last_tick_us = g_get_monotonic_time ();

  gtk_widget_set_sensitive (self->start_button, FALSE);
  gtk_widget_set_sensitive (self->cancel_button, TRUE);
  gtk_widget_set_sensitive (self->limit_spin, FALSE);
  gtk_widget_set_sensitive (self->workers_spin, FALSE);
  maybe_finish_job (self);   /* if every worker has already ended */
  return TRUE;
}

/* Cancel: cancels every task. The pool stops their workers (SIGTERM, SIGKILL after a short
 * grace) and each task's callback gets G_IO_ERROR_CANCELLED at once. */
void
prime_window_cancel (PrimeWindow *self)
{
  gtk_widget_set_sensitive (self->cancel_button, FALSE);
  for (guint i = 0; self->workers != NULL && i < self->workers->len; i++)
    {
      Worker *w = g_ptr_array_index (self->workers, i);

      if (w->cancellable == NULL || w->ended)
        continue;
      gtk_label_set_text (GTK_LABEL (w->state_label), "stopping…");
      g_cancellable_cancel (w->cancellable);
    }
}

static void
on_start_clicked (PrimeWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (!prime_window_start (self, &error))
    gtk_label_set_text (GTK_LABEL (self->total_label), error->message);
}

/* ---- accessors for the self-test ---- */

void
prime_window_set_job (PrimeWindow *self,
                      guint64      limit,
                      guint        n_workers)
{
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->limit_spin), (double) limit);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->workers_spin), n_workers);
}

/* From prime_window_start() until PrimeWindow::job-finished */
gboolean
prime_window_is_running (PrimeWindow *self)
{
  return self->pool != NULL;
}

/* The progress of the slowest worker, from 0 to 1 */
double
prime_window_get_min_fraction (PrimeWindow *self)
{
  double min = 1.0;

  for (guint i = 0; self->workers != NULL && i < self->workers->len; i++)
    {
      Worker *w = g_ptr_array_index (self->workers, i);

      min = MIN (min, gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (w->bar)));
    }
  return min;
}

/* The workers' pids, while the job runs (free with g_free()) */
GPid *
prime_window_get_pids (PrimeWindow *self,
                       guint       *n_pids)
{
  GPid *pids = g_new0 (GPid, self->workers != NULL ? self->workers->len + 1 : 1);

  *n_pids = 0;
  for (guint i = 0; self->workers != NULL && i < self->workers->len; i++)
    {
      Worker *w = g_ptr_array_index (self->workers, i);

      if (w->pid > 0)
        pids[(*n_pids)++] = w->pid;
    }
  return pids;
}

const PrimeJobReport *
prime_window_get_report (PrimeWindow *self)
{
  return &self->report;
}

/* The window as it is on screen, rendered by the window's own renderer into a PNG file. */
gboolean
prime_window_save_png (PrimeWindow  *self,
                       const char   *path,
                       GError      **error)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (self));

  /* What gtk_widget_snapshot() would do for a widget inside a window: the window's own
   * snapshot vfunc draws its frame, title bar and children into @snapshot. */
  GTK_WIDGET_CLASS (prime_window_parent_class)->snapshot (GTK_WIDGET (self), snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL || renderer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The window has not been drawn yet");
      return FALSE;
    }
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write %s", path);
      return FALSE;
    }
  return TRUE;
}

/* ---- construction ---- */

static GtkWidget *
labelled (GtkWidget  *grid,
          int         row,
          const char *text,
          GtkWidget  *widget)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), widget);
  gtk_grid_attach (GTK_GRID (grid), label, 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), widget, 1, row, 1, 1);
  return widget;
}

static GtkWidget *
build_controls (PrimeWindow *self)
{
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  self->limit_spin = labelled (grid, 0, "Count primes _below",
                               gtk_spin_button_new_with_range (1e5, 1e9, 1e6));
  self->workers_spin = labelled (grid, 1, "_Workers",
                                 gtk_spin_button_new_with_range (1, 16, 1));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->limit_spin), 1e7);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->workers_spin), 4);
  gtk_widget_set_hexpand (self->limit_spin, TRUE);

  self->start_button = gtk_button_new_with_mnemonic ("_Start");
  self->cancel_button = gtk_button_new_with_mnemonic ("_Cancel");
  gtk_widget_add_css_class (self->start_button, "suggested-action");
  gtk_widget_add_css_class (self->cancel_button, "destructive-action");
  gtk_widget_set_sensitive (self->cancel_button, FALSE);
  g_signal_connect_swapped (self->start_button, "clicked", G_CALLBACK (on_start_clicked), self);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (prime_window_cancel),
                            self);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (buttons), self->cancel_button);
  gtk_box_append (GTK_BOX (buttons), self->start_button);
  gtk_grid_attach (GTK_GRID (grid), buttons, 0, 2, 2, 1);
  return grid;
}

static void
prime_window_init (PrimeWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *header = gtk_header_bar_new ();
  GtkWidget *titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *title = gtk_label_new ("Prime Counter");
  GtkWidget *subtitle = gtk_label_new ("each worker is a GProcess child");

  gtk_window_set_title (GTK_WINDOW (self), "Prime Counter");
  gtk_widget_add_css_class (title, "title");
  gtk_widget_add_css_class (subtitle, "subtitle");
  gtk_widget_set_valign (titles, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (titles), title);
  gtk_box_append (GTK_BOX (titles), subtitle);
  gtk_header_bar_set_title_widget (GTK_HEADER_BAR (header), titles);
  gtk_window_set_titlebar (GTK_WINDOW (self), header);
  gtk_window_set_default_size (GTK_WINDOW (self), 720, -1);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_box_append (GTK_BOX (box), build_controls (self));

  self->worker_grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (self->worker_grid), 8);
  gtk_grid_set_column_spacing (GTK_GRID (self->worker_grid), 12);
  gtk_widget_set_margin_top (self->worker_grid, 12);
  gtk_widget_set_margin_bottom (self->worker_grid, 12);
  gtk_widget_set_margin_start (self->worker_grid, 12);
  gtk_widget_set_margin_end (self->worker_grid, 12);
  gtk_widget_set_size_request (self->worker_grid, -1, 48);
  gtk_frame_set_child (GTK_FRAME (frame), self->worker_grid);
  gtk_box_append (GTK_BOX (box), frame);

  self->total_label = gtk_label_new ("Pick a size and a number of workers, then Start.");
  self->tick_label = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (self->total_label), 0);
  gtk_label_set_xalign (GTK_LABEL (self->tick_label), 0);
  gtk_widget_add_css_class (self->total_label, "title-4");
  gtk_widget_add_css_class (self->tick_label, "dim-label");
  gtk_box_append (GTK_BOX (box), self->total_label);
  gtk_box_append (GTK_BOX (box), self->tick_label);
  gtk_window_set_child (GTK_WINDOW (self), box);
}

static void
prime_window_dispose (GObject *object)
{
  PrimeWindow *self = PRIME_WINDOW (object);

  /* Closing the window while workers run: the pool kills them and collects their ends. */
  if (self->pool != NULL)
    g_object_run_dispose (G_OBJECT (self->pool));
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_pointer (&self->workers, g_ptr_array_unref);
  G_OBJECT_CLASS (prime_window_parent_class)->dispose (object);
}

static void
prime_window_class_init (PrimeWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = prime_window_dispose;

  /* Emitted after each progress message from a worker */
  signals[SIGNAL_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
  /* Emitted when the last worker of a job has ended and its result has been read */
  signals[SIGNAL_JOB_FINISHED] = g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 0);
}

PrimeWindow *
prime_window_new (GtkApplication *app)
{
  return g_object_new (PRIME_TYPE_WINDOW, "application", app, NULL);
}
