#!/usr/bin/python3
# process_pool_executor.py: GProcess.ProcessPoolExecutor, a concurrent.futures executor whose
# tasks fail alone: a crash, a hang and an error stay in their task, and the executor goes on.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import time

import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GProcess  # noqa: E402


def square(x):
    if x == -1:
        os.abort()          # the worker crashes
    if x == -2:
        time.sleep(3600)    # the task hangs
    if x == -3:
        raise ValueError('no square for -3')
    return x * x


if __name__ == '__main__':
    with GProcess.ProcessPoolExecutor(2) as ex:
        print('squares:', list(ex.map(square, range(8))))
        try:
            ex.submit(square, -1).result()
        except GProcess.WorkerLostError as e:
            print('worker lost, exit code', e.exitcode)
        try:
            ex.schedule(square, args=(-2,), timeout=0.5).result()
        except TimeoutError:
            print('timed out')
        try:
            ex.submit(square, -3).result()
        except ValueError as e:
            print('error:', e)
        print('after all that:', ex.submit(square, 6).result())
