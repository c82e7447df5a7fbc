/* bench-pool.c: a GProcessPool task's sequential round trip against a bare socketpair
 * ping-pong between two processes
 *
 * Rows (median of rounds, each round the mean of ROUND_TRIPS sequential round trips):
 *  - baseline: a forked process answers a SOCK_SEQPACKET message of 16 bytes with one, the
 *    parent blocking in read();
 *  - pool: g_process_pool_submit_async() of a trivial task (an int64 in, an int64 out) and its
 *    callback, in a GMainLoop, one task at a time, one warm worker;
 *  - pool-sync: g_process_pool_submit() (the private context) the same way.
 * Rounds interleave the rows so that a busy machine shifts all of them. The target:
 * pool ≤ 3 × baseline. The load average is printed with the figures.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gprocess/gprocess.h>

#include "bench-common.h"

#define ROUND_TRIPS 2000

static double
baseline_round (int fd)
{
  char buf[16] = { 0 };
  double start = bench_now_us ();

  for (int i = 0; i < ROUND_TRIPS; i++)
    {
      if (write (fd, buf, sizeof buf) != sizeof buf || read (fd, buf, sizeof buf) != sizeof buf)
        abort ();
    }
  return (bench_now_us () - start) / ROUND_TRIPS;
}

static GVariant *
trivial (GVariant  *task,
         gpointer   user_data,
         GError   **error)
{
  return g_variant_new_int64 (g_variant_get_int64 (task) + 1);
}

typedef struct
{
  GProcessPool *pool;
  GMainLoop *loop;
  int left;
} Chain;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Chain *c = data;
  GVariant *v = g_process_pool_submit_finish (c->pool, result, NULL);

  if (v == NULL)
    abort ();
  g_variant_unref (v);
  if (--c->left == 0)
    g_main_loop_quit (c->loop);
  else
    g_process_pool_submit_async (c->pool, g_variant_new_int64 (c->left), NULL, on_done, c);
}

static double
pool_round (GProcessPool *pool,
            GMainLoop    *loop)
{
  Chain c = { pool, loop, ROUND_TRIPS };
  double start = bench_now_us ();

  g_process_pool_submit_async (pool, g_variant_new_int64 (0), NULL, on_done, &c);
  g_main_loop_run (loop);
  return (bench_now_us () - start) / ROUND_TRIPS;
}

static double
pool_sync_round (GProcessPool *pool)
{
  double start = bench_now_us ();

  for (int i = 0; i < ROUND_TRIPS; i++)
    g_variant_unref (g_process_pool_submit (pool, g_variant_new_int64 (i), NULL, NULL));
  return (bench_now_us () - start) / ROUND_TRIPS;
}

int
main (int   argc,
      char *argv[])
{
  int rounds = argc > 1 && strcmp (argv[1], "--quick") == 0 ? 3 : 15;
  double *base = g_new (double, rounds), *pool_t = g_new (double, rounds),
         *sync_t = g_new (double, rounds);
  double load[3] = { 0 };
  int sv[2];
  pid_t pid;
  GMainLoop *loop = g_main_loop_new (NULL, FALSE);
  GProcessPool *pool = g_process_pool_new (trivial, NULL, NULL, 1);

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    return 1;
  pid = fork ();
  if (pid == 0)
    {
      char buf[16];

      close (sv[0]);
      while (read (sv[1], buf, sizeof buf) == sizeof buf)
        if (write (sv[1], buf, sizeof buf) != sizeof buf)
          break;
      _exit (0);
    }
  close (sv[1]);

  /* Warm: the worker started, the code paths faulted in */
  pool_round (pool, loop);
  baseline_round (sv[0]);
  for (int r = 0; r < rounds; r++)
    {
      base[r] = baseline_round (sv[0]);
      pool_t[r] = pool_round (pool, loop);
      sync_t[r] = pool_sync_round (pool);
    }
  close (sv[0]);
  kill (pid, SIGKILL);   /* the pool's worker, a fork, has a copy of sv[0]: no EOF for it */
  waitpid (pid, NULL, 0);

  getloadavg (load, 3);
  {
    double b = bench_median (base, rounds), p = bench_median (pool_t, rounds), s = bench_median (sync_t, rounds);

    printf ("# load average %.2f %.2f %.2f; %d rounds of %d sequential round trips\n",
            load[0], load[1], load[2], rounds, ROUND_TRIPS);
    printf ("%-34s %8.1f us\n", "socketpair ping-pong (baseline)", b);
    printf ("%-34s %8.1f us  %.2fx baseline (target <= 3x)\n", "pool submit_async -> callback", p,
            p / b);
    printf ("%-34s %8.1f us  %.2fx baseline\n", "pool submit (sync)", s, s / b);
  }

  g_process_pool_close (pool);
  g_process_pool_join (pool, -1, NULL, NULL);
  g_object_unref (pool);
  g_main_loop_unref (loop);
  g_free (base);
  g_free (pool_t);
  g_free (sync_t);
  return 0;
}
