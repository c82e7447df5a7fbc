#!/usr/bin/python3
# test_lifecycle.py: issue 13 from Python: parent_death_signal and process_group as keywords
# and attributes, stop(grace), usage, the target's result and exception in the parent
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import signal
import sys
import time
import unittest

import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GProcess  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gprocess_testutil import run_program  # noqa: E402


def _double(x):
    return {'twice': x * 2}


class Boom(Exception):
    pass


def _raise():
    raise Boom('boom', 7)


def _burn(seconds):
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass


def _touch(n_bytes):
    data = bytearray(n_bytes)
    for i in range(0, n_bytes, 4096):
        data[i] = 1
    return len(data)


def _ignore_term_and_pause(fd):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.write(fd, b'r')
    while True:
        signal.pause()


def _pause_ready(fd):
    os.write(fd, b'r')
    while True:
        signal.pause()


class TestLifecycle(unittest.TestCase):

    def tearDown(self):
        for p in GProcess.active_children():
            p.kill()
            p.join()

    def test_result_of_the_target(self):
        p = GProcess.Process(target=_double, args=(21,))
        p.start()
        p.join(30)
        self.assertEqual(p.exitcode, 0)
        self.assertEqual(p.result, {'twice': 42})
        self.assertIsNone(p.exception)
        self.assertEqual(p.result, {'twice': 42})  # repeatable

    def test_no_result(self):
        p = GProcess.Process(target=int)  # returns 0, a value
        q = GProcess.Process(target=print, args=('',))  # returns None
        for x in (p, q):
            x.start()
            x.join(30)
        self.assertEqual(p.result, 0)
        self.assertIsNone(q.result)
        self.assertIsNone(q.exception)

    def test_result_before_the_end(self):
        r, w = os.pipe()
        p = GProcess.Process(target=_pause_ready, args=(w,))
        with self.assertRaises(ValueError):
            p.result
        p.start()
        os.read(r, 1)
        with self.assertRaises(ValueError):
            p.exception
        p.kill()
        p.join(30)
        self.assertIsNone(p.result)   # killed: nothing delivered
        self.assertIsNone(p.exception)
        os.close(r)
        os.close(w)

    def test_exception_with_traceback_and_multiprocessing_exit(self):
        out = run_program(self, '''
            import sys
            sys.path.insert(0, %r)
            from test_lifecycle import _raise, Boom
            p = GProcess.Process(target=_raise)
            p.start()
            p.join(30)
            e = p.exception
            print(p.exitcode, type(e).__name__, e.args, p.result)
            print('in _raise' in str(e.__cause__), type(e.__cause__).__name__)
        ''' % os.path.dirname(os.path.abspath(__file__)))
        lines = out.stdout.splitlines()
        self.assertEqual(lines[0], "1 Boom ('boom', 7) None", out.stderr)
        self.assertEqual(lines[1], 'True RemoteTraceback')
        # The child printed its traceback exactly as multiprocessing's child does
        self.assertTrue(out.stderr.startswith('Process Process-1:\nTraceback (most recent call '
                                              'last):\n'), out.stderr)
        self.assertTrue(out.stderr.endswith("Boom: ('boom', 7)\n"), out.stderr)

    def test_sys_exit_is_no_exception(self):
        p = GProcess.Process(target=sys.exit, args=(3,))
        p.start()
        p.join(30)
        self.assertEqual(p.exitcode, 3)
        self.assertIsNone(p.exception)
        self.assertIsNone(p.result)

    def test_unpicklable_result_is_reported(self):
        p = GProcess.Process(target=lambda: (lambda: None))
        p.start()
        p.join(30)
        self.assertEqual(p.exitcode, 0)
        self.assertIsNone(p.result)
        self.assertIsInstance(p.exception, TypeError)

    def test_large_result(self):
        p = GProcess.Process(target=bytes, args=(10 * 1024 * 1024,))
        p.start()
        p.join(60)
        self.assertEqual(len(p.result), 10 * 1024 * 1024)

    def test_usage(self):
        # Before the end it raises, as result does (issue 20 item 7)
        r, w = os.pipe()
        p = GProcess.Process(target=_pause_ready, args=(w,))
        with self.assertRaisesRegex(ValueError, 'has not ended'):
            p.usage
        p.start()
        os.read(r, 1)
        with self.assertRaisesRegex(ValueError, 'has not ended'):
            p.usage
        with self.assertRaisesRegex(ValueError, 'has not ended'):
            p.result
        p.kill()
        p.join(60)
        self.assertIsInstance(p.usage, GProcess.Usage)
        os.close(r)
        os.close(w)
        with self.assertRaisesRegex(ValueError, 'has not ended'):
            GProcess.current_process().usage
        # Units: seconds (floats) and bytes
        p = GProcess.Process(target=_burn, args=(0.3,))
        p.start()
        p.join(60)
        usage = p.usage
        self.assertIsInstance(usage.user_time, float)
        self.assertIsInstance(usage.max_rss, int)
        self.assertLess(usage.user_time + usage.system_time, 60)
        self.assertGreaterEqual(usage.user_time + usage.system_time, 0.25)
        self.assertEqual(usage._fields, ('user_time', 'system_time', 'max_rss'))
        q = GProcess.Process(target=_touch, args=(128 * 1024 * 1024,))
        q.start()
        q.join(60)
        self.assertGreater(q.usage.max_rss, 100 * 1024 * 1024)

    def test_stop_politely_then_for_sure(self):
        r, w = os.pipe()
        p = GProcess.Process(target=_pause_ready, args=(w,))
        p.start()
        os.read(r, 1)
        p.stop(30)
        self.assertEqual(p.exitcode, -signal.SIGTERM)
        q = GProcess.Process(target=_ignore_term_and_pause, args=(w,))
        q.start()
        os.read(r, 1)
        q.stop(0.2)
        self.assertEqual(q.exitcode, -signal.SIGKILL)
        q.stop(1)  # already ended: nothing to do
        with self.assertRaises(AssertionError):
            GProcess.Process(target=int).stop(1)
        os.close(r)
        os.close(w)

    def test_properties_as_keywords_and_attributes(self):
        p = GProcess.Process(target=int, parent_death_signal=signal.SIGKILL, process_group=True)
        self.assertEqual(p.parent_death_signal, signal.SIGKILL)
        self.assertTrue(p.process_group)
        q = GProcess.Process(target=int, daemon=True)
        self.assertEqual(q.parent_death_signal, signal.SIGTERM)
        q.parent_death_signal = 0
        self.assertEqual(q.parent_death_signal, 0)
        p.start()
        with self.assertRaisesRegex(AssertionError, 'process has already started'):
            p.process_group = False
        with self.assertRaisesRegex(AssertionError, 'process has already started'):
            p.parent_death_signal = 0
        p.join(30)
        self.assertTrue(p.props.process_group)

    def test_process_group_terminate_reaches_grandchildren(self):
        out = run_program(self, '''
            import os, signal
            def grandchild(fd):
                os.write(fd, b'%d ' % os.getpid())
                signal.pause()
            def child(fd):
                g = GProcess.Process(target=grandchild, args=(fd,))
                g.start()
                g.join()
            r, w = os.pipe()
            p = GProcess.Process(target=child, args=(w,), process_group=True)
            p.start()
            pid = int(os.read(r, 64).split()[0])
            p.stop(5)
            try:
                with open('/proc/%d/stat' % pid) as f:
                    state = f.read().rpartition(')')[2].split()[0]
            except FileNotFoundError:
                state = 'gone'
            # ended: gone, or a zombie until its new parent reaps it
            print('grandchild ended' if state in ('gone', 'Z') else 'grandchild ' + state, p.exitcode)
        ''')
        self.assertEqual(out.stdout, 'grandchild ended -15\n', out.stderr)


if __name__ == '__main__':
    unittest.main(verbosity=2)
