/* prime-worker.c: what runs in a worker child
 *
 * A worker counts the primes in its share of [0, limit), block by block, by trial division
 * (on purpose: it is CPU work with nothing to wait for). After each block it writes a
 * #ProgressRecord into its progress pipe, the descriptor the application gave it. When it is done it hands its count back with
 * g_process_set_result(). It installs a SIGTERM handler, so that g_process_object_stop()
 * gets a polite answer within one block: the worker stops, reports an error saying how far it
 * got with g_process_set_error(), and returns.
 *
 * Nothing here touches GTK, a GMainContext or anything another thread of the application
 * could hold: the worker computes, write()s and returns.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "prime-worker.h"
#include "progress-channel.h"

#include <signal.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void
on_sigterm (int signum)
{
  stop_requested = 1;
}

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

void
prime_worker_run (GProcessObject *process,
                  gpointer        user_data)
{
  struct sigaction sa = { .sa_handler = on_sigterm };
  ProgressRecord record = { 0 };
  guint64 limit;
  guint index, n_workers;
  const int *fds;
  gsize n_fds;
  int fd;

  sigemptyset (&sa.sa_mask);
  sigaction (SIGTERM, &sa, NULL);
  signal (SIGPIPE, SIG_IGN);   /* if the window stops listening, write() fails, that's all */

  /* The job crossed to this child in GProcessObject:args, and the write end of the progress
   * pipe in its descriptors, whatever the start method. */
  g_variant_get (g_process_object_get_args (process), PRIME_JOB_FORMAT,
                 &limit, &index, &n_workers);
  fds = g_process_object_get_fds (process, &n_fds);
  fd = n_fds > 0 ? fds[0] : -1;
  record.blocks_total = prime_job_blocks_for (limit, index, n_workers);

  for (guint64 b = index; b < n_blocks (limit) && !stop_requested; b += n_workers)
    {
      record.primes += count_block (b * PRIME_BLOCK_SIZE, MIN ((b + 1) * PRIME_BLOCK_SIZE, limit));
      record.blocks_done++;
      progress_channel_send (fd, &record);
    }

  if (stop_requested && record.blocks_done < record.blocks_total)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             "Stopped after %u of %u blocks (%" G_GUINT64_FORMAT
                                             " primes so far)", record.blocks_done,
                                             record.blocks_total, record.primes);
      g_process_set_error (error);
    }
  else
    g_process_set_result (g_variant_new_uint64 (record.primes));
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
