#!/usr/bin/python3
# bench-python.py: GProcess.Process start+join against os.fork and multiprocessing (fork,
# forkserver, spawn), interleaved with os.fork baseline blocks in one run; optionally pinned
# to one CPU (BENCH_PIN=1, the default: the first CPU the process may run on). Prints
# tab-separated rows like bench-c, with the minor page faults per round trip (child and parent
# of the row, child and parent of its os.fork baseline).
#
# Every row but the last ones runs in one interpreter, with the same imports (gi, GProcess,
# multiprocessing) and so the same memory: what each method adds to a fork. `bench-python.py
# no-gi` is the comparison a user makes: multiprocessing in an interpreter that never imported
# gi (about 10 MiB smaller, so its forks are cheaper), against os.fork in that interpreter.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import statistics
import sys
import time

import resource

NO_GI = sys.argv[1:] == ['no-gi']
if not NO_GI:
    import gi
    gi.require_version('GProcess', '1.0')
    from gi.repository import GProcess  # noqa: E402

QUICK = bool(os.environ.get('BENCH_QUICK'))


class Faults:
    # Minor page faults per operation, of this process and of its reaped children
    def __init__(self):
        self.self = self.children = self.n = 0

    def begin(self):
        self.self -= resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        self.children -= resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt

    def end(self, n):
        self.self += resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        self.children += resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
        self.n += n

    def per_op(self):
        return (self.children / self.n, self.self / self.n) if self.n else (-1, -1)


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
    faults, base_faults = Faults(), Faults()
    for _ in range(blocks):
        base_faults.begin()
        baseline += [timed(os_fork) for _ in range(per_block)]
        base_faults.end(per_block)
        faults.begin()
        samples += [timed(method) for _ in range(per_block)]
        faults.end(per_block)
    med, base = statistics.median(samples), statistics.median(baseline)
    print('%s\t%.1f\t%.1f\t%.1f\t%.3f\t%.2f\t%.2f\t%.2f\t%.2f'
          % ((name, med, quantile(samples, 0.9), base, med / base)
             + faults.per_op() + base_faults.per_op()), flush=True)


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
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    scale = 1 if QUICK else 4
    if NO_GI:
        import multiprocessing
        assert 'gi' not in sys.modules
        for _ in range(30):
            os_fork()
        compare('python-no-gi-multiprocessing-fork', mp(multiprocessing.get_context('fork')),
                5 * scale, 10)
        return
    for _ in range(30):
        os_fork()
        gprocess()
    # Before multiprocessing is imported: the override then skips its bookkeeping
    compare('python-gprocess-without-multiprocessing', gprocess, 5 * scale, 20)
    import multiprocessing
    for _ in range(10):
        gprocess()
    compare('python-gprocess', gprocess, 10 * scale, 20)
    compare('python-multiprocessing-fork', mp(multiprocessing.get_context('fork')), 5 * scale, 10)
    compare('python-multiprocessing-forkserver', mp(multiprocessing.get_context('forkserver')),
            2 * scale, 5)
    compare('python-multiprocessing-spawn', mp(multiprocessing.get_context('spawn')), 2 * scale, 3)
    per_child_resources(200)


if __name__ == '__main__':
    sys.exit(main())
