#!/usr/bin/python3
# bench-python.py: GProcess.Process start+join against os.fork and multiprocessing (fork,
# forkserver, spawn), interleaved with os.fork baseline blocks in one run; optionally pinned
# to one CPU (BENCH_PIN=1, the default). Prints tab-separated rows like bench-c.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import statistics
import sys
import time

import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GProcess  # noqa: E402

QUICK = bool(os.environ.get('BENCH_QUICK'))


def noop():
    pass


def os_fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def gprocess():
    p = GProcess.Process(target=noop)
    p.start()
    p.join()


def mp(context):
    def run():
        p = context.Process(target=noop)
        p.start()
        p.join()
    return run


def timed(f):
    t = time.perf_counter()
    f()
    return (time.perf_counter() - t) * 1e6


def quantile(samples, q):
    s = sorted(samples)
    return s[int(q * (len(s) - 1))]


def compare(name, method, blocks, per_block):
    samples, baseline = [], []
    for _ in range(blocks):
        baseline += [timed(os_fork) for _ in range(per_block)]
        samples += [timed(method) for _ in range(per_block)]
    med, base = statistics.median(samples), statistics.median(baseline)
    print('%s\t%.1f\t%.1f\t%.1f\t%.3f' % (name, med, quantile(samples, 0.9), base, med / base),
          flush=True)


def per_child_resources(n):
    import resource  # noqa: F401
    r, w = os.pipe()

    def wait():
        os.close(w)
        os.read(r, 1)
    warm = GProcess.Process(target=noop)
    warm.start()
    warm.join()
    fds_before = len(os.listdir('/proc/self/fd'))
    import tracemalloc
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    procs = []
    for _ in range(n):
        p = GProcess.Process(target=wait)
        p.start()
        procs.append(p)
    python_bytes = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    fds_after = len(os.listdir('/proc/self/fd'))
    print('python-memory-per-live-child-bytes\t%.0f\t0\t0\t0' % (python_bytes / n))
    print('python-fds-per-live-child\t%.2f\t0\t0\t0' % ((fds_after - fds_before) / n), flush=True)
    os.close(w)
    for p in procs:
        p.join()
    os.close(r)


def main():
    if os.environ.get('BENCH_PIN', '1') != '0':
        os.sched_setaffinity(0, {0})
    import multiprocessing
    scale = 1 if QUICK else 4
    for _ in range(30):
        os_fork()
        gprocess()
    compare('python-gprocess', gprocess, 10 * scale, 20)
    compare('python-multiprocessing-fork', mp(multiprocessing.get_context('fork')), 5 * scale, 10)
    compare('python-multiprocessing-forkserver', mp(multiprocessing.get_context('forkserver')),
            2 * scale, 5)
    compare('python-multiprocessing-spawn', mp(multiprocessing.get_context('spawn')), 2 * scale, 3)
    per_child_resources(200)


if __name__ == '__main__':
    sys.exit(main())
