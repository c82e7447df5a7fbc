/* bench-start-methods.c: start+join per start method, as the parent's memory grows
 *
 * Rows: raw fork()+waitpid() of this process, GProcess with fork, GProcess with the fork
 * server and its warm children (starts spaced 3 ms apart, as applications start children,
 * and in a tight loop, where the server's refill competes for the one CPU), posix_spawn of
 * /bin/true, each against raw fork()+waitpid() of a small process (a helper forked at the
 * beginning, while this process is small). With `--cold`, the fork server without warm
 * children (g_process_set_fork_server_warm_children (0)) instead: spaced and tight. Paired: every level interleaves one baseline measurement with one
 * of each method, so that a busy machine shifts both. One CPU: the process (and so every
 * child, the helper and the server) is pinned to the first CPU it may use. The parent's heap
 * is touched (written) up to 0, 64, 512 MiB and 2 GiB; the server was started before.
 *
 * Output: one line per method and level: median microseconds, and the ratio of the medians
 * to the baseline; `--tsv`: tab-separated (method, MiB, median, baseline, ratio), for
 * build-aux/run-benchmarks.py. `--quick` runs fewer rounds (for the tests).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include <errno.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gprocess/gprocess.h>

#include "bench-common.h"

extern char **environ;

static double
raw_fork_join (void)
{
  double t0 = bench_now_us ();
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    _exit (0);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return bench_now_us () - t0;
}

/* The small process that measures the baseline on request: one byte in, one double out */
typedef struct
{
  int request_fd;
  int reply_fd;
  pid_t pid;
} Helper;

static void
helper_start (Helper *h)
{
  int to_helper[2], from_helper[2];

  if (pipe (to_helper) != 0 || pipe (from_helper) != 0)
    abort ();
  h->pid = fork ();
  if (h->pid == 0)
    {
      char c;

      close (to_helper[1]);
      close (from_helper[0]);
      while (read (to_helper[0], &c, 1) == 1)
        {
          double t = raw_fork_join ();

          if (write (from_helper[1], &t, sizeof t) != sizeof t)
            _exit (1);
        }
      _exit (0);
    }
  close (to_helper[0]);
  close (from_helper[1]);
  h->request_fd = to_helper[1];
  h->reply_fd = from_helper[0];
}

static double
helper_measure (Helper *h)
{
  double t;

  if (write (h->request_fd, "m", 1) != 1 || read (h->reply_fd, &t, sizeof t) != sizeof t)
    abort ();
  return t;
}

static void
target_nothing (GProcessObject *process, gpointer user_data)
{
}

static double
gprocess_start_join (GProcessStartMethod method)
{
  GError *error = NULL;
  double t0 = bench_now_us ();
  GProcessObject *p = g_process_object_new_with_target (target_nothing, NULL, NULL);

  g_process_object_set_start_method (p, method);
  if (!g_process_object_start (p, &error) || !g_process_object_join (p, -1, NULL, &error))
    g_error ("%s", error->message);
  t0 = bench_now_us () - t0;
  g_object_unref (p);
  return t0;
}

static long
minor_faults (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

/* The parent's start alone (the join is not timed); its page faults are added to *faults */
static double
gprocess_start_only (GProcessStartMethod method,
                     long               *faults)
{
  GError *error = NULL;
  GProcessObject *p = g_process_object_new_with_target (target_nothing, NULL, NULL);
  double t0;
  long f0;

  g_process_object_set_start_method (p, method);
  f0 = minor_faults ();
  t0 = bench_now_us ();
  if (!g_process_object_start (p, &error))
    g_error ("%s", error->message);
  t0 = bench_now_us () - t0;
  *faults += minor_faults () - f0;
  if (!g_process_object_join (p, -1, NULL, &error))
    g_error ("%s", error->message);
  g_object_unref (p);
  return t0;
}

static double
spawn_true (void)
{
  char *argv[] = { (char *) "/bin/true", NULL };
  double t0 = bench_now_us ();
  pid_t pid;
  int status;

  if (posix_spawn (&pid, "/bin/true", NULL, NULL, argv, environ) != 0)
    abort ();
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return bench_now_us () - t0;
}

enum { M_RAW, M_FORK, M_SERVER_SPACED, M_SERVER_TIGHT, M_SERVER_START, M_SPAWN, N_METHODS };
static const char *method_names[N_METHODS] = {
  "raw fork", "GProcess fork", "fork server warm spaced", "fork server warm tight",
  "fork server warm start()", "posix_spawn /bin/true",
};
static const char *cold_names[N_METHODS] = {
  NULL, NULL, "fork server cold spaced", "fork server cold tight", "fork server cold start()",
  NULL,
};

/* Starts spaced this far apart: the time an application spends between starts (not timed) */
static void
space_out (void)
{
  struct timespec ts = { 0, 3 * 1000 * 1000 };

  while (nanosleep (&ts, &ts) != 0 && errno == EINTR)
    ;
}

int
main (int argc, char **argv)
{
  static const int levels_mib[] = { 0, 64, 512, 2048 };
  gboolean quick = FALSE, cold = FALSE, tsv = FALSE;
  GError *error = NULL;
  char *heap = NULL;
  gsize touched = 0;
  Helper helper;

  for (int a = 1; a < argc; a++)
    {
      quick |= strcmp (argv[a], "--quick") == 0;
      cold |= strcmp (argv[a], "--cold") == 0;
      tsv |= strcmp (argv[a], "--tsv") == 0;
    }
  if (cold)
    g_process_set_fork_server_warm_children (0);
  bench_pin_to_one_cpu ();
  helper_start (&helper);
  if (!g_process_start_fork_server (&error))
    g_error ("%s", error->message);

  if (!tsv)
    {
      printf ("# start+join, median of paired rounds, one CPU; baseline: raw fork+waitpid of a small process; warm children: %u\n",
              g_process_get_fork_server_warm_children ());
      printf ("%-26s %9s %12s %12s %7s\n", "method", "RSS MiB", "median us", "baseline us", "ratio");
    }
  for (guint l = 0; l < G_N_ELEMENTS (levels_mib); l++)
    {
      gsize size = (gsize) levels_mib[l] * 1024 * 1024;
      int rounds = quick ? 10 : (levels_mib[l] >= 512 ? 40 : 200);
      double *base = g_new (double, rounds);
      double *t[N_METHODS];
      long start_faults = 0;

      if (quick && levels_mib[l] > 64)
        break;
      if (size > touched)
        {
          heap = g_realloc (heap, size);
          memset (heap + touched, 1, size - touched);
          touched = size;
        }
      for (int m = 0; m < N_METHODS; m++)
        t[m] = g_new (double, rounds);
      /* Warm-up, then the paired rounds */
      helper_measure (&helper);
      gprocess_start_join (G_PROCESS_START_METHOD_FORKSERVER);
      for (int i = 0; i < rounds; i++)
        {
          base[i] = helper_measure (&helper);
          if (!cold)
            {
              t[M_RAW][i] = raw_fork_join ();
              t[M_FORK][i] = gprocess_start_join (G_PROCESS_START_METHOD_FORK);
              t[M_SPAWN][i] = spawn_true ();
            }
          space_out ();
          t[M_SERVER_SPACED][i] = gprocess_start_join (G_PROCESS_START_METHOD_FORKSERVER);
          space_out ();
          t[M_SERVER_START][i] = gprocess_start_only (G_PROCESS_START_METHOD_FORKSERVER,
                                                      &start_faults);
          /* A tight loop: the warm children are used up, each start finds the server
           * refilling; the last of four is kept */
          for (int k = 0; k < 4; k++)
            t[M_SERVER_TIGHT][i] = gprocess_start_join (G_PROCESS_START_METHOD_FORKSERVER);
        }
      {
        double b = bench_median (base, rounds);

        for (int m = 0; m < N_METHODS; m++)
          {
            const char *name = cold ? cold_names[m] : method_names[m];
            double v;

            if (name != NULL)
              {
                v = bench_median (t[m], rounds);
                printf (tsv ? "%s\t%d\t%.1f\t%.1f\t%.3f" : "%-26s %9d %12.1f %12.1f %7.2f",
                        name, levels_mib[l], v, b, v / b);
                if (m == M_SERVER_START)
                  printf (tsv ? "\t%.2f" : "   parent faults/start %.2f", (double) start_faults / rounds);
                printf ("\n");
              }
            g_free (t[m]);
          }
      }
      fflush (stdout);
      g_free (base);
    }
  g_free (heap);
  close (helper.request_fd);
  waitpid (helper.pid, NULL, 0);
  return 0;
}
