/* prime-worker.h: the work a worker child does; no GTK in here
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gprocess/gprocess.h>

G_BEGIN_DECLS

/* Numbers are handed out in blocks of this many, block b to worker b % n_workers. */
#define PRIME_BLOCK_SIZE 20000

/* A task of the pool: (limit, worker index, number of workers) */
#define PRIME_JOB_FORMAT "(tuu)"

GVariant *prime_job_new          (guint64         limit,
                                  guint           index,
                                  guint           n_workers);
guint32   prime_job_blocks_for   (guint64         limit,
                                  guint           index,
                                  guint           n_workers);
guint64   prime_count_below      (guint64         limit);

/* A progress message of prime_pool_task(): (blocks done, blocks given, primes so far, the
 * worker's pid) */
#define PRIME_PROGRESS_FORMAT "(uutx)"

/* The same, unpacked in the window */
typedef struct
{
  guint32 blocks_done;   /* blocks of numbers finished so far */
  guint32 blocks_total;  /* blocks this worker was given */
  guint64 primes;        /* primes counted so far */
} ProgressRecord;

/* The function of the application's GProcessPool: one worker's share, a PRIME_JOB_FORMAT task;
 * returns the count ("t"), sending progress after each block. It runs in a pool worker. */
GVariant *prime_pool_task        (GVariant        *task,
                                  gpointer         user_data,
                                  GError         **error);

G_END_DECLS
