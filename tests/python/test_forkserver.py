#!/usr/bin/python3
# test_forkserver.py: issue 12 from Python: start methods, the fork server's children (still
# the program's own), pickled targets and subclasses, multiprocessing objects as arguments,
# Pool and ProcessPoolExecutor on a forkserver context, threads
#
# Each test is a small program of its own: the start method and the server are process-wide.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gprocess_testutil import run_program  # noqa: E402


import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GProcess  # noqa: E402


@unittest.skipUnless(hasattr(GProcess, 'set_fork_server_child_func'),
                     'the library has no fork server')
class TestForkServer(unittest.TestCase):

    def run_ok(self, source, timeout=90):
        out = run_program(self, source, timeout=timeout)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out

    def test_start_methods(self):
        out = self.run_ok('''
            print(GProcess.get_start_method(), GProcess.get_start_method(allow_none=True))
            print(GProcess.get_all_start_methods())
            GProcess.set_start_method('forkserver')
            print(GProcess.get_start_method())
            try:
                GProcess.set_start_method('fork')
            except RuntimeError as e:
                print('RuntimeError', e)
            GProcess.set_start_method('fork', force=True)
            print(GProcess.get_start_method())
            try:
                GProcess.get_context('spawn')
            except ValueError as e:
                print('ValueError', e)
            print(GProcess.get_context('forkserver').get_start_method())
        ''')
        self.assertEqual(out.stdout.splitlines(), [
            'fork None', "['fork', 'forkserver']", 'forkserver',
            'RuntimeError context has already been set', 'fork',
            "ValueError cannot find context for 'spawn'", 'forkserver'])

    def test_children_are_the_programs_own(self):
        out = self.run_ok('''
            import os, sys
            def report(n):
                # One write(): the three children run at once (the fork server's warm
                # children start them back to back), and print() writes piece by piece
                os.write(1, ('%d %s %s\\n' % (n, os.getppid() == PARENT,
                                             GProcess.current_process().name)).encode())
                sys.exit(n)
            PARENT = os.getpid()
            GProcess.set_start_method('forkserver')
            procs = [GProcess.Process(target=report, args=(i,)) for i in range(3)]
            for p in procs:
                p.start()
            print(sorted(c.pid for c in GProcess.active_children()) ==
                  sorted(p.pid for p in procs))
            for p in procs:
                p.join(30)
            print([p.exitcode for p in procs], repr(procs[0]).startswith("<Process name='Process-1' pid="))
        ''')
        lines = out.stdout.splitlines()
        self.assertEqual(sorted(lines[:-1]), ['0 True Process-1', '1 True Process-2',
                                              '2 True Process-3', 'True'])
        self.assertEqual(lines[-1], '[0, 1, 2] True')

    def test_subclass_state_is_pickled(self):
        out = self.run_ok('''
            class Worker(GProcess.Process):
                def __init__(self, numbers, factor):
                    super().__init__(name='worker')
                    self.numbers = numbers
                    self.factor = factor
                def run(self):
                    print(self.name, [n * self.factor for n in self.numbers], flush=True)
                    return sum(self.numbers) * self.factor
            GProcess.set_start_method('forkserver')
            w = Worker([1, 2, 3], 10)
            w.start()
            w.join(30)
            print(w.exitcode, w.result)
        ''')
        self.assertEqual(out.stdout, 'worker [10, 20, 30]\n0 60\n')

    def test_multiprocessing_objects_as_arguments(self):
        out = self.run_ok('''
            import multiprocessing
            def work(q, conn, lock, event, value, array):
                with lock:
                    value.value += 1
                array[1] = 42
                q.put(('queue', sum(array)))
                conn.send('pipe')
                event.set()
            GProcess.set_start_method('forkserver')
            q = multiprocessing.Queue()
            a, b = multiprocessing.Pipe()
            lock, event = multiprocessing.Lock(), multiprocessing.Event()
            value, array = multiprocessing.Value('i', 1), multiprocessing.Array('i', 3)
            p = GProcess.Process(target=work, args=(q, b, lock, event, value, array))
            p.start()
            print(q.get(timeout=30), a.recv(), event.wait(30), value.value, array[:])
            p.join(30)
            print(p.exitcode)
            ctx = GProcess.get_context('forkserver')
            q2 = ctx.Queue()
            p2 = ctx.Process(target=q2.put, args=('ctx queue',))
            p2.start()
            print(q2.get(timeout=30), p2.name.startswith('ForkServerProcess-'))
            p2.join(30)
        ''')
        self.assertEqual(out.stdout, "('queue', 42) pipe True 2 [0, 42, 0]\n0\n"
                                     'ctx queue True\n')

    def test_pool_and_executor_on_a_forkserver_context(self):
        out = self.run_ok('''
            from concurrent.futures import ProcessPoolExecutor
            from multiprocessing.pool import Pool
            def square(x):
                return x * x
            ctx = GProcess.get_context('forkserver')
            with Pool(2, context=ctx) as pool:
                print(pool.map(square, range(6)))
            with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as executor:
                print(list(executor.map(square, range(6))))
        ''')
        self.assertEqual(out.stdout, '[0, 1, 4, 9, 16, 25]\n[0, 1, 4, 9, 16, 25]\n')

    def test_a_lock_held_by_a_thread_does_not_hang_the_child(self):
        out = self.run_ok('''
            import threading
            app_lock = threading.Lock()
            def take():
                with app_lock:
                    print('took the lock', flush=True)
            GProcess.start_fork_server()   # early: before the thread and the lock's holder
            held = threading.Event()
            def hold():
                app_lock.acquire()
                held.set()
                threading.Event().wait()
            threading.Thread(target=hold, daemon=True).start()
            held.wait()
            forked = GProcess.Process(target=take)   # fork: the lock stays held in the copy
            forked.start()
            forked.join(2)
            print('fork child hangs', forked.is_alive())
            forked.kill()
            forked.join()
            served = GProcess.get_context('forkserver').Process(target=take)
            served.start()
            served.join(30)
            print('server child', served.exitcode)
        ''')
        self.assertEqual(out.stdout, 'fork child hangs True\ntook the lock\nserver child 0\n')

    def test_interpreter_after_fork_handling(self):
        # The server's children get what os.fork() gives a child: the at-fork hooks run, the
        # thread is the main thread, other threads are gone
        out = self.run_ok('''
            import os, threading
            os.register_at_fork(after_in_child=lambda: print('after_in_child', flush=True))
            stop = threading.Event()
            threading.Thread(target=stop.wait, daemon=True).start()
            def child():
                print(threading.active_count(),
                      threading.current_thread() is threading.main_thread(), flush=True)
            GProcess.set_start_method('forkserver')
            GProcess.start_fork_server()
            p = GProcess.Process(target=child)
            p.start()
            p.join(30)
            stop.set()
        ''')
        # once in the server (an os.fork() of the program), once in the child
        self.assertEqual(out.stdout, 'after_in_child\nafter_in_child\n1 True\n')

    def test_memory_of_the_parent_does_not_follow(self):
        out = self.run_ok('''
            def rss():
                with open('/proc/self/status') as f:
                    for line in f:
                        if line.startswith('VmRSS:'):
                            return int(line.split()[1]) * 1024
            def report():
                print('child rss below 64 MiB', rss() < 64 * 1024 * 1024, flush=True)
            GProcess.set_start_method('forkserver')
            GProcess.start_fork_server()
            ballast = bytearray(256 * 1024 * 1024)
            for i in range(0, len(ballast), 4096):
                ballast[i] = 1
            print('parent rss above 256 MiB', rss() > 256 * 1024 * 1024)
            p = GProcess.Process(target=report)
            p.start()
            p.join(30)
        ''')
        self.assertEqual(out.stdout, 'parent rss above 256 MiB True\n'
                                     'child rss below 64 MiB True\n')

    def test_what_cannot_cross(self):
        out = run_program(self, '''
            import pickle
            GProcess.set_start_method('forkserver')
            p = GProcess.Process(target=lambda: None)
            try:
                p.start()
            except pickle.PicklingError as e:
                print('not picklable:', type(e).__name__, e.code == GProcess.Error.NOT_TRANSFERABLE,
                      'do not pickle' in str(e), type(e.__cause__).__name__)
            GProcess.start_fork_server()
            class Late(GProcess.Process):
                def run(self):
                    pass
            try:
                Late().start()
            except ValueError as e:
                print('ValueError', 'did not exist when the server started' in str(e),
                      isinstance(e, GProcess.NotTransferableError))
        ''')
        self.assertEqual(out.stdout, 'not picklable: NotTransferableError True True '
                                     'PicklingError\nValueError True True\n', out.stderr)

    def test_late_definitions_are_refused_at_start(self):
        # Issue 20 item 1: what the server's copy of the program does not have is refused by
        # start() (G_PROCESS_ERROR_NOT_TRANSFERABLE, saying why), not left to fail in the child
        out = run_program(self, '''
            import threading
            def early(x):
                print('early', x, flush=True)
            class EarlyArg:
                pass
            def redefined():
                print('old')
            GProcess.set_start_method('forkserver')
            def late():
                pass
            class LateArg:
                pass
            def redefined():
                print('new')
            def attempt(label, **kwargs):
                p = GProcess.Process(**kwargs)
                try:
                    p.start()
                except GProcess.NotTransferableError as e:
                    print(label, 'refused:', str(e).split(': ', 1)[1].split(';')[0])
                    print(label, 'state', p.get_state().value_nick)
                else:
                    p.join(60)
                    print(label, 'exitcode', p.exitcode, flush=True)
            attempt('late target', target=late)
            attempt('late class in args', target=early, args=(LateArg(),))
            attempt('late function in kwargs', target=early, kwargs={'x': [late]})
            attempt('redefined', target=redefined)
            attempt('lock', target=early, args=(threading.Lock(),))
            attempt('early', target=early, args=(EarlyArg(),))
            import json
            attempt('module imported later', target=json.dumps, args=([1],))
        ''')
        self.assertEqual(out.stderr, '')
        lines = out.stdout.splitlines()
        self.assertEqual(lines[:10], [
            'late target refused: __main__.late was defined after the fork server started',
            'late target state initial',
            'late class in args refused: __main__.LateArg was defined after the fork server '
            'started',
            'late class in args state initial',
            'late function in kwargs refused: __main__.late was defined after the fork server '
            'started',
            'late function in kwargs state initial',
            'redefined refused: __main__.redefined was redefined after the fork server started '
            '(the server has the old one)',
            'redefined state initial',
            "lock refused: its target, arguments or attributes do not pickle (TypeError: cannot "
            "pickle '_thread.lock' object)",
            'lock state initial'])
        self.assertTrue(lines[10].startswith('early <__main__.EarlyArg object at'), lines)
        self.assertEqual(lines[11:], ['early exitcode 0', 'module imported later exitcode 0'])


if __name__ == '__main__':
    unittest.main(verbosity=2)
