#!/usr/bin/python3
# bench-pool-floor.py: the floor under issue 18's Python round-trip row. The least a process
# pool can cost per task in Python: the task pickled, written to a pipe, read and unpickled
# by a worker process that calls the function, the result pickled back and read; no executor,
# no thread, no Future. Printed beside ProcessPoolExecutor's and GProcess.ProcessPoolExecutor's
# submit(f).result() round trips, measured in the same interpreter, with the load average.
# Run with Debian's /usr/bin/python3 and the build's GI_TYPELIB_PATH, LD_LIBRARY_PATH and
# PYTHONPATH (see "Getting started").
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import concurrent.futures as cf
import os
import pickle
import statistics
import time

import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GProcess

def f(x):
    return x

def worker(rfd, wfd):
    r = os.fdopen(rfd, 'rb', buffering=0); w = os.fdopen(wfd, 'wb', buffering=0)
    while True:
        n = r.read(4)
        if not n:
            os._exit(0)
        fn, args = pickle.loads(r.read(int.from_bytes(n, 'little')))
        out = pickle.dumps(fn(*args))
        w.write(len(out).to_bytes(4, 'little') + out)

def bare_floor(n):
    a_r, a_w = os.pipe(); b_r, b_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(a_w); os.close(b_r); worker(a_r, b_w)
    os.close(a_r); os.close(b_w)
    w = os.fdopen(a_w, 'wb', buffering=0); r = os.fdopen(b_r, 'rb', buffering=0)
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        msg = pickle.dumps((f, (i,)))
        w.write(len(msg).to_bytes(4, 'little') + msg)
        ln = int.from_bytes(r.read(4), 'little')
        pickle.loads(r.read(ln))
        times.append(time.perf_counter() - t0)
    w.close(); os.waitpid(pid, 0)
    return statistics.median(times) * 1e6

def pool_rt(ex, n):
    ex.submit(f, 0).result()
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        ex.submit(f, i).result()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6

if __name__ == '__main__':
    n = 3000
    print('load average', os.getloadavg())
    floor = bare_floor(n)
    with cf.ProcessPoolExecutor(4) as ex:
        ppe = pool_rt(ex, n)
    with GProcess.ProcessPoolExecutor(4) as ex:
        gp = pool_rt(ex, n)
    floor2 = bare_floor(n)
    print('bare pickle+pipe ping-pong floor: %.1f us / %.1f us' % (floor, floor2))
    print('ProcessPoolExecutor: %.1f us; GProcess.ProcessPoolExecutor: %.1f us' % (ppe, gp))
    print('floor / PPE = %.2f (target for GProcess: <= 0.25); GProcess / PPE = %.2f' % (min(floor, floor2) / ppe, gp / ppe))
    print('load average', os.getloadavg())
