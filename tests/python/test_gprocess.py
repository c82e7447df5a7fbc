#!/usr/bin/python3
# test_gprocess.py: GProcess.Object through PyGObject, against multiprocessing's behaviour
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import gc
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import unittest
import weakref

import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GLib, GProcess  # noqa: E402


def _pipe_reader():
    r, w = os.pipe()
    return r, w


def _read_all(fd):
    chunks = []
    while True:
        data = os.read(fd, 65536)
        if not data:
            break
        chunks.append(data)
    os.close(fd)
    return b''.join(chunks).decode()


def _write(fd, text):
    os.write(fd, text.encode())


def _sleep_forever():
    while True:
        signal.pause()


def _exit_with(code):
    sys.exit(code)


def _report_names(fd):
    current = GProcess.current_process()
    _write(fd, current.name + '|')
    if current.name.count(':') < 1:
        p = GProcess.Process(target=_report_names, args=(fd,))
        p.start()
        p.join()


class MyProcess(GProcess.Object):
    """Seed 004: a subclass whose __init__ takes an argument."""

    def __init__(self, arg, fd):
        super().__init__()
        self.arg = arg
        self.fd = fd

    def run(self):
        _write(self.fd, 'nMask %d %s\n' % (self.arg, self.name))


class DoRunProcess(GProcess.Object):
    def do_run(self):
        raise RuntimeError('from do_run')


class DoRunExit(GProcess.Object):
    def do_run(self):
        sys.exit(4)


class TestProcess(unittest.TestCase):

    def tearDown(self):
        for p in GProcess.active_children():
            p.kill()
            p.join()

    def test_backend_is_the_c_class(self):
        self.assertEqual(GProcess.Object.__gtype__.name, 'GProcessObject')
        self.assertIs(GProcess.Process, GProcess.Object)
        p = GProcess.Process()
        self.assertEqual(p.pid, p.props.pid or None)
        self.assertNotIn('multiprocessing', sys.modules)

    def test_target_args_kwargs(self):
        r, w = _pipe_reader()
        p = GProcess.Process(target=lambda a, b=None: _write(w, '%s %s %d' % (a, b, os.getpid())),
                             args=['x'], kwargs={'b': 'y'})
        self.assertIsNone(p.pid)
        self.assertIsNone(p.exitcode)
        p.start()
        self.assertIsNone(p.join())
        os.close(w)
        self.assertEqual(_read_all(r), 'x y %d' % p.pid)
        self.assertNotEqual(p.pid, os.getpid())
        self.assertEqual(p.ident, p.pid)
        self.assertEqual(p.exitcode, 0)

    def test_exit_codes(self):
        cases = [
            (lambda: None, 0),
            (lambda: sys.exit(), 0),
            (lambda: sys.exit(7), 7),
            (lambda: sys.exit(True), 1),
            (lambda: sys.exit(False), 0),
            (lambda: sys.exit('message'), 1),
            (lambda: 1 / 0, 1),
            (lambda: os.kill(os.getpid(), signal.SIGKILL), -signal.SIGKILL),
        ]
        for target, expected in cases:
            p = GProcess.Process(target=target)
            p.start()
            p.join()
            self.assertEqual(p.exitcode, expected)

    def test_exception_prints_traceback(self):
        script = textwrap.dedent('''
            import gi
            gi.require_version('GProcess', '1.0')
            from gi.repository import GProcess
            def boom():
                raise RuntimeError('boom')
            p = GProcess.Process(target=boom, name='Bomb')
            p.start(); p.join()
            print('exit', p.exitcode)
        ''')
        out = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                             timeout=60)
        self.assertEqual(out.stdout, 'exit 1\n')
        self.assertIn('Process Bomb:\n', out.stderr)
        self.assertIn('RuntimeError: boom', out.stderr)

    def test_output_flushed_without_pythonunbuffered(self):
        script = textwrap.dedent('''
            import gi
            gi.require_version('GProcess', '1.0')
            from gi.repository import GProcess
            import sys
            print('parent before')
            p = GProcess.Process(target=lambda: (print('child out'), sys.stderr.write('child err\\n')))
            p.start(); p.join()
            print('parent after', p.exitcode)
        ''')
        env = dict(os.environ)
        env.pop('PYTHONUNBUFFERED', None)
        out = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                             env=env, timeout=60)
        # "parent before" is not duplicated by the child; the child's output is not lost
        self.assertEqual(out.stdout, 'parent before\nchild out\nparent after 0\n')
        self.assertEqual(out.stderr, 'child err\n')

    def test_child_never_returns_into_caller(self):
        r, w = _pipe_reader()
        me = os.getpid()
        p = GProcess.Process(target=lambda: None)
        p.start()
        if os.getpid() != me:
            _write(w, 'returned')
            os._exit(99)
        p.join()
        os.close(w)
        self.assertEqual(_read_all(r), '')
        self.assertEqual(p.exitcode, 0)

    def test_subclass_with_init_argument(self):
        r, w = _pipe_reader()
        procs = [MyProcess(i, w) for i in range(10)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        os.close(w)
        lines = sorted(_read_all(r).splitlines())
        self.assertEqual(lines, sorted('nMask %d %s' % (p.arg, p.name) for p in procs))
        for p in procs:
            self.assertTrue(p.name.startswith('MyProcess-'))
            self.assertEqual(p.exitcode, 0)

    def test_do_run_override(self):
        p = DoRunProcess()
        p.start()
        p.join()
        self.assertEqual(p.exitcode, 1)
        q = DoRunExit()
        q.start()
        q.join()
        self.assertEqual(q.exitcode, 4)

    def test_names(self):
        main = GProcess.current_process()
        self.assertEqual(main.name, 'MainProcess')
        a = GProcess.Process()
        n = int(a.name.split('-')[1])
        b = GProcess.Process(name='custom')
        self.assertEqual(b.name, 'custom')
        c = GProcess.Process(name='')
        self.assertEqual(c.name, 'Process-%d' % (n + 2))
        with self.assertRaises(AssertionError):
            c.name = 3
        r, w = _pipe_reader()
        p = GProcess.Process(target=_report_names, args=(w,))
        p.start()
        p.join()
        os.close(w)
        self.assertEqual(_read_all(r), 'Process-%d|Process-%d:1|' % (n + 3, n + 3))

    def test_repr(self):
        p = GProcess.Process(target=_sleep_forever, name='x', daemon=True)
        parent = os.getpid()
        self.assertEqual(repr(p), "<Process name='x' parent=%d initial daemon>" % parent)
        p.start()
        self.assertEqual(repr(p), "<Process name='x' pid=%d parent=%d started daemon>" % (p.pid, parent))
        p.terminate()
        p.join()
        self.assertEqual(repr(p), "<Process name='x' pid=%d parent=%d stopped exitcode=-SIGTERM daemon>"
                         % (p.pid, parent))
        p.close()
        self.assertEqual(repr(p), "<Process name='x' parent=%d closed daemon>" % parent)
        self.assertEqual(repr(GProcess.current_process()),
                         "<_MainProcess name='MainProcess' parent=None started>")

    def test_states_doctest(self):
        # Seed 002: sleep 1000, start, terminate, exit code == -SIGTERM
        p = GProcess.Process(target=time.sleep, args=(1000,))
        self.assertFalse(p.is_alive())
        p.start()
        self.assertTrue(p.is_alive())
        p.terminate()
        p.join()
        self.assertFalse(p.is_alive())
        self.assertEqual(p.exitcode, -signal.SIGTERM)

    def test_misuse_messages(self):
        p = GProcess.Process()
        with self.assertRaisesRegex(AssertionError, 'can only join a started process'):
            p.join()
        with self.assertRaisesRegex(AttributeError, 'terminate'):
            p.terminate()
        with self.assertRaisesRegex(ValueError, 'process not started'):
            p.sentinel
        p.start()
        with self.assertRaisesRegex(AssertionError, 'cannot start a process twice'):
            p.start()
        with self.assertRaisesRegex(AssertionError, 'process has already started'):
            p.daemon = True
        p.join()
        with self.assertRaisesRegex(AssertionError, 'cannot start a process twice'):
            p.start()
        with self.assertRaisesRegex(AssertionError, 'can only join a child process'):
            GProcess.current_process().join()
        with self.assertRaises(AssertionError):
            GProcess.Process(group=1)

        q = GProcess.Process(target=_sleep_forever)
        q.start()
        with self.assertRaisesRegex(ValueError, 'Cannot close a process while it is still running'):
            q.close()
        q.kill()
        q.join()
        q.close()
        q.close()
        for action in (q.start, q.join, q.is_alive, q.terminate, q.kill):
            with self.assertRaisesRegex(ValueError, 'process object is closed'):
                action()
        for attribute in ('exitcode', 'pid', 'ident', 'sentinel'):
            with self.assertRaisesRegex(ValueError, 'process object is closed'):
                getattr(q, attribute)
        self.assertTrue(q.name)
        self.assertFalse(q.daemon)
        self.assertEqual(len(q.authkey), 32)

    def test_join_timeout(self):
        p = GProcess.Process(target=_sleep_forever)
        p.start()
        t0 = time.monotonic()
        self.assertIsNone(p.join(0.05))
        self.assertGreaterEqual(time.monotonic() - t0, 0.04)
        self.assertIsNone(p.join(0))
        self.assertIsNone(p.join(-1))
        self.assertTrue(p.is_alive())
        self.assertIsNone(p.exitcode)
        self.assertIn(p, GProcess.active_children())
        p.kill()
        p.join()
        self.assertNotIn(p, GProcess.active_children())

    def test_join_interrupted_by_signal_handler(self):
        class Interrupted(Exception):
            pass

        def handler(signum, frame):
            # Only once join() waits: the timer repeats until it hits join (a loaded machine
            # may run it late), so the test does not depend on timing.
            while frame is not None:
                if frame.f_code.co_name == 'join' and 'GProcess' in frame.f_code.co_filename:
                    raise Interrupted()
                frame = frame.f_back
        old = signal.signal(signal.SIGALRM, handler)
        p = GProcess.Process(target=_sleep_forever)
        p.start()
        try:
            signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
            with self.assertRaises(Interrupted):
                p.join()
            self.assertTrue(p.is_alive())
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
            p.kill()
            p.join()
        self.assertEqual(p.exitcode, -signal.SIGKILL)

    def test_parent_drops_target_after_start(self):
        class Callable:
            def __call__(self, *args):
                pass
        c = Callable()
        wr = weakref.ref(c)
        p = GProcess.Process(target=c, args=(c,))
        del c
        p.start()
        p.join()
        gc.collect()
        self.assertIsNone(wr())

    def test_closed_object_is_collected(self):
        p = GProcess.Process(target=lambda: None)
        p.start()
        p.join()
        p.close()
        wr = weakref.ref(p)
        del p
        gc.collect()
        self.assertIsNone(wr())

    def test_sentinel(self):
        import select
        p = GProcess.Process(target=_sleep_forever)
        p.start()
        fd = p.sentinel
        self.assertEqual(select.select([fd], [], [], 0)[0], [])
        p.kill()
        self.assertEqual(select.select([fd], [], [], 10)[0], [fd])
        p.join()

    def test_daemon(self):
        self.assertFalse(GProcess.current_process().daemon)
        p = GProcess.Process(daemon=True, target=lambda: GProcess.Process().start())
        self.assertTrue(p.daemon)
        p.start()
        p.join()
        # A daemonic process may not have children: the AssertionError ends it with 1
        self.assertEqual(p.exitcode, 1)

        r, w = _pipe_reader()
        q = GProcess.Process(target=lambda: _write(w, str(GProcess.Process().daemon)))
        q.daemon = True
        q.start()
        q.join()
        os.close(w)
        self.assertEqual(_read_all(r), 'True')

    def test_authkey(self):
        main_key = GProcess.current_process().authkey
        self.assertIsInstance(main_key, bytes)
        self.assertEqual(len(main_key), 32)
        p = GProcess.Process()
        self.assertEqual(p.authkey, main_key)
        r, w = _pipe_reader()
        q = GProcess.Process(target=lambda: _write(
            w, '%s %s' % (GProcess.current_process().authkey.hex(), GProcess.Process().authkey.hex())))
        q.authkey = b'secret'
        q.start()
        q.join()
        os.close(w)
        self.assertEqual(_read_all(r), '%s %s' % (b'secret'.hex(), b'secret'.hex()))
        self.assertNotIn('secret', repr(q))

    def test_tree(self):
        self.assertIsNone(GProcess.parent_process())
        running = GProcess.Process(target=_sleep_forever)
        running.start()
        r, w = _pipe_reader()

        def report():
            cur = GProcess.current_process()
            parent = GProcess.parent_process()
            _write(w, '%s %s %s %s %s %s' % (cur is child, cur.is_alive(), cur.pid == os.getpid(),
                                               GProcess.active_children() == [],
                                               parent.name, parent.pid == os.getppid()))
        child = GProcess.Process(target=report, name='kid')
        child.start()
        child.join()
        os.close(w)
        self.assertEqual(_read_all(r), 'True True True True MainProcess True')
        self.assertEqual(GProcess.active_children(), [running])
        running.kill()
        running.join()
        self.assertEqual(GProcess.active_children(), [])

    def test_busy_thread_no_deadlock(self):
        stop = threading.Event()

        def busy():
            n = 0
            while not stop.is_set():
                n += 1
        t = threading.Thread(target=busy)
        t.start()
        try:
            for i in range(100):
                p = GProcess.Process(target=_exit_with, args=(i % 5,))
                p.start()
                p.join()
                self.assertEqual(p.exitcode, i % 5)
        finally:
            stop.set()
            t.join()

    def test_gobject_features(self):
        loop = GLib.MainLoop()
        states = []
        results = []
        p = GProcess.Process(target=_exit_with, args=(3,))
        p.connect('notify::state', lambda obj, pspec: states.append(obj.get_state()))

        def joined(obj, result):
            results.append(obj.join_finish(result))
            loop.quit()
        p.start()
        p.join_async(None, joined)
        GLib.timeout_add_seconds(30, loop.quit)
        loop.run()
        self.assertEqual(results, [True])
        self.assertEqual(p.exitcode, 3)
        self.assertEqual(states, [GProcess.State.STARTED, GProcess.State.STOPPED])

    def test_notify_from_main_loop_without_calls(self):
        loop = GLib.MainLoop()
        p = GProcess.Process(target=_exit_with, args=(2,))
        seen = []

        def on_state(obj, pspec):
            if obj.get_state() == GProcess.State.STOPPED:
                seen.append(obj.get_exit_code())
                loop.quit()
        p.connect('notify::state', on_state)
        p.start()
        GLib.timeout_add_seconds(30, loop.quit)
        loop.run()
        self.assertEqual(seen, [2])

    def test_errors_are_glib_errors_in_c_api(self):
        p = GProcess.Process()
        with self.assertRaises(GLib.Error) as cm:
            super(GProcess.Object, p).join(-1, None)  # the C method, without the override
        self.assertTrue(cm.exception.matches(GProcess.error_quark(), GProcess.Error.NOT_STARTED))


def load_tests(loader, tests, pattern):
    # The one meson test runs this file: it also runs every other tests/python/test_*.py
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    for filename in sorted(os.listdir(here)):
        if filename.startswith('test_') and filename.endswith('.py') and \
                filename != os.path.basename(__file__):
            module = __import__(filename[:-3])
            tests.addTests(loader.loadTestsFromModule(module))
    return tests


if __name__ == '__main__':
    unittest.main(verbosity=2)
