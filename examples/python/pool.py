#!/usr/bin/python3
# pool.py: multiprocessing's Pool, ProcessPoolExecutor and Manager running GProcess processes,
# through GProcess.get_context()
# SPDX-License-Identifier: LGPL-2.1-or-later
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.pool import Pool

import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GProcess  # noqa: E402


def square(x):
    return x * x


def record(shared, n):
    shared[n] = square(n)


if __name__ == '__main__':
    ctx = GProcess.get_context()

    with Pool(4, context=ctx) as pool:
        print('Pool:', pool.map(square, range(8)))

    with ProcessPoolExecutor(max_workers=4, mp_context=ctx) as executor:
        print('ProcessPoolExecutor:', list(executor.map(square, range(8))))

    with ctx.Manager() as manager:
        shared = manager.dict()
        workers = [ctx.Process(target=record, args=(shared, n)) for n in range(8)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        print('Manager:', [shared[n] for n in range(8)])
