/* bench-common.h: what every benchmark program here measures with: the clock, the median,
 * one CPU
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sched.h>
#include <stdlib.h>
#include <time.h>

/* Monotonic time, in microseconds */
static inline double
bench_now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static inline int
bench_compare_doubles (const void *a,
                       const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The median of @n values; sorts @v */
static inline double
bench_median (double *v,
              int     n)
{
  qsort (v, n, sizeof *v, bench_compare_doubles);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Pins the process (and the children it forks from now on) to the first CPU it may run on */
static inline void
bench_pin_to_one_cpu (void)
{
  cpu_set_t set;

  if (sched_getaffinity (0, sizeof set, &set) != 0)
    return;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
    if (CPU_ISSET (cpu, &set))
      {
        CPU_ZERO (&set);
        CPU_SET (cpu, &set);
        sched_setaffinity (0, sizeof set, &set);
        return;
      }
}
