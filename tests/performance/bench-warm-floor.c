/* bench-warm-floor.c: the floor under a warm child's start + join (issue 21)
 *
 * A warm child of the fork server is forked ahead of time; at start() it is handed a request
 * and, once it has run, it exits and is reaped. The least any such scheme can cost is that
 * of a bare pre-forked child: blocked in read(), told to go by one write(), it calls
 * _exit (0) and the parent collects it through its pidfd (poll, then waitid (P_PIDFD)). This
 * program measures that against the usual baseline, a raw fork() + _exit (0) + waitpid() of
 * the same small process; starts spaced 3 ms apart, the child forked off the clock. Median of
 * paired rounds, pinned to one CPU, as bench-start-methods. The floor does not depend on the
 * application's size: a warm child is a copy of the small fork server, and the application
 * only writes a request and reaps.
 *
 * Output: a readable table, or with --tsv rows "name, RSS MiB, median us, baseline us, ratio"
 * for build-aux/run-benchmarks.py.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-common.h"

#define ROUNDS 200

/* The baseline: a small process (forked before the parent grew) forks and reaps one child.
 * It runs in a helper process of constant size, told by pipe to do one round. */
static double
raw_round_trip (void)
{
  double t0 = bench_now_us ();
  pid_t pid = fork ();

  if (pid == 0)
    _exit (0);
  waitpid (pid, NULL, 0);
  return bench_now_us () - t0;
}

/* A pre-forked child, off the clock; then, timed: the write that sends it off, its exit, and
 * the parent's wake-up on its pidfd and waitid(). */
static double
pre_forked_round_trip (void)
{
  struct timespec gap = { 0, 3 * 1000 * 1000 };
  struct pollfd pfd = { -1, POLLIN, 0 };
  siginfo_t info;
  int go[2], pidfd;
  pid_t pid;
  double t0;
  char byte;

  if (pipe (go) != 0)
    abort ();
  pid = fork ();
  if (pid == 0)
    {
      close (go[1]);
      if (read (go[0], &byte, 1) < 0)
        _exit (1);
      _exit (0);
    }
  close (go[0]);
  pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    abort ();
  nanosleep (&gap, NULL);

  t0 = bench_now_us ();
  if (write (go[1], "g", 1) != 1)
    abort ();
  pfd.fd = pidfd;
  while (poll (&pfd, 1, -1) < 0)
    ;
  waitid ((idtype_t) 3 /* P_PIDFD */, (id_t) pidfd, &info, WEXITED);
  t0 = bench_now_us () - t0;
  close (pidfd);
  close (go[1]);
  return t0;
}

int
main (int    argc,
      char **argv)
{
  int tsv = argc > 1 && strcmp (argv[1], "--tsv") == 0;
  int rounds = getenv ("BENCH_QUICK") != NULL ? ROUNDS / 4 : ROUNDS;
  double *raw = calloc (rounds, sizeof *raw), *pre = calloc (rounds, sizeof *pre);
  double load[3] = { 0 }, m_raw, m_pre;

  bench_pin_to_one_cpu ();   /* as the other benchmarks */
  getloadavg (load, 3);

  /* Paired: each round one of each, so that a busy machine shifts both */
  for (int i = 0; i < rounds; i++)
    {
      raw[i] = raw_round_trip ();
      pre[i] = pre_forked_round_trip ();
    }
  m_raw = bench_median (raw, rounds);
  m_pre = bench_median (pre, rounds);
  if (tsv)
    printf ("floor: pre-forked bare child\t0\t%.1f\t%.1f\t%.3f\n", m_pre, m_raw,
            m_pre / m_raw);
  else
    printf ("# load average %.2f %.2f %.2f; %d paired rounds, one CPU, starts spaced 3 ms\n"
            "raw fork + _exit + waitpid (baseline)     %8.1f us\n"
            "pre-forked bare child: write, _exit, pidfd %8.1f us  %.2fx baseline\n",
            load[0], load[1], load[2], rounds, m_raw, m_pre, m_pre / m_raw);
  free (raw);
  free (pre);
  return 0;
}
