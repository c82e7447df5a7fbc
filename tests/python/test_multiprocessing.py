#!/usr/bin/python3
# test_multiprocessing.py: GProcess children living multiprocessing's child life, and GProcess
# contexts under Pool, ProcessPoolExecutor and managers. Each test is a small real program run
# in its own interpreter (multiprocessing is imported there, never in the test process), with
# a timeout and a check that no process is left behind.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gprocess_testutil import run_program  # noqa: E402


class TestChildLife(unittest.TestCase):

    def run_ok(self, source, **kwargs):
        out = run_program(self, source, **kwargs)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out

    def test_queue_docs_example(self):
        # Python's documentation, "Exchanging objects between processes": the child puts and
        # returns at once; its feeder thread must be flushed by util._exit_function()
        out = self.run_ok('''
            from multiprocessing import Queue
            def f(q):
                q.put([42, None, 'hello'])
            if __name__ == '__main__':
                for i in range(20):
                    q = Queue()
                    p = GProcess.Process(target=f, args=(q,))
                    p.start()
                    item = q.get(timeout=30)
                    p.join()
                    assert item == [42, None, 'hello'], item
                    assert p.exitcode == 0
                print('ok')
        ''')
        self.assertEqual(out.stdout, 'ok\n')

    def test_queue_many_items_then_return(self):
        out = self.run_ok('''
            import multiprocessing
            def f(q):
                for i in range(2000):
                    q.put(i)
            q = multiprocessing.Queue()
            p = GProcess.Process(target=f, args=(q,))
            p.start()
            items = [q.get(timeout=30) for _ in range(2000)]
            p.join(30)
            print(items == list(range(2000)), p.exitcode)
        ''')
        self.assertEqual(out.stdout, 'True 0\n')

    def test_queue_used_by_parent_before_fork(self):
        # Queue._after_fork (a registered after-fork hook) must run in the child
        out = self.run_ok('''
            import multiprocessing
            def f(q):
                for i in range(100):
                    q.put(('child', i))
            q = multiprocessing.Queue()
            q.put('parent')
            assert q.get(timeout=30) == 'parent'
            p = GProcess.Process(target=f, args=(q,))
            p.start()
            items = [q.get(timeout=30) for _ in range(100)]
            p.join(30)
            print(len(items), items[-1], p.exitcode)
        ''')
        self.assertEqual(out.stdout, "100 ('child', 99) 0\n")

    def test_rlock_held_by_parent_at_start(self):
        # multiprocessing.RLock's after-fork hook: the child does not own the parent's lock
        out = self.run_ok('''
            import multiprocessing
            def f(lock, q):
                q.put(lock.acquire(timeout=0.2))
            lock = multiprocessing.RLock()
            q = multiprocessing.Queue()
            with lock:
                p = GProcess.Process(target=f, args=(lock, q))
                p.start()
                got = q.get(timeout=30)
            p.join(30)
            print(got, p.exitcode)
        ''')
        self.assertEqual(out.stdout, 'False 0\n')

    def test_manager_dict_eight_children(self):
        out = self.run_ok('''
            import multiprocessing
            def f(d, n):
                for i in range(200):
                    d['%d-%d' % (n, i)] = i
            if __name__ == '__main__':
                with multiprocessing.Manager() as manager:
                    d = manager.dict()
                    procs = [GProcess.Process(target=f, args=(d, n)) for n in range(8)]
                    for p in procs:
                        p.start()
                    for p in procs:
                        p.join(60)
                    print(len(d), [p.exitcode for p in procs])
        ''')
        self.assertEqual(out.stdout, '1600 [0, 0, 0, 0, 0, 0, 0, 0]\n')

    def test_current_process_in_child(self):
        out = self.run_ok('''
            import multiprocessing, os, threading
            def f(fd, parent_pid):
                me = multiprocessing.current_process()
                report = [
                    me is GProcess.current_process(),
                    me.name, me.pid == os.getpid(), me.daemon, me.authkey == b'key',
                    me._identity, me._parent_pid == parent_pid,
                    me._config['authkey'] == b'key', me._config['semprefix'],
                    multiprocessing.parent_process().pid == parent_pid,
                    multiprocessing.parent_process().name,
                    multiprocessing.parent_process().is_alive(),
                    multiprocessing.parent_process() == GProcess.parent_process(),
                    multiprocessing.active_children(),
                    threading.main_thread().native_id == threading.get_native_id(),
                ]
                os.write(fd, repr(report).encode())
            other = GProcess.Process(target=lambda: None)
            other.start()
            r, w = os.pipe()
            p = GProcess.Process(target=f, args=(w, os.getpid()), name='Kid', daemon=True)
            p.authkey = b'key'
            p.start()
            os.close(w)
            report = os.read(r, 10000).decode()
            p.join(30)
            other.join(30)
            print(report, p.exitcode)
        ''')
        self.assertEqual(out.stdout,
                         "[True, 'Kid', True, True, True, (2,), True, True, '/mp', True, 'MainProcess', True, True, [], "
                         "True] 0\n")

    def test_active_children_in_parent(self):
        out = self.run_ok('''
            import multiprocessing, os
            r, w = os.pipe()
            p = GProcess.Process(target=os.read, args=(r, 1))
            p.start()
            print(p in multiprocessing.active_children())
            os.write(w, b'x')
            p.join(30)
            print(p in multiprocessing.active_children(), p.exitcode)
        ''')
        self.assertEqual(out.stdout, 'True\nFalse 0\n')

    def test_multiprocessing_imported_after_start(self):
        out = self.run_ok('''
            import os
            r, w = os.pipe()
            p = GProcess.Process(target=os.read, args=(r, 1))
            p.start()
            import multiprocessing
            ctx = GProcess.get_context()
            print(p in multiprocessing.active_children())
            os.write(w, b'x')
            p.join(30)
        ''')
        self.assertEqual(out.stdout, 'True\n')

    def test_logging_process_name(self):
        for imports in ('                    import multiprocessing, logging\n',
                        '                    import logging\n'):
            with self.subTest(imports=imports):
                out = self.run_ok(imports + '''\
                    import sys
                    logging.basicConfig(format='%(processName)s: %(message)s', stream=sys.stdout,
                                        level=logging.INFO)
                    def f():
                        logging.info('from the child')
                    p = GProcess.Process(target=f, name='Worker-7')
                    p.start()
                    p.join(30)
                    logging.info('from the parent')
                ''')
                self.assertEqual(out.stdout, 'Worker-7: from the child\nMainProcess: from the parent\n')

    def test_log_to_stderr_lifecycle(self):
        out = self.run_ok('''
            import logging, multiprocessing
            multiprocessing.log_to_stderr(logging.INFO)
            p = GProcess.Process(target=lambda: None, name='Kid')
            p.start()
            p.join(30)
        ''')
        self.assertIn('[INFO/Kid] child process calling self.run()\n', out.stderr)
        self.assertIn('[INFO/Kid] process shutting down\n', out.stderr)
        self.assertIn('[INFO/Kid] process exiting with exitcode 0\n', out.stderr)

    def test_finalizers_and_after_fork_hooks(self):
        out = self.run_ok('''
            import multiprocessing.util as util, os, sys
            class Thing: pass
            thing = Thing()
            util.Finalize(thing, print, ('parent finalizer',), exitpriority=1)
            util.register_after_fork(thing, lambda obj: print('after fork', os.getpid() != parent))
            parent = os.getpid()
            def f():
                util.Finalize(thing, print, ('child finalizer',), exitpriority=1)
            p = GProcess.Process(target=f)
            p.start()
            p.join(30)
            sys.stdout.flush()
            os._exit(0)   # the parent's own finalizers are not the point here
        ''')
        self.assertEqual(out.stdout, 'after fork True\nchild finalizer\n')

    def test_stdin_replaced_when_not_descriptor_0(self):
        out = self.run_ok('''
            import os, sys
            r, w = os.pipe()
            os.write(w, b'for the parent')
            os.close(w)
            sys.stdin = open(r)
            def f():
                print('child read %r' % sys.stdin.read())
            p = GProcess.Process(target=f)
            p.start()
            p.join(30)
            print('parent read %r' % sys.stdin.read())
        ''')
        self.assertEqual(out.stdout, "child read ''\nparent read 'for the parent'\n")

    def test_exit_codes_and_traceback_with_multiprocessing(self):
        out = run_program(self, '''
            import multiprocessing, sys
            def boom():
                raise RuntimeError('boom')
            for target in (boom, lambda: sys.exit('bye'), lambda: sys.exit(3), lambda: None):
                p = GProcess.Process(target=target, name='Bomb')
                p.start()
                p.join(30)
                print(p.exitcode)
        ''')
        self.assertEqual(out.stdout, '1\n1\n3\n0\n')
        self.assertIn('Process Bomb:\nTraceback (most recent call last):', out.stderr)
        self.assertIn('RuntimeError: boom\n', out.stderr)
        self.assertIn('bye\n', out.stderr)


class TestContexts(unittest.TestCase):

    def run_ok(self, source, **kwargs):
        out = run_program(self, source, **kwargs)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out

    def test_get_context(self):
        out = self.run_ok('''
            import multiprocessing
            ctx = GProcess.get_context()
            print(ctx is GProcess.get_context('fork'), ctx.get_context() is ctx,
                  ctx.get_start_method(), issubclass(ctx.Process, GProcess.Process))
            try:
                GProcess.get_context('spawn')
            except ValueError as e:
                print(e)
            p = ctx.Process(target=lambda: None)
            print(p.name.startswith('ForkProcess-'))
            p.start(); p.join(30)
            print(p.exitcode)
        ''')
        self.assertEqual(out.stdout, "True True fork True\ncannot find context for 'spawn'\nTrue\n0\n")

    def test_pool(self):
        out = self.run_ok('''
            import multiprocessing
            from multiprocessing.pool import Pool
            def square(x):
                return x * x
            def who(_):
                me = multiprocessing.current_process()
                return isinstance(me, GProcess.Process), me.name.split('-')[0]
            if __name__ == '__main__':
                with Pool(4, context=GProcess.get_context()) as pool:
                    print(sum(pool.map(square, range(100))))
                    print(set(pool.map(who, range(20))))
                    print(pool.apply_async(square, (7,)).get(timeout=30))
        ''')
        self.assertEqual(out.stdout, "328350\n{(True, 'ForkPoolWorker')}\n49\n")

    def test_ctx_pool_maxtasksperchild(self):
        out = self.run_ok('''
            import os
            def pid(_):
                return os.getpid()
            ctx = GProcess.get_context()
            with ctx.Pool(2, maxtasksperchild=1) as pool:
                pids = pool.map(pid, range(10), chunksize=1)
            print(len(pids), len(set(pids)) >= 5)
        ''')
        self.assertEqual(out.stdout, '10 True\n')

    def test_process_pool_executor(self):
        out = self.run_ok('''
            from concurrent.futures import ProcessPoolExecutor
            def cube(x):
                return x ** 3
            if __name__ == '__main__':
                with ProcessPoolExecutor(max_workers=3, mp_context=GProcess.get_context()) as ex:
                    print(list(ex.map(cube, range(10))))
                    print(ex.submit(cube, 5).result(timeout=30))
        ''')
        self.assertEqual(out.stdout, '[0, 1, 8, 27, 64, 125, 216, 343, 512, 729]\n125\n')

    def test_ctx_manager(self):
        out = self.run_ok('''
            ctx = GProcess.get_context()
            def f(d, l, n):
                d[n] = n * n
                l.append(n)
            with ctx.Manager() as manager:
                d, l = manager.dict(), manager.list()
                procs = [ctx.Process(target=f, args=(d, l, n)) for n in range(8)]
                for p in procs:
                    p.start()
                for p in procs:
                    p.join(60)
                print(sorted(d.items()) == [(n, n * n) for n in range(8)], sorted(l))
                print(type(manager._process).__name__, manager._process.name.startswith('SyncManager-'))
        ''')
        self.assertEqual(out.stdout, 'True [0, 1, 2, 3, 4, 5, 6, 7]\nForkProcess True\n')

    def test_base_manager_subclass(self):
        out = self.run_ok('''
            from multiprocessing.managers import BaseManager
            class Counter:
                def __init__(self):
                    self.n = 0
                def add(self, k):
                    self.n += k
                    return self.n
            class MyManager(BaseManager):
                pass
            MyManager.register('Counter', Counter)
            m = MyManager(ctx=GProcess.get_context())
            m.start()
            c = m.Counter()
            print(c.add(2), c.add(3), m._process.name.startswith('MyManager-'))
            m.shutdown()
            print(m._process.exitcode)
        ''')
        self.assertEqual(out.stdout, '2 5 True\n0\n')

    def test_pool_example(self):
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'examples',
                            'python', 'pool.py')
        with open(path, encoding='utf-8') as f:
            source = f.read()
        out = self.run_ok(source)
        squares = '[0, 1, 4, 9, 16, 25, 36, 49]'
        self.assertEqual(out.stdout, 'Pool: %s\nProcessPoolExecutor: %s\nManager: %s\n'
                         % (squares, squares, squares))


if __name__ == '__main__':
    unittest.main(verbosity=2)
