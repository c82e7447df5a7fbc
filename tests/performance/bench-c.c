/* bench-c.c: GProcessObject against raw fork()+waitpid(), posix_spawn and GSubprocess
 *
 * Every row is measured in blocks interleaved with blocks of the raw fork()+_exit()+waitpid()
 * baseline, in the same run, and reported as median, p90 and the ratio of medians. With
 * BENCH_PIN=1 (the default) the process and its children are pinned to one CPU (the first
 * one it may run on: `taskset -c 1` chooses it): cross-CPU wake-ups on these VMs add
 * 100-300 us at random.
 *
 * Output: one tab-separated line per row: name, median_us, p90_us, baseline_median_us, ratio,
 * and for timed rows the minor page faults per operation: child and parent of the row, child
 * and parent of its baseline (getrusage(); a fault costs the same on every row of a machine,
 * their number does not depend on the machine).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gprocess/gprocess.h>

#include "bench-common.h"

extern char **environ;

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
quantile (GArray *samples, double q)
{
  g_array_sort (samples, cmp_double);
  return g_array_index (samples, double, (guint) (q * (samples->len - 1)));
}

/* Minor page faults per operation, of this process and of its reaped children */
typedef struct
{
  long self, children;
  int n;
} Faults;

static void
faults_begin (Faults *f)
{
  struct rusage s, c;

  getrusage (RUSAGE_SELF, &s);
  getrusage (RUSAGE_CHILDREN, &c);
  f->self -= s.ru_minflt;
  f->children -= c.ru_minflt;
}

static void
faults_end (Faults *f,
            int     n)
{
  struct rusage s, c;

  getrusage (RUSAGE_SELF, &s);
  getrusage (RUSAGE_CHILDREN, &c);
  f->self += s.ru_minflt;
  f->children += c.ru_minflt;
  f->n += n;
}

static Faults no_faults;

/* name, median, p90, baseline median, ratio, then the faults per operation: child and parent
 * of the row, child and parent of the baseline */
static void
report_faults (const char *name, GArray *samples, GArray *baseline, const Faults *f, const Faults *bf)
{
  double median = quantile (samples, 0.5);
  double p90 = quantile (samples, 0.9);
  double base = baseline ? quantile (baseline, 0.5) : 0;

  printf ("%s\t%.1f\t%.1f\t%.1f\t%.3f\t%.2f\t%.2f\t%.2f\t%.2f\n", name, median, p90, base,
          base > 0 ? median / base : 0,
          f->n ? (double) f->children / f->n : -1, f->n ? (double) f->self / f->n : -1,
          bf->n ? (double) bf->children / bf->n : -1, bf->n ? (double) bf->self / bf->n : -1);
  fflush (stdout);
}

static void
report (const char *name, GArray *samples, GArray *baseline)
{
  report_faults (name, samples, baseline, &no_faults, &no_faults);
}

/* ---------------------------------------------------------------------------------------- */
/* One round trip of each method; each returns its elapsed time in microseconds              */

static void
nothing (GProcessObject *p, gpointer d)
{
}

static double
raw_round_trip (void)
{
  double t0 = bench_now_us ();
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    _exit (0);
  waitpid (pid, &status, 0);
  return bench_now_us () - t0;
}

static double
gprocess_round_trip (void)
{
  double t0 = bench_now_us ();
  GProcessObject *p = g_process_object_new_with_target (nothing, NULL, NULL);

  g_process_object_start (p, NULL);
  g_process_object_join (p, -1, NULL, NULL);
  g_object_unref (p);
  return bench_now_us () - t0;
}

static void
on_joined (GObject *source, GAsyncResult *result, gpointer done)
{
  g_process_object_join_finish (G_PROCESS_OBJECT (source), result, NULL);
  *(gboolean *) done = TRUE;
}

static GMainContext *bench_context;

static double
gprocess_async_round_trip (void)
{
  double t0 = bench_now_us ();
  GProcessObject *p = g_process_object_new_with_target (nothing, NULL, NULL);
  gboolean done = FALSE;

  g_process_object_start (p, NULL);
  g_process_object_join_async (p, NULL, on_joined, &done);
  while (!done)
    g_main_context_iteration (bench_context, TRUE);
  g_object_unref (p);
  return bench_now_us () - t0;
}

static double
posix_spawn_round_trip (void)
{
  double t0 = bench_now_us ();
  char *argv[] = { "/bin/true", NULL };
  pid_t pid;
  int status;

  posix_spawn (&pid, "/bin/true", NULL, NULL, argv, environ);
  waitpid (pid, &status, 0);
  return bench_now_us () - t0;
}

static double
gsubprocess_round_trip (void)
{
  double t0 = bench_now_us ();
  GSubprocess *sp = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, NULL, "/bin/true", NULL);

  g_subprocess_wait (sp, NULL, NULL);
  g_object_unref (sp);
  return bench_now_us () - t0;
}

/* start() alone, and how soon the child runs: the child stamps a shared page */
static volatile double *shared_stamp;

static double child_runs_value;

static void
stamp_target (GProcessObject *p, gpointer d)
{
  *shared_stamp = bench_now_us ();
}

static double
raw_start_only (void)
{
  double t0 = bench_now_us (), t1;
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    {
      *shared_stamp = bench_now_us ();
      _exit (0);
    }
  t1 = bench_now_us ();
  waitpid (pid, &status, 0);
  child_runs_value = *shared_stamp - t0;
  return t1 - t0;
}

static double
gprocess_start_only (void)
{
  GProcessObject *p = g_process_object_new_with_target (stamp_target, NULL, NULL);
  double t0 = bench_now_us (), t1;

  g_process_object_start (p, NULL);
  t1 = bench_now_us ();
  g_process_object_join (p, -1, NULL, NULL);
  child_runs_value = *shared_stamp - t0;
  g_object_unref (p);
  return t1 - t0;
}

/* Join wake-up: from the child's last instruction to the parent's wait returning */
static double
raw_wakeup (void)
{
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    {
      *shared_stamp = bench_now_us ();
      _exit (0);
    }
  waitpid (pid, &status, 0);
  return bench_now_us () - *shared_stamp;
}

static double
gprocess_wakeup (void)
{
  GProcessObject *p = g_process_object_new_with_target (stamp_target, NULL, NULL);
  double t1;

  g_process_object_start (p, NULL);
  g_process_object_join (p, -1, NULL, NULL);
  t1 = bench_now_us ();
  g_object_unref (p);
  return t1 - *shared_stamp;
}

typedef double (*Method) (void);

/* Interleaved blocks: baseline, method, baseline, method, … */
static void
compare (const char *name, Method method, Method baseline_method, int blocks, int per_block,
         GArray *baseline_out, double *extra_value, GArray *extra_out, GArray *extra_base_out)
{
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *baseline = g_array_new (FALSE, FALSE, sizeof (double));
  Faults f = { 0 }, bf = { 0 };

  for (int b = 0; b < blocks; b++)
    {
      faults_begin (&bf);
      for (int i = 0; i < per_block; i++)
        {
          double v = baseline_method ();
          g_array_append_val (baseline, v);
          if (extra_base_out)
            g_array_append_val (extra_base_out, *extra_value);
        }
      faults_end (&bf, per_block);
      faults_begin (&f);
      for (int i = 0; i < per_block; i++)
        {
          double v = method ();
          g_array_append_val (samples, v);
          if (extra_out)
            g_array_append_val (extra_out, *extra_value);
        }
      faults_end (&f, per_block);
    }
  report_faults (name, samples, baseline, &f, &bf);
  if (baseline_out)
    g_array_append_vals (baseline_out, baseline->data, baseline->len);
  g_array_unref (samples);
  g_array_unref (baseline);
}

/* N children alive at once: start all, then join all; cost per child */
static double
raw_many (int n)
{
  pid_t *pids = g_new (pid_t, n);
  double t0 = bench_now_us ();
  int status;

  for (int i = 0; i < n; i++)
    if ((pids[i] = fork ()) == 0)
      _exit (0);
  for (int i = 0; i < n; i++)
    waitpid (pids[i], &status, 0);
  g_free (pids);
  return (bench_now_us () - t0) / n;
}

static double
gprocess_many_with (int                 n,
                    GProcessStartMethod method)
{
  GProcessObject **procs = g_new (GProcessObject *, n);
  double t0 = bench_now_us ();

  for (int i = 0; i < n; i++)
    {
      procs[i] = g_process_object_new_with_target (nothing, NULL, NULL);
      g_process_object_set_start_method (procs[i], method);
      g_process_object_start (procs[i], NULL);
    }
  for (int i = 0; i < n; i++)
    {
      g_process_object_join (procs[i], -1, NULL, NULL);
      g_object_unref (procs[i]);
    }
  g_free (procs);
  return (bench_now_us () - t0) / n;
}

static double
gprocess_many (int n)
{
  return gprocess_many_with (n, G_PROCESS_START_METHOD_FORK);
}

/* The same children made by the fork server (warm children as configured): the server stays
 * small, so a later child's fork does not copy what the parent allocated for earlier ones */
static double
gprocess_many_forkserver (int n)
{
  return gprocess_many_with (n, G_PROCESS_START_METHOD_FORKSERVER);
}

/* The floor experiments for N live children: the bare pidfd prototype plus, one at a time,
 * what the library adds per child. "epoll": each pidfd registered in one epoll instance
 * (EPOLLONESHOT, as the reaper does), the wait through it. "alloc": a per-child record of
 * @record_size bytes allocated in the parent and written after the child's fork, as an
 * object and its index entries are: every later fork copies (and every later write faults)
 * the pages they fill. */
static double
pidfd_many_with (int      n,
                 gboolean with_epoll,
                 gsize    record_size)
{
  int *fds = g_new (int, n);
  char **records = g_new0 (char *, n);
  int ep = with_epoll ? epoll_create1 (EPOLL_CLOEXEC) : -1;
  double t0 = bench_now_us ();

  for (int i = 0; i < n; i++)
    {
      pid_t pid;

      if (record_size > 0)
        records[i] = g_malloc (record_size);
      pid = fork ();
      if (pid == 0)
        _exit (0);
      fds[i] = (int) syscall (SYS_pidfd_open, pid, 0);
      if (record_size > 0)
        memset (records[i], i, record_size);   /* written after the fork */
      if (with_epoll)
        {
          struct epoll_event ev = { EPOLLIN | EPOLLONESHOT, { .u32 = (guint32) i } };

          epoll_ctl (ep, EPOLL_CTL_ADD, fds[i], &ev);
        }
    }
  for (int i = 0; i < n; i++)
    {
      struct pollfd pfd = { fds[i], POLLIN, 0 };
      siginfo_t info;

      ppoll (&pfd, 1, NULL, NULL);
      syscall (SYS_waitid, 3 /* P_PIDFD */, fds[i], &info, WEXITED, NULL);
      if (with_epoll)
        epoll_ctl (ep, EPOLL_CTL_DEL, fds[i], NULL);
      close (fds[i]);
      g_free (records[i]);
    }
  if (ep >= 0)
    close (ep);
  g_free (records);
  g_free (fds);
  return (bench_now_us () - t0) / n;
}

static double
pidfd_epoll_many (int n)
{
  return pidfd_many_with (n, TRUE, 0);
}

/* About what GProcess allocates per child in the parent (the object and its private part,
 * its strings, its index entries): see memory-per-live-child-bytes */
#define FLOOR_RECORD_SIZE 512

static double
pidfd_epoll_alloc_many (int n)
{
  return pidfd_many_with (n, TRUE, FLOOR_RECORD_SIZE);
}

/* The bare pidfd prototype, no library: one pidfd per child (fork + pidfd_open), then for
 * each: ppoll + waitid (P_PIDFD) + close. The floor of one pidfd per live child. */
static double
pidfd_many (int n)
{
  int *fds = g_new (int, n);
  double t0 = bench_now_us ();

  for (int i = 0; i < n; i++)
    {
      pid_t pid = fork ();

      if (pid == 0)
        _exit (0);
      fds[i] = (int) syscall (SYS_pidfd_open, pid, 0);
    }
  for (int i = 0; i < n; i++)
    {
      struct pollfd pfd = { fds[i], POLLIN, 0 };
      siginfo_t info;

      ppoll (&pfd, 1, NULL, NULL);
      syscall (SYS_waitid, 3 /* P_PIDFD */, fds[i], &info, WEXITED, NULL);
      close (fds[i]);
    }
  g_free (fds);
  return (bench_now_us () - t0) / n;
}

/* GLib's own floor: a minimal GObject with one property, created, notified and finalized
 * around a raw fork, with no GProcess code at all */
typedef struct { GObject parent; int value; } FloorObject;
typedef struct { GObjectClass parent_class; } FloorObjectClass;
static GType floor_object_get_type (void);
G_DEFINE_TYPE (FloorObject, floor_object, G_TYPE_OBJECT)
static GParamSpec *floor_value_pspec;

static void
floor_object_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  g_value_set_int (value, ((FloorObject *) object)->value);
}

static void
floor_object_class_init (FloorObjectClass *klass)
{
  G_OBJECT_CLASS (klass)->get_property = floor_object_get_property;
  floor_value_pspec = g_param_spec_int ("value", NULL, NULL, 0, G_MAXINT, 0,
                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property (G_OBJECT_CLASS (klass), 1, floor_value_pspec);
}

static void
floor_object_init (FloorObject *self)
{
}

static double
gobject_floor_round_trip (void)
{
  double t0 = bench_now_us ();
  FloorObject *object = g_object_new (floor_object_get_type (), NULL);
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    _exit (0);
  object->value = pid;
  g_object_notify_by_pspec (G_OBJECT (object), floor_value_pspec);
  waitpid (pid, &status, 0);
  g_object_unref (object);
  return bench_now_us () - t0;
}

static double
cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* What one copy-on-write fault costs on this machine: the parent writes one byte per page of
 * a 16 MiB block while a child shares it (each write is a fault and a copy), against the same
 * writes once the pages are its own again. Reported in us of CPU time per fault (CPU time, so
 * that other processes of a loaded machine do not count). */
static void
fault_cost (void)
{
  const gsize n_pages = 4096, page = 4096;
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *baseline = g_array_new (FALSE, FALSE, sizeof (double));
  char *block = mmap (NULL, n_pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  memset (block, 1, n_pages * page);
  for (int r = 0; r < 10; r++)
    {
      int go[2];
      pid_t pid;
      double t0, v;
      int status;

      g_assert (pipe (go) == 0);
      pid = fork ();
      if (pid == 0)
        {
          char c;

          close (go[1]);
          while (read (go[0], &c, 1) < 0)
            ;
          _exit (0);
        }
      close (go[0]);
      t0 = cpu_us ();
      for (gsize i = 0; i < n_pages; i++)
        block[i * page]++;
      v = (cpu_us () - t0) / n_pages;
      g_array_append_val (samples, v);
      t0 = cpu_us ();
      for (gsize i = 0; i < n_pages; i++)
        block[i * page]++;
      v = (cpu_us () - t0) / n_pages;
      g_array_append_val (baseline, v);
      close (go[1]);
      waitpid (pid, &status, 0);
    }
  printf ("fault-cost-us\t%.2f\t%.2f\t%.3f\t0\n", quantile (samples, 0.5), quantile (samples, 0.9),
          quantile (baseline, 0.5));
  fflush (stdout);
  munmap (block, n_pages * page);
  g_array_unref (samples);
  g_array_unref (baseline);
}

static int
count_fds (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  struct dirent *e;
  int n = 0;

  while ((e = readdir (dir)) != NULL)
    n += e->d_name[0] != '.';
  closedir (dir);
  return n;
}

static int release_write_fd = -1;

/* Blocks until the parent closes the pipe (the child closes its inherited write end first) */
static void
wait_for_release (GProcessObject *p, gpointer fd)
{
  char c;

  close (release_write_fd);
  while (read (GPOINTER_TO_INT (fd), &c, 1) < 0)
    ;
}

/* Parent memory (heap in use) and descriptors per live child */
static void
per_child_resources (int n)
{
  GProcessObject **procs = g_new (GProcessObject *, n);
  struct mallinfo2 before, after;
  int fds_before, fds_after;
  int release[2];

  g_assert (pipe (release) == 0);
  release_write_fd = release[1];
  /* warm up */
  procs[0] = g_process_object_new_with_target (nothing, NULL, NULL);
  g_process_object_start (procs[0], NULL);
  g_process_object_join (procs[0], -1, NULL, NULL);
  g_object_unref (procs[0]);

  fds_before = count_fds ();
  before = mallinfo2 ();
  for (int i = 0; i < n; i++)
    {
      procs[i] = g_process_object_new_with_target (wait_for_release, GINT_TO_POINTER (release[0]), NULL);
      g_process_object_start (procs[i], NULL);
    }
  after = mallinfo2 ();
  fds_after = count_fds ();
  printf ("memory-per-live-child-bytes\t%.0f\t0\t0\t0\n", (double) (after.uordblks - before.uordblks) / n);
  printf ("fds-per-live-child\t%.2f\t0\t0\t0\n", (double) (fds_after - fds_before) / n);
  fflush (stdout);
  close (release[1]);
  for (int i = 0; i < n; i++)
    {
      g_process_object_join (procs[i], -1, NULL, NULL);
      g_object_unref (procs[i]);
    }
  close (release[0]);
  g_free (procs);
}

/* Wake-ups of a main loop between start() and the child's end */
static void
sleep_a_while (GProcessObject *p, gpointer d)
{
  struct timespec ts = { 0, 200 * 1000 * 1000 };

  nanosleep (&ts, NULL);
}

static void
on_state (GProcessObject *p, GParamSpec *pspec, gboolean *stopped)
{
  if (g_process_object_get_state (p) == G_PROCESS_STATE_STOPPED)
    *stopped = TRUE;
}

static void
main_loop_wakeups (void)
{
  GProcessObject *p = g_process_object_new_with_target (sleep_a_while, NULL, NULL);
  gboolean stopped = FALSE;
  int iterations = 0;

  g_signal_connect (p, "notify::state", G_CALLBACK (on_state), &stopped);
  g_process_object_start (p, NULL);
  while (g_main_context_iteration (bench_context, FALSE))
    ;  /* what start() itself made ready (its wake-up) is not counted */
  while (!stopped)
    {
      g_main_context_iteration (bench_context, TRUE);
      iterations++;
    }
  /* The last iteration is the child's end */
  printf ("main-loop-wakeups-while-child-runs\t%d\t0\t0\t0\n", iterations - 1);
  g_object_unref (p);
}

static void
touch_memory (gsize mib)
{
  static char *block;
  static gsize have;

  if (mib <= have)
    return;
  block = realloc (block, mib << 20);
  memset (block, 1, mib << 20);
  have = mib;
}

static void
live_children (int scale)
{
  /* N live children: against the bare pidfd prototype (the target) and raw fork (reported:
   * bounded by the copy of the descriptor table) */
  for (int n = 10; n <= 1000; n *= 10)
    {
      GArray *samples = g_array_new (FALSE, FALSE, sizeof (double));
      GArray *proto = g_array_new (FALSE, FALSE, sizeof (double));
      GArray *raw = g_array_new (FALSE, FALSE, sizeof (double));
      Faults f = { 0 }, pf = { 0 }, rf = { 0 };
      int reps = n == 1000 ? 3 * scale : 10 * scale;
      char *name;

      for (int r = 0; r < reps; r++)
        {
          double v;

          faults_begin (&rf);
          v = raw_many (n);
          faults_end (&rf, n);
          g_array_append_val (raw, v);
          faults_begin (&pf);
          v = pidfd_many (n);
          faults_end (&pf, n);
          g_array_append_val (proto, v);
          faults_begin (&f);
          v = gprocess_many (n);
          faults_end (&f, n);
          g_array_append_val (samples, v);
        }
      name = g_strdup_printf ("live-children-%d-per-child", n);
      report_faults (name, samples, proto, &f, &pf);
      g_free (name);
      name = g_strdup_printf ("live-children-%d-per-child-vs-raw-fork", n);
      report_faults (name, samples, raw, &f, &rf);
      g_free (name);
      if (n == 1000)
        {
          /* The floor experiments (issue 21, item 4), against the same prototype samples */
          static const struct { const char *name; double (*func) (int); } floors[] = {
            { "live-children-1000-floor-pidfd+epoll", pidfd_epoll_many },
            { "live-children-1000-floor-pidfd+epoll+512B-record", pidfd_epoll_alloc_many },
            { "live-children-1000-per-child-forkserver", gprocess_many_forkserver },
          };

          for (guint k = 0; k < G_N_ELEMENTS (floors); k++)
            {
              GArray *v_samples = g_array_new (FALSE, FALSE, sizeof (double));
              Faults vf = { 0 };

              for (int r = 0; r < reps; r++)
                {
                  double v;

                  faults_begin (&vf);
                  v = floors[k].func (n);
                  faults_end (&vf, n);
                  g_array_append_val (v_samples, v);
                }
              report_faults (floors[k].name, v_samples, proto, &vf, &pf);
              g_array_unref (v_samples);
            }
        }
      g_array_unref (samples);
      g_array_unref (proto);
      g_array_unref (raw);
    }
}

int
main (int argc, char *argv[])
{
  const char *pin = g_getenv ("BENCH_PIN");
  int scale = g_getenv ("BENCH_QUICK") ? 1 : 4;
  GArray *extra = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *extra_base = g_array_new (FALSE, FALSE, sizeof (double));

  if (pin == NULL || pin[0] != '0')
    {
      /* The first CPU this process may run on: `taskset -c 1 bench-c` runs on CPU 1 */
      bench_pin_to_one_cpu ();
    }

  shared_stamp = mmap (NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  bench_context = g_main_context_new ();
  g_main_context_push_thread_default (bench_context);

  /* Resources, in a fresh process (run with G_SLICE=always-malloc so that every allocation
   * is seen by mallinfo2()) */
  if (argc > 1 && g_str_equal (argv[1], "resources"))
    {
      per_child_resources (1000);
      main_loop_wakeups ();
      return 0;
    }

  /* The live-children rows alone, with the floor experiments */
  if (argc > 1 && g_str_equal (argv[1], "live-children"))
    {
      live_children (g_getenv ("BENCH_QUICK") ? 1 : 4);
      return 0;
    }

  if (argc > 1 && g_str_equal (argv[1], "fault-cost"))
    {
      fault_cost ();
      return 0;
    }

  /* warm-up */
  for (int i = 0; i < 50; i++)
    {
      raw_round_trip ();
      gprocess_round_trip ();
    }

  compare ("roundtrip-gprocess-join", gprocess_round_trip, raw_round_trip, 10 * scale, 25, NULL, NULL, NULL, NULL);
  compare ("roundtrip-gprocess-join-async", gprocess_async_round_trip, raw_round_trip, 10 * scale, 25, NULL, NULL, NULL, NULL);
  compare ("roundtrip-posix-spawn-true", posix_spawn_round_trip, raw_round_trip, 5 * scale, 10, NULL, NULL, NULL, NULL);
  compare ("roundtrip-gsubprocess-true", gsubprocess_round_trip, raw_round_trip, 5 * scale, 10, NULL, NULL, NULL, NULL);

  compare ("start-only", gprocess_start_only, raw_start_only, 10 * scale, 25, NULL, &child_runs_value, extra, extra_base);
  report ("target-runs-after-start", extra, extra_base);
  compare ("join-wakeup", gprocess_wakeup, raw_wakeup, 10 * scale, 25, NULL, NULL, NULL, NULL);

  compare ("glib-floor-fork-plus-gobject", gobject_floor_round_trip, raw_round_trip, 5 * scale, 25, NULL, NULL, NULL, NULL);

  live_children (scale);

  {
    gsize sizes[] = { 10, 256, 1024 };

    for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        char *name;
        int per_block = sizes[s] >= 1024 ? 2 : 5;

        touch_memory (sizes[s]);
        name = g_strdup_printf ("parent-%zuMiB-roundtrip-gprocess", sizes[s]);
        compare (name, gprocess_round_trip, raw_round_trip, 2 * scale, per_block, NULL, NULL, NULL, NULL);
        g_free (name);
        name = g_strdup_printf ("parent-%zuMiB-roundtrip-posix-spawn", sizes[s]);
        compare (name, posix_spawn_round_trip, raw_round_trip, 2 * scale, per_block, NULL, NULL, NULL, NULL);
        g_free (name);
      }
  }

  g_main_context_pop_thread_default (bench_context);
  g_main_context_unref (bench_context);
  return 0;
}
