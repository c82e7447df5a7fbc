#!/usr/bin/python3
# bench-start-methods.py: multiprocessing's forkserver and spawn, start+join as the parent's
# memory grows, against raw os.fork()+waitpid() of a small process (a helper forked at the
# beginning), in paired rounds on one CPU: the rows of the "Start methods" chapter that the
# C benchmark (bench-start-methods.c) cannot make. `--quick` runs fewer rounds; `--tsv` prints
# tab-separated rows (method, MiB, median us, baseline us, ratio) for run-benchmarks.py.
# SPDX-License-Identifier: LGPL-2.1-or-later
import multiprocessing
import os
import statistics
import struct
import sys
import time


def nothing():
    pass


def raw_fork_join():
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return time.perf_counter() - t0


def start_helper():
    """A small process that times a raw fork on request: one byte in, one double out."""
    req_r, req_w = os.pipe()
    rep_r, rep_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(req_w)
        os.close(rep_r)
        while os.read(req_r, 1):
            os.write(rep_w, struct.pack('d', raw_fork_join()))
        os._exit(0)
    os.close(req_r)
    os.close(rep_w)
    return pid, req_w, rep_r


def helper_measure(helper):
    os.write(helper[1], b'm')
    return struct.unpack('d', os.read(helper[2], 8))[0]


def start_join(ctx):
    t0 = time.perf_counter()
    p = ctx.Process(target=nothing)
    p.start()
    p.join()
    return time.perf_counter() - t0


def main():
    quick = '--quick' in sys.argv
    tsv = '--tsv' in sys.argv
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[0]})
    helper = start_helper()
    contexts = {'multiprocessing forkserver': multiprocessing.get_context('forkserver'),
                'multiprocessing spawn': multiprocessing.get_context('spawn')}
    contexts['multiprocessing forkserver'].set_forkserver_preload([])
    for ctx in contexts.values():
        start_join(ctx)  # the forkserver starts here, while the parent is small
    if not tsv:
        print('# start+join, median of paired rounds, one CPU; '
              'baseline: raw fork+waitpid of a small process')
        print('%-28s %9s %12s %12s %7s' % ('method', 'RSS MiB', 'median us', 'baseline us',
                                           'ratio'))
    heap = bytearray()
    for mib in (0, 64, 512, 2048):
        if quick and mib > 64:
            break
        if len(heap) < mib << 20:
            heap = bytearray(b'\1') * (mib << 20)  # written: resident
        rounds = 5 if quick else 15
        base, times = [], {name: [] for name in contexts}
        for _ in range(rounds):
            base.append(helper_measure(helper))
            for name, ctx in contexts.items():
                times[name].append(start_join(ctx))
        b = statistics.median(base)
        for name, values in times.items():
            v = statistics.median(values)
            print(('%s\t%d\t%.1f\t%.1f\t%.3f' if tsv else '%-28s %9d %12.1f %12.1f %7.2f') % (
                name, mib, v * 1e6, b * 1e6, v / b))
        sys.stdout.flush()
    os.close(helper[1])
    os.waitpid(helper[0], 0)


if __name__ == '__main__':
    main()
