/* self-test.c: the application drives itself, for the headless tests (meson test --suite gtk)
 *
 * The self-test presses the window's buttons through the same functions the buttons call,
 * watches PrimeWindow::progress and PrimeWindow::job-finished, checks what the window
 * reports, prints one line per check and quits with status 0 (all good) or 1.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "self-test.h"
#include "prime-worker.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* Under this, a 16 ms timeout counts as having kept firing (2 CPUs, workers on both). */
#define MAX_GAP_US (100 * G_TIME_SPAN_MILLISECOND)
#define WATCHDOG_S 120
#define WARM_UP_LIMIT 200000
#define CANCEL_LIMIT 1000000000

typedef struct
{
  PrimeWindow  *window;
  SelfTestMode  mode;
  guint64       limit;
  guint         n_workers;
  char         *screenshot;
  int          *exit_status;
  gboolean      failed;
  gboolean      skipped;
  gboolean      warmed_up;     /* cancel: the first, short job is over */
  gboolean      cancelled;
  GPtrArray    *fds_before;    /* cancel: /proc/self/fd after the warm-up */
  GArray       *children_before;
  GPid         *pids;          /* cancel: the workers that were cancelled */
  guint         n_pids;
  guint         watchdog_id;
  guint         baseline_id;   /* responsive: the idle main loop, before the job */
  gint64        baseline_start_us;
  gint64        baseline_last_us;
  gint64        baseline_max_gap_us;
  guint         baseline_ticks;
  gboolean      screenshot_pending;
  gboolean      quit_requested;
} SelfTest;

static void
check (SelfTest   *t,
       gboolean    ok,
       const char *format,
       ...) G_GNUC_PRINTF (3, 4);

static void
check (SelfTest   *t,
       gboolean    ok,
       const char *format,
       ...)
{
  va_list args;

  va_start (args, format);
  printf ("%s: ", ok ? "ok" : "FAILED");
  vprintf (format, args);
  printf ("\n");
  fflush (stdout);
  va_end (args);
  t->failed |= !ok;
}

static void
quit (SelfTest *t)
{
  if (t->screenshot_pending && t->screenshot != NULL)
    {
      t->quit_requested = TRUE;   /* once the screenshot is written */
      return;
    }
  *t->exit_status = t->failed ? 1 : t->skipped ? 77 : 0;   /* 77: skipped, for meson */
  gtk_window_destroy (GTK_WINDOW (t->window));
}

/* "fd -> target" for every descriptor of this process, sorted */
static GPtrArray *
list_fds (void)
{
  GPtrArray *fds = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (target == NULL || g_str_has_prefix (target, "/proc/"))   /* the GDir itself */
        continue;
      /* The fork server's warm children are announced to the application with their pidfds,
       * and refilled whenever the server is idle: how many are announced at a given moment
       * depends on timing. They are checked apart (count_pidfds ()). */
      if (g_str_equal (target, "anon_inode:[pidfd]"))
        continue;
      g_ptr_array_add (fds, g_strdup_printf ("%s -> %s", name, target));
    }
  g_ptr_array_sort (fds, (GCompareFunc) (void (*) (void)) g_strcmp0);
  return fds;
}

/* The pidfds this process holds */
static guint
count_pidfds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      n += g_strcmp0 (target, "anon_inode:[pidfd]") == 0;
    }
  return n;
}

/* The pids in /proc/self/task/<tid>/children: every live or zombie child of this process */
static GArray *
list_children (void)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", tid, "children", NULL);
      g_autofree char *contents = NULL;
      g_auto(GStrv) fields = NULL;

      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      fields = g_strsplit_set (g_strstrip (contents), " ", -1);
      for (guint i = 0; fields[i] != NULL; i++)
        if (*fields[i] != '\0')
          {
            GPid pid = atoi (fields[i]);

            g_array_append_val (pids, pid);
          }
    }
  return pids;
}

static gboolean
pid_in (GArray *pids,
        GPid    pid)
{
  for (guint i = 0; i < pids->len; i++)
    if (g_array_index (pids, GPid, i) == pid)
      return TRUE;
  return FALSE;
}

static char *
describe_difference (GPtrArray *before,
                     GPtrArray *after)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < after->len; i++)
    if (!g_ptr_array_find_with_equal_func (before, after->pdata[i], g_str_equal, NULL))
      g_string_append_printf (s, " +[%s]", (char *) after->pdata[i]);
  for (guint i = 0; i < before->len; i++)
    if (!g_ptr_array_find_with_equal_func (after, before->pdata[i], g_str_equal, NULL))
      g_string_append_printf (s, " -[%s]", (char *) before->pdata[i]);
  return g_string_free (s, FALSE);
}

/* After the cancelled job: the workers are gone, reaped, and took no descriptor with them. */
static gboolean
check_nothing_left (gpointer data)
{
  SelfTest *t = data;
  g_autoptr(GPtrArray) fds = list_fds ();
  g_autoptr(GArray) children = list_children ();
  g_autofree char *fd_diff = describe_difference (t->fds_before, fds);
  GList *active = g_process_get_active_children ();
  siginfo_t info = { 0 };
  int r, saved_errno;
  guint left = 0, n_pidfds;

  for (guint i = 0; i < t->n_pids; i++)
    left += pid_in (children, t->pids[i]);
  check (t, left == 0, "none of the %u cancelled workers is still a child (alive or zombie)",
         t->n_pids);
  check (t, children->len == t->children_before->len,
         "as many children as before the job: %u (the fork server, if any)", children->len);

  r = waitid (P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
  saved_errno = errno;
  check (t, (r == 0 && info.si_pid == 0) || (r < 0 && saved_errno == ECHILD),
         "no zombie: waitid(P_ALL, WNOHANG|WNOWAIT) gives %s",
         r < 0 ? g_strerror (saved_errno) : info.si_pid == 0 ? "no waitable child" : "a zombie");
  check (t, active == NULL, "g_process_get_active_children() is empty");
  check (t, fds->len == t->fds_before->len && *fd_diff == '\0',
         "the same %u descriptors as before the job%s (pidfds apart)", fds->len, fd_diff);
  n_pidfds = count_pidfds ();
  check (t, n_pidfds <= children->len,
         "no pidfd of a child that is gone: %u pidfds for %u children (the fork server's warm "
         "children)", n_pidfds, children->len);

  g_list_free_full (active, g_object_unref);
  quit (t);
  return G_SOURCE_REMOVE;
}

/* Every worker exited 0 and yet left nothing: the results did not cross the start method. */
static gboolean
results_lost (SelfTest *t)
{
  const PrimeJobReport *r = prime_window_get_report (t->window);

  if (r->n_empty < r->n_workers ||
      g_process_get_start_method () != G_PROCESS_START_METHOD_FORKSERVER)
    return FALSE;
  printf ("SKIP: all %u workers exited 0 but get_result() gives neither a value nor an error: "
          "this build of GProcess does not carry results back from fork-server children\n",
          r->n_workers);
  t->skipped = TRUE;
  return TRUE;
}

static gboolean
skip_if_no_results_cross (SelfTest *t)
{
  if (!results_lost (t))
    return FALSE;
  quit (t);
  return TRUE;
}

static void
check_results (SelfTest *t)
{
  const PrimeJobReport *r = prime_window_get_report (t->window);
  guint64 expected = prime_count_below (r->limit);

  check (t, r->n_results == r->n_workers, "%u of %u workers gave a result", r->n_results,
         r->n_workers);
  check (t, r->primes == expected, "%" G_GUINT64_FORMAT " primes below %" G_GUINT64_FORMAT
         " (a sieve in the application says %" G_GUINT64_FORMAT ") in %.2f s",
         r->primes, r->limit, expected, r->elapsed_us / 1e6);
}

static void
on_after_paint (GdkFrameClock *clock,
                SelfTest      *t)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = prime_window_save_png (t->window, t->screenshot, &error);

  check (t, ok, "screenshot rendered by the window into %s%s%s", t->screenshot,
         ok ? "" : ": ", ok ? "" : error->message);
  g_clear_pointer (&t->screenshot, g_free);
  g_signal_handlers_disconnect_by_func (clock, on_after_paint, t);
  if (t->quit_requested)
    quit (t);
}

/* The window is rendered again once the frame being prepared has been laid out and painted. */
static void
take_screenshot (SelfTest *t)
{
  if (t->screenshot_pending)
    return;
  t->screenshot_pending = TRUE;
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (t->window)), "after-paint",
                    G_CALLBACK (on_after_paint), t);
  gtk_widget_queue_draw (GTK_WIDGET (t->window));
}

static void
on_progress (PrimeWindow *window,
             SelfTest    *t)
{
  if (t->screenshot != NULL && prime_window_get_min_fraction (window) >= 0.4)
    take_screenshot (t);

  /* Cancel once every worker is running and has reported. */
  if (t->mode == SELF_TEST_CANCEL && t->warmed_up && !t->cancelled &&
      prime_window_get_min_fraction (window) > 0)
    {
      t->cancelled = TRUE;
      t->pids = prime_window_get_pids (window, &t->n_pids);
      prime_window_cancel (window);
    }
}

static void
start_job (SelfTest *t,
           guint64   limit)
{
  g_autoptr(GError) error = NULL;

  prime_window_set_job (t->window, limit, t->n_workers);
  if (!prime_window_start (t->window, &error))
    {
      check (t, FALSE, "start: %s", error->message);
      quit (t);
    }
}

static void
on_job_finished (PrimeWindow *window,
                 SelfTest    *t)
{
  const PrimeJobReport *r = prime_window_get_report (window);

  if (t->screenshot != NULL)
    take_screenshot (t);

  switch (t->mode)
    {
    case SELF_TEST_COMPLETE:
      if (skip_if_no_results_cross (t))
        break;
      check_results (t);
      check (t, r->n_killed == 0, "no worker was killed");
      quit (t);
      break;

    case SELF_TEST_RESPONSIVE:
      if (skip_if_no_results_cross (t))
        break;
      check_results (t);
      {
        struct rusage usage;

        getrusage (RUSAGE_SELF, &usage);
        printf ("the application itself used %.2f s of CPU (user %.2f, system %.2f)\n",
                usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
                usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6,
                usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6,
                usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6);
      }
      check (t, r->max_gap_us < MAX_GAP_US && r->ticks > 0,
             "while %u workers burnt CPU for %.2f s the 16 ms timeout fired %u times, "
             "largest gap %.1f ms (limit %.0f ms)", r->n_workers, r->elapsed_us / 1e6,
             r->ticks, r->max_gap_us / 1e3, MAX_GAP_US / 1e3);
      quit (t);
      break;

    case SELF_TEST_CANCEL:
      if (!t->warmed_up)
        {
          /* The warm-up job opened what GTK opens lazily; from now on nothing may change. */
          t->warmed_up = TRUE;
          if (!results_lost (t))   /* then the cancel is still checked */
            check_results (t);
          t->fds_before = list_fds ();
          t->children_before = list_children ();
          start_job (t, t->limit);
          break;
        }
      check (t, r->n_results == 0 &&
             r->n_stopped + r->n_killed + (t->skipped ? r->n_empty : 0) == r->n_workers,
             "cancelled after %.2f s: %u workers stopped politely, %u killed%s",
             r->elapsed_us / 1e6, t->skipped ? r->n_empty : r->n_stopped, r->n_killed,
             t->skipped ? " (exit code 0, their errors lost)" : "");
      /* The objects are closed once this emission is over: look then. */
      g_idle_add (check_nothing_left, t);
      break;
    }
}

static gboolean
on_watchdog (gpointer data)
{
  SelfTest *t = data;

  t->watchdog_id = 0;
  check (t, FALSE, "the self-test did not end within %d s", WATCHDOG_S);
  quit (t);
  return G_SOURCE_REMOVE;
}

/* responsive: the same 16 ms timeout for one second with no worker running, to tell a
 * machine too loaded to measure anything (then the test is skipped) from a slow application */
static gboolean
on_baseline_tick (gpointer data)
{
  SelfTest *t = data;
  gint64 now = g_get_monotonic_time ();

  t->baseline_max_gap_us = MAX (t->baseline_max_gap_us, now - t->baseline_last_us);
  t->baseline_last_us = now;
  t->baseline_ticks++;
  if (now - t->baseline_start_us < G_TIME_SPAN_SECOND)
    return G_SOURCE_CONTINUE;

  t->baseline_id = 0;
  printf ("baseline, no worker running: the 16 ms timeout fired %u times in %.2f s, "
          "largest gap %.1f ms\n", t->baseline_ticks, (now - t->baseline_start_us) / 1e6,
          t->baseline_max_gap_us / 1e3);
  if (t->baseline_max_gap_us >= MAX_GAP_US)
    {
      printf ("SKIP: this machine is too loaded to measure: the idle main loop already misses "
              "the %.0f ms limit\n", MAX_GAP_US / 1e3);
      t->skipped = TRUE;
      quit (t);
      return G_SOURCE_REMOVE;
    }
  start_job (t, t->limit);
  return G_SOURCE_REMOVE;
}

static void
begin (SelfTest *t)
{
  if (t->mode == SELF_TEST_RESPONSIVE)
    {
      t->baseline_start_us = t->baseline_last_us = g_get_monotonic_time ();
      t->baseline_id = g_timeout_add (16, on_baseline_tick, t);
      return;
    }
  start_job (t, t->mode == SELF_TEST_CANCEL ? WARM_UP_LIMIT : t->limit);
}

static void
self_test_free (gpointer data)
{
  SelfTest *t = data;

  g_clear_handle_id (&t->watchdog_id, g_source_remove);
  g_clear_handle_id (&t->baseline_id, g_source_remove);
  g_clear_pointer (&t->fds_before, g_ptr_array_unref);
  g_clear_pointer (&t->children_before, g_array_unref);
  g_free (t->pids);
  g_free (t->screenshot);
  g_free (t);
}

gboolean
self_test_parse_mode (const char   *name,
                      SelfTestMode *mode)
{
  static const char * const names[] = { "complete", "cancel", "responsive" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *mode = (SelfTestMode) i;
        return TRUE;
      }
  return FALSE;
}

void
self_test_run (PrimeWindow  *window,
               SelfTestMode  mode,
               guint64       limit,
               guint         n_workers,
               const char   *screenshot,
               int          *exit_status)
{
  SelfTest *t = g_new0 (SelfTest, 1);

  t->window = window;
  t->mode = mode;
  t->limit = mode == SELF_TEST_CANCEL ? CANCEL_LIMIT : limit;
  t->n_workers = n_workers;
  t->screenshot = g_strdup (screenshot);
  t->exit_status = exit_status;
  *exit_status = 1;
  g_object_set_data_full (G_OBJECT (window), "self-test", t, self_test_free);
  g_signal_connect (window, "progress", G_CALLBACK (on_progress), t);
  g_signal_connect (window, "job-finished", G_CALLBACK (on_job_finished), t);
  t->watchdog_id = g_timeout_add_seconds (WATCHDOG_S, on_watchdog, t);
  /* Start once the window is on screen. */
  g_signal_connect_swapped (window, "map", G_CALLBACK (begin), t);
}
