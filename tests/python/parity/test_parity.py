#!/usr/bin/python3
# test_parity.py: issue 22 item 3: programs written for multiprocessing's forkserver behave
# the same under GProcess's
#
# Each prog_*.py here is a multiprocessing program (Queue, Pipe, Lock, Event, Value/Array,
# Manager, Pool, ProcessPoolExecutor, subclasses, daemons, terminate, exit codes) that takes
# its context from parity_ctx.get(). It runs twice, under multiprocessing.get_context(
# 'forkserver') and GProcess.get_context('forkserver'); its standard output, exit code and
# the unindented lines of its standard error (the "Process <name>:" headers, the exception
# lines, sys.exit() texts: not the traceback frames, whose files differ) must be the same.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import concurrent.futures
import os
import signal
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from gprocess_testutil import LINGER, _wait_group_gone  # noqa: E402

PROGRAMS = sorted(f[:-3] for f in os.listdir(HERE) if f.startswith('prog_') and f.endswith('.py'))
FLAVOURS = ('multiprocessing', 'gprocess')
TIMEOUT = 120


def run(program, flavour):
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, program + '.py'), flavour],
                            cwd=HERE, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        err += '\n(timed out after %d s)' % TIMEOUT
    # Every process of the program is in its session's process group: none may be left once
    # the ones that end with the program (a fork server, a resource tracker) had time to
    left = _wait_group_gone(proc.pid, LINGER)
    if left:
        os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode, out, err, left or None


def summary(stderr):
    return [line for line in stderr.splitlines()
            if line and not line[0].isspace() and not line.startswith('Traceback')]


class TestParity(unittest.TestCase):
    results = {}

    @classmethod
    def setUpClass(cls):
        # Two at a time: CI has two cores
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            jobs = {(p, f): ex.submit(run, p, f) for p in PROGRAMS for f in FLAVOURS}
            cls.results = {key: job.result() for key, job in jobs.items()}

    def compare(self, program):
        mp = self.results[program, 'multiprocessing']
        gp = self.results[program, 'gprocess']
        context = '\nmultiprocessing stderr:\n%s\nGProcess stderr:\n%s' % (mp[2], gp[2])
        self.assertTrue(mp[1], 'the program printed nothing' + context)
        self.assertEqual(gp[1], mp[1], 'stdout differs' + context)
        self.assertEqual(gp[0], mp[0], 'exit code differs' + context)
        self.assertEqual(summary(gp[2]), summary(mp[2]), 'stderr differs' + context)
        self.assertIsNone(gp[3], context)


def _add(program):
    def test(self):
        self.compare(program)
    test.__name__ = 'test_' + program[len('prog_'):]
    setattr(TestParity, test.__name__, test)


for _program in PROGRAMS:
    _add(_program)


if __name__ == '__main__':
    unittest.main(verbosity=2)
