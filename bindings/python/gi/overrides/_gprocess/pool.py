# pool.py: GProcess.ProcessPoolExecutor, over the library's GProcessPool
# (concurrent/futures/process.py)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""``ProcessPoolExecutor``: a ``concurrent.futures.Executor`` whose workers are a
``GProcessPool`` (issue 18): a worker that dies fails only its own future
(``WorkerLostError``), a task can time out (``TimeoutError``) or be cancelled while it runs
(its worker is stopped and replaced), and the executor goes on.

A task crosses as one GVariant ``ay``: the pickled ``(initializer, fn, args, kwargs)``; its
outcome comes back as process results do (``results.set_outcome``: ``(say)``, with the
exception's ``RemoteTraceback``).

Threads: the ``GProcessPool`` belongs to a private ``GMainContext``, iterated by one Python
thread per executor (started by the first submit), so that futures complete without the
program running a main loop, and ``result()``, ``as_completed()``, ``wait()`` and asyncio's
``run_in_executor`` work from any thread. Every call on the pool is made in that thread:
``submit()`` queues the task and wakes the context (once per batch of submits)."""

import collections
import concurrent.futures as _cf
import concurrent.futures.process as _cfp
import functools
import os
import pickle
import re
import signal
import threading
import traceback
import weakref

from gi.repository import Gio, GLib

from . import _cpython, lib, results

_FINISHED = 'FINISHED'
_RUNNING = 'RUNNING'
_CANCELLED = 'CANCELLED'
_CANCELLED_AND_NOTIFIED = 'CANCELLED_AND_NOTIFIED'


class WorkerLostError(_cfp.BrokenProcessPool):
    """The worker running the task died (a signal, ``os._exit()``, the memory limit): only
    this task fails, the executor goes on. ``exitcode`` is as ``Process.exitcode`` (``-N``
    for signal N), ``pid`` the worker's; either may be ``None`` when unknown."""

    def __init__(self, message, exitcode=None, pid=None):
        super().__init__(message)
        self.exitcode = exitcode
        self.pid = pid

    def __reduce__(self):
        return (type(self), (str(self), self.exitcode, self.pid))


WorkerLostError.__module__ = 'gi.repository.GProcess'

_ERROR_DOMAIN = 'g-process-error-quark'
_IO_ERROR_DOMAIN = 'g-io-error-quark'


def _worker_lost(error):
    # The library's message (translated) names the pid first, then the signal or the code
    message = error.message
    numbers = [int(n) for n in re.findall(r'-?\d+', message)]
    pid = numbers[0] if numbers else None
    exitcode = None
    m = re.search(r'\bSIG[A-Z0-9]+', message)
    if m is not None and m.group(0) in signal.Signals.__members__:
        exitcode = -signal.Signals[m.group(0)]
    elif len(numbers) > 1:
        exitcode = numbers[1]
    return WorkerLostError(message, exitcode, pid)


def _exception_for(error):
    """The exception a future gets for the pool's GError."""
    domain = GLib.quark_to_string(error.domain) if isinstance(error.domain, int) else error.domain
    if domain == _ERROR_DOMAIN and error.code == lib.Error.WORKER_LOST:
        return _worker_lost(error)
    if domain == _IO_ERROR_DOMAIN and error.code == Gio.IOErrorEnum.TIMED_OUT:
        return TimeoutError(error.message)
    if domain == _ERROR_DOMAIN and error.code == lib.Error.CLOSED:
        return _cfp.BrokenProcessPool(error.message)
    return error


# In the worker ------------------------------------------------------------------------------

_initialized_with = None   # the initializer this worker ran (its pickle)


def _run_task(task, *_user_data):
    """The pool's GProcessPoolFunc, in a worker: one pickled call in, its outcome out."""
    global _initialized_with
    kind = 'python-value'
    try:
        init, fn, args, kwargs = pickle.loads(task.get_data_as_bytes().get_data())
        if init is not None and init != _initialized_with:
            initializer, initargs = pickle.loads(init)
            initializer(*initargs)
            _initialized_with = init
        payload = fn(*args, **kwargs)
        data = pickle.dumps(payload, pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:   # noqa: B902 -- SystemExit, KeyboardInterrupt: the task's
        kind = 'python-exception'
        text = ''.join(traceback.format_exception(exc))
        try:
            data = pickle.dumps((exc, text), pickle.HIGHEST_PROTOCOL)
            pickle.loads(data)
        except BaseException as e:   # an exception (or a value) that does not pickle
            data = pickle.dumps((TypeError('%s: %s (%s)' % (type(exc).__qualname__, exc, e)),
                                 text), pickle.HIGHEST_PROTOCOL)
    return GLib.Variant.new_tuple(GLib.Variant('s', kind), results.bytes_variant(data))


# In the parent ------------------------------------------------------------------------------

class _Future(_cf.Future):
    """A future whose ``cancel()`` also stops a running task (its worker is replaced)."""

    def __init__(self, executor, timeout):
        super().__init__()
        self._executor = executor
        self._timeout = timeout
        self._cancellable = None    # while the pool has the task
        self._timer = None

    def cancel(self):
        with self._condition:
            if self._state == _FINISHED:
                return False
            if self._state in (_CANCELLED, _CANCELLED_AND_NOTIFIED):
                return True
            if self._state == _RUNNING:
                # What set_running_or_notify_cancel() does for a pending future
                self._state = _CANCELLED_AND_NOTIFIED
                for waiter in self._waiters:
                    waiter.add_cancelled(self)
                running = True
            else:
                self._state = _CANCELLED
                running = False
            self._condition.notify_all()
        if running:
            self._executor._stop_task(self)
        self._invoke_callbacks()
        return True


class ProcessPoolExecutor(_cf.Executor):
    """``concurrent.futures.ProcessPoolExecutor`` on a ``GProcessPool``: worker deaths,
    per-task timeouts and cancelled running tasks fail only their own futures.

    ``mp_context``: ``GProcess.get_context('fork')`` or ``('forkserver')`` (or a
    ``multiprocessing`` context of those methods); by default the library's start method.
    ``task_timeout`` (seconds) applies to every task, ``schedule(timeout=)`` to one;
    ``max_worker_memory`` (bytes) replaces a worker that grows past it."""

    def __init__(self, max_workers=None, mp_context=None, initializer=None, initargs=(),
                 max_tasks_per_child=None, *, task_timeout=None, max_worker_memory=None):
        if max_workers is None:
            max_workers = os.cpu_count() or 1
        elif max_workers <= 0:
            raise ValueError('max_workers must be greater than 0')
        if initializer is not None and not callable(initializer):
            raise TypeError('initializer must be a callable')
        if max_tasks_per_child is not None:
            if not isinstance(max_tasks_per_child, int):
                raise TypeError('max_tasks_per_child must be an integer')
            if max_tasks_per_child <= 0:
                raise ValueError('max_tasks_per_child must be >= 1')
        if task_timeout is not None and task_timeout <= 0:
            raise ValueError('task_timeout must be greater than 0')
        if max_worker_memory is not None and max_worker_memory <= 0:
            raise ValueError('max_worker_memory must be greater than 0')
        method = None if mp_context is None else mp_context.get_start_method()
        if method not in (None, 'fork', 'forkserver'):
            raise ValueError('GProcess.ProcessPoolExecutor starts workers by fork or '
                             'forkserver, not %r' % method)
        self._max_workers = max_workers
        self._init = None if initializer is None else \
            pickle.dumps((initializer, tuple(initargs)), pickle.HIGHEST_PROTOCOL)

        self._context = GLib.MainContext.new()
        self._context.push_thread_default()
        try:
            self._pool = lib.Pool.new(_run_task, None, max_workers)
        finally:
            self._context.pop_thread_default()
        if method is not None:
            self._pool.set_start_method(lib.StartMethod.FORK if method == 'fork'
                                        else lib.StartMethod.FORKSERVER)
        if max_tasks_per_child is not None:
            self._pool.set_max_tasks_per_worker(max_tasks_per_child)
        if task_timeout is not None:
            self._pool.set_task_timeout(int(task_timeout * 1e6))
        if max_worker_memory is not None:
            self._pool.set_max_worker_memory(int(max_worker_memory))

        self._lock = threading.Lock()       # the queue, the wake-up, the shutdown flag
        self._queue = collections.deque()   # (future, pickled task), not yet given to the pool
        self._wake_pending = False
        self._shutdown = False
        self._in_flight = 0                 # given to the pool (loop thread only)
        self._loop = GLib.MainLoop.new(self._context, False)
        self._thread = None
        self._closed = threading.Event()    # the pool closed and joined, the loop quit

    # submit, schedule, map, shutdown -------------------------------------------------------

    def submit(self, fn, /, *args, **kwargs):
        return self._submit(fn, args, kwargs, None)

    submit.__doc__ = _cf.Executor.submit.__doc__

    def schedule(self, fn, args=(), kwargs=None, timeout=None):
        """pebble's ``schedule()``: ``fn(*args, **kwargs)``, which fails with ``TimeoutError``
        (its worker stopped) once it has run ``timeout`` seconds."""
        if timeout is not None and timeout <= 0:
            raise ValueError('timeout must be greater than 0')
        return self._submit(fn, tuple(args), dict(kwargs or {}), timeout)

    def _submit(self, fn, args, kwargs, timeout):
        if not callable(fn):
            raise TypeError('%r is not callable' % (fn,))
        # Pickled here: what cannot reach the worker fails now, not in the worker
        data = pickle.dumps((self._init, fn, args, kwargs), pickle.HIGHEST_PROTOCOL)
        future = _Future(self, timeout)
        with self._lock:
            if self._shutdown:
                raise RuntimeError('cannot schedule new futures after shutdown')
            if _exiting:
                raise RuntimeError('cannot schedule new futures after interpreter shutdown')
            self._queue.append((future, data))
            wake = not self._wake_pending
            self._wake_pending = True
            if self._thread is None:
                self._start_thread()
        if wake:
            self._invoke(self._hand_over)
        return future

    def map(self, fn, *iterables, timeout=None, chunksize=1):
        """As ``ProcessPoolExecutor.map``: ``chunksize`` items travel as one task."""
        if chunksize < 1:
            raise ValueError('chunksize must be >= 1.')
        process_chunk, get_chunks, chain = _cpython.process_pool_map_helpers()
        results_ = super().map(functools.partial(process_chunk, fn),
                               get_chunks(*iterables, chunksize=chunksize), timeout=timeout)
        return chain(results_)

    def shutdown(self, wait=True, *, cancel_futures=False):
        with self._lock:
            self._shutdown = True
            cancelled = []
            if cancel_futures:
                cancelled = list(self._queue)
                self._queue.clear()
            started = self._thread is not None
        for future, _ in cancelled:
            future.cancel()
        if not started:
            self._pool.close()
            self._closed.set()
            return
        self._invoke(self._maybe_close)
        if wait:
            self._thread.join()

    shutdown.__doc__ = _cf.Executor.shutdown.__doc__

    # the loop thread ------------------------------------------------------------------------

    def _start_thread(self):
        self._thread = threading.Thread(target=self._run, name='GProcess.ProcessPoolExecutor',
                                        daemon=True)
        self._thread.start()
        _executors.add(self)

    def _run(self):
        self._context.push_thread_default()
        try:
            self._loop.run()
        finally:
            self._context.pop_thread_default()

    def _invoke(self, func, *args):
        # Runs func(*args) in the loop thread, from any thread
        source = GLib.Idle(GLib.PRIORITY_DEFAULT)
        source.set_callback(lambda *_: func(*args) and False)
        source.attach(self._context)

    def _hand_over(self):
        """Gives queued tasks to the pool: up to two per worker in flight, so that a worker
        never waits for this thread; a task with its own timeout only to a free worker (its
        clock starts when it is given)."""
        with self._lock:
            self._wake_pending = False
        while True:
            with self._lock:
                if not self._queue:
                    break
                future = self._queue[0][0]
                limit = self._max_workers * (1 if future._timeout is not None else 2)
                if self._in_flight >= limit:
                    break
                future, data = self._queue.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            cancellable = Gio.Cancellable()
            future._cancellable = cancellable
            self._in_flight += 1
            self._pool.submit_async(results.bytes_variant(data), cancellable, self._on_done,
                                    future)
            if future._timeout is not None:
                future._timer = GLib.Timeout(int(future._timeout * 1000))
                future._timer.set_callback(self._on_timeout, future)
                future._timer.attach(self._context)
        self._maybe_close()
        return False

    def _on_done(self, pool, res, future):
        self._in_flight -= 1
        if future._timer is not None:
            future._timer.destroy()
            future._timer = None
        future._cancellable = None
        try:
            variant = pool.submit_finish(res)
        except GLib.Error as e:
            value, exc = None, _exception_for(e)
        else:
            try:
                value, exc = results.outcome_from_variant(variant)
            except BaseException as e:   # a result that does not unpickle here
                value, exc = None, e
        if not future.done():
            if exc is not None:
                future.set_exception(exc)
            else:
                future.set_result(value)
        self._hand_over()

    def _on_timeout(self, future):
        future._timer = None
        with future._condition:
            running = future._state == _RUNNING
        if running:
            future.set_exception(TimeoutError('the task ran past its timeout (%g s); its '
                                              'worker was stopped' % future._timeout))
            if future._cancellable is not None:
                future._cancellable.cancel()
        return False

    def _stop_task(self, future):
        # From cancel(), in any thread: the pool stops the task's worker, in the loop thread
        def stop():
            if future._cancellable is not None:
                future._cancellable.cancel()
        self._invoke(stop)

    def _maybe_close(self):
        with self._lock:
            done = self._shutdown and not self._queue and self._in_flight == 0
        if done and not self._closed.is_set():
            self._closed.set()
            # Nothing is queued or running: terminate() only ends the workers. (close() lets
            # them exit by themselves, which a worker forked by Python, holding a copy of the
            # pool's end of its own socket, does not do.)
            self._pool.close()
            self._pool.terminate()
            try:
                self._pool.join(-1, None)
            except GLib.Error:
                pass
            self._loop.quit()
        return False


# At exit, as concurrent.futures.process does: executors left running finish their tasks
_executors = weakref.WeakSet()
_exiting = False


def _python_exit():
    global _exiting
    _exiting = True
    for executor in list(_executors):
        executor.shutdown(wait=True)


_cpython.register_atexit(_python_exit)
