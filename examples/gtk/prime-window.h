/* prime-window.h: the application window, which runs a job in worker children
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* How long Cancel lets a worker finish politely after SIGTERM, before SIGKILL. */
#define PRIME_STOP_GRACE_US G_TIME_SPAN_SECOND

/* What a finished job left behind; filled when PrimeWindow::job-finished is emitted. */
typedef struct
{
  guint   n_workers;
  guint   n_results;      /* workers whose get_result() gave a count */
  guint   n_stopped;      /* workers that answered SIGTERM with an error (cancelled) */
  guint   n_killed;       /* workers that ended by a signal */
  guint   n_empty;        /* workers that exited 0 but left neither a result nor an error */
  guint64 primes;         /* the sum of the results */
  guint64 limit;
  gint64  elapsed_us;     /* from the first start() to the last end */
  gint64  max_gap_us;     /* largest interval between two 16 ms ticks while the job ran */
  guint   ticks;
} PrimeJobReport;

#define PRIME_TYPE_WINDOW (prime_window_get_type ())
G_DECLARE_FINAL_TYPE (PrimeWindow, prime_window, PRIME, WINDOW, GtkApplicationWindow)

PrimeWindow          *prime_window_new          (GtkApplication *app);
void                  prime_window_set_job      (PrimeWindow    *self,
                                                 guint64         limit,
                                                 guint           n_workers);
gboolean              prime_window_start        (PrimeWindow    *self,
                                                 GError        **error);
void                  prime_window_cancel       (PrimeWindow    *self);
gboolean              prime_window_is_running   (PrimeWindow    *self);
double                prime_window_get_min_fraction (PrimeWindow *self);
GPid                 *prime_window_get_pids     (PrimeWindow    *self,
                                                 guint          *n_pids);
const PrimeJobReport *prime_window_get_report   (PrimeWindow    *self);
gboolean              prime_window_save_png     (PrimeWindow    *self,
                                                 const char     *path,
                                                 GError        **error);

G_END_DECLS
