#!/usr/bin/python3
# test_served_child.py: issue 22 items 1 and 2: every way multiprocessing accepts to make a
# process, and every property set before start(), reach a fork-server child; a served child
# that fails outside run() says so (a "Process <name>:" traceback) and ends with exit code 1
#
# Each test is a small program of its own: the start method and the server are process-wide.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gprocess_testutil import run_program  # noqa: E402

# The two ways of asking for the fork server: the process class, and what comes after the
# definitions (the server starts there, or at the first start(), and has what exists then)
CONTEXT = ("ctx = GProcess.get_context('forkserver')\nProcess = ctx.Process\n", '')
DEFAULT = ('Process = GProcess.Process\n', "GProcess.set_start_method('forkserver')\n")

CONSTRUCTIONS = '''
import os, signal, sys

def target(a, b=None, *, c=None):
    print('target', a, b, c, GProcess.current_process().name, flush=True)

class RunOnly(Process):
    def run(self):
        print('RunOnly.run', self.name, flush=True)

class WithInit(Process):
    def __init__(self, value, **kwargs):
        super().__init__(**kwargs)
        self.value = value
    def run(self):
        print('WithInit.run', self.value, self.name, flush=True)

class Props(Process):
    def run(self):
        me = GProcess.current_process()
        print('props', me.name, me.daemon, me.authkey == b'k' * 32,
              os.getpgrp() == os.getpid(), flush=True)

def check(p):
    p.start()
    p.join(60)
    print('exitcode', p.exitcode, flush=True)

%s
check(Process())
check(Process(target=target, args=(1,)))
check(Process(target=target, args=(1, 2), kwargs={'c': 3}))
check(Process(None, target, 'positional', (4,)))
check(RunOnly())
check(WithInit(5, name='w'))
check(Process(target=target, args=(6,), name='named', daemon=True))
p = Props()
p.name = 'renamed'
p.daemon = True
p.authkey = b'k' * 32
p.parent_death_signal = signal.SIGUSR1
p.process_group = True
check(p)
'''

EXPECTED = [
    'exitcode 0',
    'target 1 None None {p}-2', 'exitcode 0',
    'target 1 2 3 {p}-3', 'exitcode 0',
    'target 4 None None positional', 'exitcode 0',
    'RunOnly.run RunOnly-5', 'exitcode 0',
    'WithInit.run 5 w', 'exitcode 0',
    'target 6 None None named', 'exitcode 0',
    'props renamed True True True', 'exitcode 0',
]


class TestServedChild(unittest.TestCase):

    def check_constructions(self, way, process_name):
        out = run_program(self, way[0] + CONSTRUCTIONS % way[1])
        self.assertEqual(out.stderr, '')
        self.assertEqual(out.returncode, 0)
        self.assertEqual(out.stdout.splitlines(),
                         [line.format(p=process_name) for line in EXPECTED])

    def test_constructions_under_the_forkserver_context(self):
        self.check_constructions(CONTEXT, 'ForkServerProcess')

    def test_constructions_under_the_forkserver_default(self):
        self.check_constructions(DEFAULT, 'Process')

    def test_no_target_is_clean(self):
        # The snippet of issue 22: exit code 0 and no stderr (was a RecursionError)
        out = run_program(self, '''
            ctx = GProcess.get_context('forkserver')
            p = ctx.Process()
            p.start(); p.join()
            print(p.exitcode)
        ''')
        self.assertEqual((out.stdout, out.stderr, out.returncode), ('0\n', '', 0))

    def failing(self, source):
        out = run_program(self, CONTEXT[0] + textwrap.dedent(source))
        self.assertEqual(out.returncode, 0, out.stderr)
        return out

    def test_unpickling_failure(self):
        out = self.failing('''
            def refuse():
                raise RuntimeError('cannot be rebuilt here')
            class Parcel:
                def __reduce__(self):
                    return (refuse, ())
            p = Process(target=print, args=(Parcel(),), name='parcel')
            p.start(); p.join(60)
            print('exitcode', p.exitcode)
        ''')
        self.assertEqual(out.stdout, 'exitcode 1\n')
        self.assertTrue(out.stderr.startswith('Process parcel:\nTraceback (most recent call '
                                              'last):\n'), out.stderr)
        self.assertIn("RuntimeError: cannot be rebuilt here", out.stderr)

    def test_bootstrap_failure(self):
        # An after-fork hook of multiprocessing's that raises past its `except Exception`
        # (registered as the child unpickles its arguments, as multiprocessing's own objects
        # do): reported as P:_bootstrap reports it
        out = self.failing('''
            import multiprocessing.util
            def hook(obj):
                raise KeyboardInterrupt('after-fork hook failed')
            class Thing:
                def __init__(self):
                    self.state = 'some'
                def __setstate__(self, state):
                    multiprocessing.util.register_after_fork(self, hook)
            p = Process(target=print, args=('never', Thing()), name='hooked')
            p.start(); p.join(60)
            print('exitcode', p.exitcode)
        ''')
        self.assertEqual(out.stdout, 'exitcode 1\n')
        self.assertTrue(out.stderr.startswith('Process hooked:\nTraceback'), out.stderr)
        self.assertIn('KeyboardInterrupt: after-fork hook failed', out.stderr)

    def test_finaliser_failure(self):
        # A finaliser that ends the child abnormally: a traceback and exit code 1 (an
        # Exception in a finaliser is printed by multiprocessing itself and the exit code
        # stays, as under multiprocessing's forkserver)
        out = self.failing('''
            import multiprocessing.util
            def final():
                raise KeyboardInterrupt('in a finaliser')
            def work():
                multiprocessing.util.Finalize(None, final, exitpriority=1)
                print('ran', flush=True)
            p = Process(target=work, name='finalised')
            p.start(); p.join(60)
            print('exitcode', p.exitcode)
        ''')
        self.assertEqual(out.stdout, 'ran\nexitcode 1\n')
        self.assertTrue(out.stderr.startswith('Process finalised:\nTraceback'), out.stderr)
        self.assertIn('KeyboardInterrupt: in a finaliser', out.stderr)

    def test_exit_handler_failure(self):
        # The child's exit waits for its non-daemonic threads (threading._shutdown); a
        # failure there is reported, not swallowed
        out = self.failing('''
            import os, threading
            def work():
                r, w = os.pipe()   # the thread waits on r until the child's end
                threading.Thread(target=os.read, args=(r, 1)).start()
                threading._shutdown = broken
                print('ran', flush=True)
            def broken():
                raise RuntimeError('exit handler failed')
            p = Process(target=work, name='exiting')
            p.start(); p.join(60)
            print('exitcode', p.exitcode)
        ''')
        self.assertEqual(out.stdout, 'ran\nexitcode 1\n')
        self.assertTrue(out.stderr.startswith('Process exiting:\nTraceback'), out.stderr)
        self.assertIn('RuntimeError: exit handler failed', out.stderr)

    def test_stderr_lost(self):
        # With sys.stderr gone, the failure still reaches descriptor 2, and the exit code is 1
        out = self.failing('''
            import sys
            def work():
                sys.stderr = None
                raise ValueError('no stderr')
            p = Process(target=work, name='mute')
            p.start(); p.join(60)
            print('exitcode', p.exitcode)
        ''')
        self.assertEqual(out.stdout, 'exitcode 1\n')
        self.assertIn('Process mute:', out.stderr)
        self.assertIn('ValueError: no stderr', out.stderr)

    def test_parent_death_signal_reaches_the_served_child(self):
        # The parent of a served child dies; the child gets the signal set before start()
        out = run_program(self, '''
            import os, signal
            ctx = GProcess.get_context('forkserver')
            def child(conn):
                signal.signal(signal.SIGUSR1, lambda *a: (conn.send('SIGUSR1'), os._exit(0)))
                conn.send('ready')
                while True:
                    signal.pause()
            r, w = ctx.Pipe(duplex=False)
            pid = os.fork()
            if pid == 0:
                p = ctx.Process(target=child, args=(w,))
                p.parent_death_signal = signal.SIGUSR1
                p.start()
                print(r.recv(), flush=True)
                os._exit(0)   # abruptly: no join, no atexit
            w.close()
            os.waitpid(pid, 0)
            print(r.recv() if r.poll(30) else 'no signal')
        ''')
        self.assertEqual((out.stdout, out.stderr), ('ready\nSIGUSR1\n', ''))


if __name__ == '__main__':
    unittest.main(verbosity=2)
