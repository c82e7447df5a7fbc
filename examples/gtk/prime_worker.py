# prime_worker.py: what runs in a worker child (no GTK here, not even imported)
#
# A worker counts the primes in its share of [0, limit), block by block, and after each block
# sends a progress message on its progress pipe: the sending end of a multiprocessing.Pipe,
# passed as an argument (with the fork server it travels with the start request, as with
# multiprocessing's forkserver). Each message is the same 16-byte record as in the C
# application (progress-channel.h). It returns its count, which the application reads as the
# process's result. On SIGTERM it stops within one block by raising Cancelled, which the
# application reads as the process's exception.
#
# This module is imported before the fork server starts: with the fork server, the target is
# pickled by reference (prime_worker.count_primes) and must exist in the server.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import math
import signal
import struct

BLOCK_SIZE = 5000                   # numbers per block; block b goes to worker b % n_workers
RECORD = struct.Struct('=IIQ')      # blocks done, blocks given, primes so far (ProgressRecord)


class Cancelled(Exception):
    """The worker was asked to stop (SIGTERM) before it was done."""


def blocks_for(limit, index, n_workers):
    total = (limit + BLOCK_SIZE - 1) // BLOCK_SIZE
    return total // n_workers + (1 if index < total % n_workers else 0)


def _small_primes(limit):
    bound = math.isqrt(max(limit, 4)) + 1
    return [p for p in range(2, bound) if all(p % d for d in range(2, math.isqrt(p) + 1))]


def _count_block(first, end, divisors):
    count = 0
    for n in range(max(first, 2), end):
        for d in divisors:
            if d * d > n:
                count += 1
                break
            if n % d == 0:
                count += n == d
                break
        else:
            count += 1
    return count


def count_primes(limit, index, n_workers, progress):
    """The target of every worker: runs in the child, returns the number of primes."""
    stop = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.append(signum))

    total = blocks_for(limit, index, n_workers)
    divisors = _small_primes(limit)
    done = primes = 0
    n_blocks = (limit + BLOCK_SIZE - 1) // BLOCK_SIZE
    for b in range(index, n_blocks, n_workers):
        if stop:
            raise Cancelled('Stopped after %d of %d blocks (%d primes so far)'
                            % (done, total, primes))
        primes += _count_block(b * BLOCK_SIZE, min((b + 1) * BLOCK_SIZE, limit), divisors)
        done += 1
        try:
            progress.send_bytes(RECORD.pack(done, total, primes))
        except OSError:
            pass                # the window stopped listening (SIGPIPE is ignored by Python)
    return primes


def prime_count_below(limit):
    """The reference the self-test compares the workers' sum with: a sieve, in the app."""
    if limit < 3:
        return 0
    sieve = bytearray([1]) * limit
    sieve[0:2] = b'\0\0'
    for n in range(2, math.isqrt(limit - 1) + 1):
        if sieve[n]:
            sieve[n * n::n] = bytes(len(range(n * n, limit, n)))
    return sum(sieve)
