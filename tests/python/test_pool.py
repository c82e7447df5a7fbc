#!/usr/bin/python3
# test_pool.py (run by test_gprocess.py, as every tests/python/test_*.py): GProcess.ProcessPoolExecutor (issue 18): one test per semantic point, and one
# test per row of the comparison table of docs/reference/pools-table.xml (TestTable: each test
# shows GProcess's cell, and where it is cheap to show, concurrent.futures' cell beside it).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import asyncio
import concurrent.futures as cf
import os
import pickle
import signal
import sys
import threading
import time
import unittest

import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GProcess  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gprocess_testutil import run_program  # noqa: E402

# Until the C GProcessPool (wip/pool) is merged, the executor has nothing to run on
needs_pool = unittest.skipUnless(hasattr(GProcess, 'Pool'), 'this build has no GProcessPool')

LONG = 60


def broken_process_pool():
    # Imported here: importing multiprocessing when this module loads would spoil
    # test_gprocess.py's check that importing GProcess does not
    import concurrent.futures.process
    return concurrent.futures.process.BrokenProcessPool


# Tasks (module level: they travel by reference)

def square(x):
    return x * x


def pid():
    return os.getpid()


def raise_value_error(text):
    raise ValueError(text)


def exit_with(code):
    os._exit(code)


def kill_self(signum):
    os.kill(os.getpid(), signum)
    time.sleep(LONG)


def sleep_then(seconds, value):
    time.sleep(seconds)
    return value


def write_then_sleep(fd):
    os.write(fd, str(os.getpid()).encode())
    time.sleep(LONG)


def write_then_return(fd, seconds, value):
    os.write(fd, b'1')
    time.sleep(seconds)
    return value


def allocate_forever():
    hog = []
    while True:
        hog.append(bytearray(16 << 20))


_init_count = 0


def initializer(value):
    global _init_count
    _init_count += value


def init_count():
    return (os.getpid(), _init_count)


def alive(p):
    try:
        os.kill(p, 0)
    except ProcessLookupError:
        return False
    try:
        with open('/proc/%d/stat' % p) as f:
            return f.read().rpartition(')')[2].split()[0] != 'Z'
    except (ProcessLookupError, FileNotFoundError):
        return False   # reaped between the kill(0) and the open


def wait_gone(p, timeout=10):
    """Waits on a pidfd (the kernel wakes us) until process p has ended."""
    import select
    try:
        fd = os.pidfd_open(p)
    except ProcessLookupError:
        return True
    try:
        select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    return not alive(p)


class RunningTask:
    """A task that says, through a pipe, that it runs (and its pid)."""

    def __init__(self, ex):
        self.r, self.w = os.pipe()
        self.future = ex.submit(write_then_sleep, self.w)

    def wait_running(self):
        import select
        ready, _, _ = select.select([self.r], [], [], 30)
        assert ready, 'the task did not start'
        self.pid = int(os.read(self.r, 32))
        return self.pid

    def close(self):
        os.close(self.r)
        os.close(self.w)


@needs_pool
class PoolTestCase(unittest.TestCase):
    def setUp(self):
        self.ex = GProcess.ProcessPoolExecutor(2)

    def tearDown(self):
        self.ex.shutdown(wait=True, cancel_futures=True)


class TestBasics(PoolTestCase):

    def test_is_a_concurrent_futures_executor(self):
        self.assertIsInstance(self.ex, cf.Executor)
        f = self.ex.submit(square, 7)
        self.assertIsInstance(f, cf.Future)
        self.assertEqual(f.result(timeout=30), 49)

    def test_runs_in_another_process(self):
        self.assertNotEqual(self.ex.submit(pid).result(timeout=30), os.getpid())

    def test_workers_are_reused(self):
        pids = {self.ex.submit(pid).result(timeout=30) for _ in range(20)}
        self.assertLessEqual(len(pids), 2)

    def test_map_keeps_order_with_chunks(self):
        self.assertEqual(list(self.ex.map(square, range(100), chunksize=7)),
                         [x * x for x in range(100)])
        self.assertEqual(list(self.ex.map(pow, [2, 3], [5, 2])), [32, 9])

    def test_map_timeout(self):
        it = self.ex.map(sleep_then, [LONG], [1], timeout=0.2)
        with self.assertRaises(TimeoutError):
            list(it)

    def test_bad_arguments(self):
        with self.assertRaises(ValueError):
            GProcess.ProcessPoolExecutor(0)
        with self.assertRaises(TypeError):
            GProcess.ProcessPoolExecutor(1, initializer=3)
        with self.assertRaises(ValueError):
            GProcess.ProcessPoolExecutor(1, max_tasks_per_child=0)
        with self.assertRaises(ValueError):
            self.ex.map(square, [1], chunksize=0)


class TestExceptions(PoolTestCase):

    def test_task_exception_keeps_its_type_and_remote_traceback(self):
        f = self.ex.submit(raise_value_error, 'bad input')
        with self.assertRaises(ValueError) as cm:
            f.result(timeout=30)
        self.assertEqual(str(cm.exception), 'bad input')
        self.assertIsInstance(cm.exception.__cause__, GProcess.RemoteTraceback)
        self.assertIn('raise_value_error', str(cm.exception.__cause__))

    def test_task_exception_keeps_the_worker(self):
        p = self.ex.submit(pid).result(timeout=30)
        self.ex.submit(raise_value_error, 'x').exception(timeout=30)
        self.assertTrue(alive(p))

    def test_unpicklable_function_fails_at_submit(self):
        with self.assertRaises((pickle.PicklingError, AttributeError, TypeError)):
            self.ex.submit(lambda: 1)
        with self.assertRaises((pickle.PicklingError, TypeError)):
            self.ex.submit(square, threading.Lock())

    def test_unpicklable_result_fails_its_future(self):
        f = self.ex.submit(threading.Lock)
        self.assertIsInstance(f.exception(timeout=30), TypeError)
        self.assertEqual(self.ex.submit(square, 3).result(timeout=30), 9)


class TestWorkerDeath(PoolTestCase):

    def check_lost(self, fn, arg, exitcode):
        f = self.ex.submit(fn, arg)
        e = f.exception(timeout=30)
        self.assertIsInstance(e, GProcess.WorkerLostError)
        self.assertIsInstance(e, broken_process_pool())
        self.assertEqual(e.exitcode, exitcode)
        self.assertIsInstance(e.pid, int)
        self.assertNotEqual(e.pid, os.getpid())
        return e

    def test_exit_fails_only_its_future(self):
        e = self.check_lost(exit_with, 3, 3)
        self.assertIn('3', str(e))

    def test_sigsegv_fails_only_its_future(self):
        self.check_lost(kill_self, signal.SIGSEGV, -signal.SIGSEGV)

    def test_sigkill_fails_only_its_future(self):
        self.check_lost(kill_self, signal.SIGKILL, -signal.SIGKILL)

    def test_executor_keeps_working_after_a_death(self):
        beside = self.ex.submit(sleep_then, 0.3, 'beside')
        self.check_lost(exit_with, 5, 5)
        after = [self.ex.submit(square, i) for i in range(10)]
        self.assertEqual(beside.result(timeout=30), 'beside')
        self.assertEqual([f.result(timeout=30) for f in after], [i * i for i in range(10)])

    def test_existing_except_clauses_catch_it(self):
        try:
            self.ex.submit(exit_with, 1).result(timeout=30)
        except broken_process_pool():
            pass
        else:
            self.fail('no BrokenProcessPool')

    def test_worker_lost_error_pickles(self):
        e = pickle.loads(pickle.dumps(GProcess.WorkerLostError('lost', -9, 123)))
        self.assertEqual((str(e), e.exitcode, e.pid), ('lost', -9, 123))


class TestTimeout(PoolTestCase):

    def test_schedule_timeout_is_builtin_timeout_error_and_stops_the_worker(self):
        t = RunningTask(self.ex)
        try:
            f = self.ex.schedule(sleep_then, args=(LONG, 1), timeout=0.3)
            t.wait_running()
            with self.assertRaises(TimeoutError):
                f.result(timeout=30)
        finally:
            t.future.cancel()
            t.close()
        self.assertEqual(self.ex.submit(square, 4).result(timeout=30), 16)

    def test_schedule_timeout_stops_its_worker(self):
        r, w = os.pipe()
        try:
            f = self.ex.schedule(write_then_sleep, args=(w,), timeout=0.3)
            self.assertIsInstance(f.exception(timeout=30), TimeoutError)
            self.assertTrue(wait_gone(int(os.read(r, 32))))
        finally:
            os.close(r)
            os.close(w)

    def test_task_timeout_applies_to_every_task(self):
        with GProcess.ProcessPoolExecutor(2, task_timeout=0.3) as ex:
            slow = ex.submit(sleep_then, LONG, 1)
            fast = ex.submit(sleep_then, 0.01, 'fast')
            self.assertIsInstance(slow.exception(timeout=30), TimeoutError)
            self.assertEqual(fast.result(timeout=30), 'fast')

    def test_schedule_without_timeout_is_submit(self):
        self.assertEqual(self.ex.schedule(square, args=(5,)).result(timeout=30), 25)
        self.assertEqual(self.ex.schedule(pow, args=(2,), kwargs={'exp': 3}).result(30), 8)


class TestCancel(PoolTestCase):

    def test_cancel_running_task_returns_true_and_stops_its_worker(self):
        t = RunningTask(self.ex)
        try:
            worker = t.wait_running()
            self.assertTrue(t.future.running())
            self.assertTrue(t.future.cancel())
            self.assertTrue(t.future.cancelled())
            with self.assertRaises(cf.CancelledError):
                t.future.result(timeout=0)
            self.assertTrue(wait_gone(worker))
        finally:
            t.close()
        self.assertEqual(self.ex.submit(square, 6).result(timeout=30), 36)

    def test_cancel_queued_task_never_runs(self):
        import tempfile
        path = os.path.join(tempfile.mkdtemp(), 'ran')
        with GProcess.ProcessPoolExecutor(1) as ex:
            t = RunningTask(ex)
            try:
                t.wait_running()
                queued = ex.submit(open, path, 'w')
                self.assertTrue(queued.cancel())
                t.future.cancel()
                self.assertEqual(ex.submit(square, 2).result(timeout=30), 4)
            finally:
                t.close()
        self.assertFalse(os.path.exists(path))

    def test_cancel_done_task_returns_false(self):
        f = self.ex.submit(square, 2)
        f.result(timeout=30)
        self.assertFalse(f.cancel())

    def test_shutdown_cancel_futures(self):
        import select
        ex = GProcess.ProcessPoolExecutor(1)
        r, w = os.pipe()
        first = ex.submit(write_then_return, w, 0.3, 'first')
        rest = [ex.submit(square, i) for i in range(50)]
        self.assertTrue(select.select([r], [], [], 30)[0])   # first runs
        ex.shutdown(wait=True, cancel_futures=True)
        os.close(r)
        os.close(w)
        self.assertEqual(first.result(timeout=0), 'first')
        self.assertTrue(any(f.cancelled() for f in rest))
        self.assertTrue(all(f.done() for f in rest))

    def test_submit_after_shutdown(self):
        self.ex.shutdown()
        with self.assertRaises(RuntimeError):
            self.ex.submit(square, 1)


class TestWaiting(PoolTestCase):

    def test_as_completed(self):
        fs = [self.ex.submit(sleep_then, 0.05 * (5 - i), i) for i in range(5)]
        self.assertEqual(sorted(f.result() for f in cf.as_completed(fs, timeout=30)),
                         list(range(5)))

    def test_as_completed_sees_a_cancelled_running_task(self):
        t = RunningTask(self.ex)
        try:
            t.wait_running()
            done = []

            def consume():
                done.extend(cf.as_completed([t.future], timeout=30))
            th = threading.Thread(target=consume)
            th.start()
            t.future.cancel()
            th.join(30)
            self.assertEqual(done, [t.future])
        finally:
            t.close()

    def test_wait_first_exception(self):
        fs = [self.ex.submit(sleep_then, LONG, 0), self.ex.submit(exit_with, 2)]
        done, not_done = cf.wait(fs, timeout=30, return_when=cf.FIRST_EXCEPTION)
        self.assertEqual(done, {fs[1]})
        fs[0].cancel()

    def test_asyncio_run_in_executor(self):
        async def main():
            loop = asyncio.get_running_loop()
            return await asyncio.gather(*(loop.run_in_executor(self.ex, square, i)
                                          for i in range(10)))
        self.assertEqual(asyncio.run(main()), [i * i for i in range(10)])

    def test_asyncio_cancel_stops_running_task(self):
        async def main():
            loop = asyncio.get_running_loop()
            r, w = os.pipe()
            task = asyncio.ensure_future(loop.run_in_executor(self.ex, write_then_sleep, w))
            data = await loop.run_in_executor(None, os.read, r, 32)
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
            os.close(r)
            os.close(w)
            return int(data)
        self.assertTrue(wait_gone(asyncio.run(main())))


@needs_pool
class TestWorkers(unittest.TestCase):

    def test_initializer_runs_once_per_worker(self):
        with GProcess.ProcessPoolExecutor(1, initializer=initializer, initargs=(5,)) as ex:
            got = [ex.submit(init_count).result(timeout=30) for _ in range(5)]
        self.assertEqual({g[1] for g in got}, {5})

    def test_max_tasks_per_child_replaces_workers(self):
        with GProcess.ProcessPoolExecutor(1, max_tasks_per_child=2) as ex:
            pids = [ex.submit(pid).result(timeout=30) for _ in range(6)]
        self.assertEqual(len(set(pids)), 3)

    def test_max_worker_memory_fails_a_runaway_task(self):
        with GProcess.ProcessPoolExecutor(1, max_worker_memory=256 << 20) as ex:
            e = ex.submit(allocate_forever).exception(timeout=60)
            self.assertIsInstance(e, (GProcess.WorkerLostError, MemoryError))
            self.assertEqual(ex.submit(square, 3).result(timeout=30), 9)

    # NOT DONE: the C pool refuses, under the fork server, a function that is not the
    # program's code (dladdr), and PyGObject's callback is a libffi closure made at run time.
    # The Python executor needs a C entry for bindings (a worker function of the library that
    # calls a hook set before the server starts) from the C pool (wip/pool).
    @unittest.expectedFailure
    def test_forkserver_context(self):
        out = run_program(self, '''
            import os
            def square(x):
                return x * x
            if __name__ == '__main__':
                GProcess.start_fork_server()
                with GProcess.ProcessPoolExecutor(
                        2, mp_context=GProcess.get_context('forkserver')) as ex:
                    print(list(ex.map(square, range(5))), ex.submit(os.getppid).result(30) != os.getpid())
        ''', timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.split('\n')[0], '[0, 1, 4, 9, 16] True')

    def test_leaves_no_process_and_no_descriptor(self):
        out = run_program(self, '''
            import os
            def square(x):
                return x * x
            with GProcess.ProcessPoolExecutor(1) as ex:   # the library's own, made once
                ex.submit(square, 1).result()
            before = len(os.listdir('/proc/self/fd'))
            for _ in range(3):
                with GProcess.ProcessPoolExecutor(2) as ex:
                    assert list(ex.map(square, range(200))) == [x * x for x in range(200)]
            print(len(os.listdir('/proc/self/fd')) - before)
        ''')
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), '0')

    def test_unfinished_executor_completes_at_exit(self):
        out = run_program(self, '''
            import time
            def slow(x):
                time.sleep(0.2)
                print('done', x, flush=True)
            ex = GProcess.ProcessPoolExecutor(1)
            ex.submit(slow, 1)
        ''')
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), 'done 1')

    def test_multiprocessing_pool_on_gprocess_context(self):
        out = run_program(self, '''
            def square(x):
                return x * x
            if __name__ == '__main__':
                with GProcess.get_context().Pool(2) as pool:
                    print(pool.map(square, range(10)))
        ''')
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), str([x * x for x in range(10)]))


@needs_pool
class TestTable(unittest.TestCase):
    """One test per row of the comparison table (docs/reference/pools-table.xml)."""

    def test_row_crash_fails_only_its_task(self):
        with GProcess.ProcessPoolExecutor(2) as ex:
            fs = [ex.submit(exit_with, 9)] + [ex.submit(square, i) for i in range(20)]
            self.assertIsInstance(fs[0].exception(30), GProcess.WorkerLostError)
            self.assertEqual([f.result(30) for f in fs[1:]], [i * i for i in range(20)])
        # concurrent.futures' cell: every other task of the pool fails
        with cf.ProcessPoolExecutor(2) as ex:
            fs = [ex.submit(exit_with, 9)] + [ex.submit(sleep_then, 0.5, i) for i in range(4)]
            self.assertTrue(all(isinstance(f.exception(30),
                                           broken_process_pool())
                                for f in fs))

    def test_row_usable_after_a_crash(self):
        with GProcess.ProcessPoolExecutor(1) as ex:
            ex.submit(kill_self, signal.SIGKILL).exception(30)
            self.assertEqual(ex.submit(square, 3).result(30), 9)
        with cf.ProcessPoolExecutor(1) as ex:
            ex.submit(exit_with, 1).exception(30)
            with self.assertRaises(broken_process_pool()):
                ex.submit(square, 3)

    def test_row_per_task_timeout(self):
        with GProcess.ProcessPoolExecutor(1) as ex:
            self.assertIsInstance(ex.schedule(sleep_then, (LONG, 0), timeout=0.2).exception(30),
                                  TimeoutError)
            self.assertEqual(ex.submit(square, 2).result(30), 4)

    def test_row_cancel_running_task(self):
        with GProcess.ProcessPoolExecutor(1) as ex:
            t = RunningTask(ex)
            t.wait_running()
            self.assertTrue(t.future.cancel())
            t.close()
        with cf.ProcessPoolExecutor(1) as ex:
            f = ex.submit(sleep_then, 0.5, 0)
            while not f.running():
                time.sleep(0.01)
            self.assertFalse(f.cancel())   # concurrent.futures' cell

    def test_row_worker_lost_is_typed_with_exit_code(self):
        with GProcess.ProcessPoolExecutor(1) as ex:
            e = ex.submit(kill_self, signal.SIGABRT).exception(30)
            self.assertEqual((type(e), e.exitcode), (GProcess.WorkerLostError, -signal.SIGABRT))

    def test_row_max_tasks_per_worker(self):
        with GProcess.ProcessPoolExecutor(1, max_tasks_per_child=1) as ex:
            self.assertEqual(len({ex.submit(pid).result(30) for _ in range(3)}), 3)

    def test_row_memory_limit_per_worker(self):
        with GProcess.ProcessPoolExecutor(1, max_worker_memory=256 << 20) as ex:
            self.assertIsInstance(ex.submit(allocate_forever).exception(60),
                                  (GProcess.WorkerLostError, MemoryError))

    # NOT DONE: the C pool refuses, under the fork server, a function that is not the
    # program's code (dladdr), and PyGObject's callback is a libffi closure made at run time.
    # The Python executor needs a C entry for bindings (a worker function of the library that
    # calls a hook set before the server starts) from the C pool (wip/pool).
    @unittest.expectedFailure
    def test_row_forkserver_start(self):
        out = run_program(self, '''
            def square(x):
                return x * x
            if __name__ == '__main__':
                with GProcess.ProcessPoolExecutor(
                        1, mp_context=GProcess.get_context('forkserver')) as ex:
                    print(ex.submit(square, 3).result(30))
        ''', timeout=120)
        self.assertEqual((out.returncode, out.stdout.strip()), (0, '9'), out.stderr)

    def test_row_asyncio(self):
        with GProcess.ProcessPoolExecutor(1) as ex:
            async def main():
                return await asyncio.get_running_loop().run_in_executor(ex, square, 5)
            self.assertEqual(asyncio.run(main()), 25)

    def test_row_main_loop_native_pool_for_c_gjs_vala(self):
        # The executor is built on GProcess.Pool, the GObject C, gjs and Vala use
        self.assertTrue(hasattr(GProcess, 'Pool'))
        self.assertTrue(GProcess.Pool.__gtype__.is_a(GProcess.Pool.__gtype__))
        with GProcess.ProcessPoolExecutor(1) as ex:
            self.assertIsInstance(ex._pool, GProcess.Pool)


if __name__ == '__main__':
    unittest.main(verbosity=2)
