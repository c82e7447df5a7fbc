/* prime-worker.c: what runs in a pool worker
 *
 * A task counts the primes in its share of [0, limit), block by block, by trial division
 * (on purpose: it is CPU work with nothing to wait for). After each block it sends a progress
 * message (g_process_pool_send_progress()); when it is done it returns its count. Cancel
 * needs nothing from it: the pool stops the worker of a cancelled task.
 *
 * Nothing here touches GTK, a GMainContext or anything another thread of the application
 * could hold: the task computes, sends and returns.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "prime-worker.h"

#include <unistd.h>

GVariant *
prime_job_new (guint64 limit,
               guint   index,
               guint   n_workers)
{
  return g_variant_new (PRIME_JOB_FORMAT, limit, index, n_workers);
}

static guint64
n_blocks (guint64 limit)
{
  return (limit + PRIME_BLOCK_SIZE - 1) / PRIME_BLOCK_SIZE;
}

guint32
prime_job_blocks_for (guint64 limit,
                      guint   index,
                      guint   n_workers)
{
  guint64 total = n_blocks (limit);

  return (guint32) (total / n_workers + (index < total % n_workers ? 1 : 0));
}

static gboolean
is_prime (guint64 n)
{
  if (n < 2)
    return FALSE;
  if (n % 2 == 0)
    return n == 2;
  for (guint64 d = 3; d * d <= n; d += 2)
    if (n % d == 0)
      return FALSE;
  return TRUE;
}

static guint64
count_block (guint64 first,
             guint64 end)
{
  guint64 count = 0;

  for (guint64 n = first; n < end; n++)
    count += is_prime (n);
  return count;
}

/* The reference the self-test compares the workers' sum with: a sieve, in the application. */
guint64
prime_count_below (guint64 limit)
{
  g_autofree guint8 *composite = g_malloc0 (limit > 2 ? limit : 2);
  guint64 count = 0;

  for (guint64 n = 2; n < limit; n++)
    {
      if (composite[n])
        continue;
      count++;
      for (guint64 m = n * n; m < limit; m += n)
        composite[m] = 1;
    }
  return count;
}

GVariant *
prime_pool_task (GVariant  *task,
                 gpointer   user_data,
                 GError   **error)
{
  guint64 limit, primes = 0;
  guint index, n_workers;
  guint32 done = 0, total;

  g_variant_get (task, PRIME_JOB_FORMAT, &limit, &index, &n_workers);
  total = prime_job_blocks_for (limit, index, n_workers);
  for (guint64 b = index; b < n_blocks (limit); b += n_workers)
    {
      primes += count_block (b * PRIME_BLOCK_SIZE, MIN ((b + 1) * PRIME_BLOCK_SIZE, limit));
      done++;
      g_process_pool_send_progress (g_variant_new (PRIME_PROGRESS_FORMAT, done, total, primes,
                                                   (gint64) getpid ()));
    }
  return g_variant_new_uint64 (primes);
}
