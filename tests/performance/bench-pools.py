#!/usr/bin/python3
# bench-pools.py: Python process pools side by side (issue 18): GProcess.ProcessPoolExecutor
# against its anchors, concurrent.futures.ProcessPoolExecutor, multiprocessing.Pool, pebble,
# billiard and loky (joblib's vendored copy).
#
#   round trip   sequential submit(f).result() of a no-op task on a warm pool (median, p90)
#   map          map() of 10,000 tiny tasks, chunksize 1 (tasks per second)
#   chaos        2,000 tasks: 5 % crash their worker (SIGSEGV, abort(), _exit(3), SIGKILL in
#                turn), 2 % hang past a 300 ms deadline, 1 % are cancelled while they run, the
#                rest sleep 5 ms and return i*i. Checked: every other result, the type of each
#                failure, hang (a wall-clock limit), zombies, descriptor growth, wall time
#                against the ideal (work + deadlines, spread over the workers).
#
# Every pool runs in this interpreter, with the same imports (gi, GProcess, multiprocessing,
# pebble, billiard, loky): the round trip and map rows in this process, one pool after the
# other; each chaos run in a fresh copy of this script (same interpreter, same imports), so
# that a pool that hangs or leaks cannot spoil the next one's counts. A chaos run that passes
# its wall-clock limit is reported "hung" with what it had by then, and its process group is
# killed.
#
# Usage: bench-pools.py [--write-docs] | bench-pools.py chaos NAME
# Prints a markdown table; --write-docs also writes it into docs/performance.md between the
# pool markers. BENCH_QUICK=1 measures fewer round trips and a 2,000-task map.
# SPDX-License-Identifier: LGPL-2.1-or-later
import concurrent.futures as cf
import concurrent.futures.process
import json
import multiprocessing
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import billiard
import billiard.exceptions
import pebble
from joblib.externals import loky

import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GProcess  # noqa: E402

QUICK = bool(os.environ.get('BENCH_QUICK'))
WORKERS = 4
ROUNDTRIPS = 100 if QUICK else 400
MAP_TASKS = 2000 if QUICK else 10000

CHAOS_TASKS = 2000
CHAOS_WORK = 0.005      # seconds a normal task sleeps
CHAOS_DEADLINE = 0.3    # per-task deadline, where the pool has one
CHAOS_LIMIT = float(os.environ.get('BENCH_CHAOS_LIMIT', '45'))  # wall-clock limit per pool
CRASHES = ('segv', 'abort', 'exit', 'kill')


# ---------------------------------------------------------------------------------------------
# Tasks (module level: every pool can send them by reference)

def noop():
    return None


def tiny(x):
    return x + 1


def chaos_task(i, kind, sock_path):
    if kind == 'ok':
        time.sleep(CHAOS_WORK)
        return i * i
    if kind in CRASHES:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if kind == 'segv':
            os.kill(os.getpid(), signal.SIGSEGV)
        elif kind == 'abort':
            os.abort()
        elif kind == 'exit':
            os._exit(3)
        else:
            os.kill(os.getpid(), signal.SIGKILL)
    if kind == 'cancel':
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(('%d %d' % (i, os.getpid())).encode(), sock_path)
        s.close()
    time.sleep(3600)   # 'hang', or 'cancel' waiting to be cancelled
    return -1


def chaos_plan():
    n = CHAOS_TASKS
    kinds = ([CRASHES[k % 4] for k in range(n * 5 // 100)] + ['hang'] * (n * 2 // 100)
             + ['cancel'] * (n // 100))
    kinds += ['ok'] * (n - len(kinds))
    random.Random(18).shuffle(kinds)
    return kinds


# ---------------------------------------------------------------------------------------------
# One adapter per pool: the same operations in each pool's own words

class Adapter:
    name = ''
    has_deadline = False

    def submit(self, fn, *args, timeout=None):
        return self.pool.submit(fn, *args)

    def result(self, handle, timeout=None):
        return handle.result(timeout)

    def map(self, fn, items):
        return list(self.pool.map(fn, items, chunksize=1))

    def cancel(self, handle, pid):
        return handle.cancel()

    def wait_all(self, handles, timeout):
        cf.wait(handles, timeout)

    def outcome(self, handle):
        # ('value', v) or ('error', type name) or None (not finished)
        if not handle.done():
            return None
        try:
            return ('value', handle.result(0))
        except BaseException as e:
            return ('error', type(e).__name__)

    def close(self):
        self.pool.shutdown(wait=True)

    def kill(self):
        self.pool.shutdown(wait=False, cancel_futures=True)


class GProcessPool(Adapter):
    name = 'GProcess.ProcessPoolExecutor'
    has_deadline = True

    def __init__(self):
        self.pool = GProcess.ProcessPoolExecutor(WORKERS)

    def submit(self, fn, *args, timeout=None):
        if timeout is None:
            return self.pool.submit(fn, *args)
        return self.pool.schedule(fn, args=args, timeout=timeout)


class ConcurrentFutures(Adapter):
    name = 'concurrent.futures.ProcessPoolExecutor'

    def __init__(self):
        self.pool = cf.ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context('fork'))


class Loky(Adapter):
    name = 'loky (joblib)'

    def __init__(self):
        self.pool = loky.get_reusable_executor(max_workers=WORKERS, timeout=300)


class Pebble(Adapter):
    name = 'pebble.ProcessPool'
    has_deadline = True

    def __init__(self):
        self.pool = pebble.ProcessPool(max_workers=WORKERS)

    def submit(self, fn, *args, timeout=None):
        return self.pool.schedule(fn, args=args, timeout=timeout)

    def map(self, fn, items):
        return list(self.pool.map(fn, items, chunksize=1).result())

    def close(self):
        self.pool.close()
        self.pool.join()

    def kill(self):
        self.pool.stop()


class MpPool(Adapter):
    name = 'multiprocessing.Pool'

    def __init__(self, context=None):
        self.pool = (context or multiprocessing.get_context('fork')).Pool(WORKERS)

    def submit(self, fn, *args, timeout=None):
        return self.pool.apply_async(fn, args)

    def result(self, handle, timeout=None):
        return handle.get(timeout)

    def map(self, fn, items):
        return self.pool.map(fn, items, chunksize=1)

    def cancel(self, handle, pid):
        return 'no API'

    def wait_all(self, handles, timeout):
        end = time.monotonic() + timeout
        for h in handles:
            h.wait(max(0.0, end - time.monotonic()))

    def outcome(self, handle):
        if not handle.ready():
            return None
        try:
            return ('value', handle.get(0))
        except BaseException as e:
            e = getattr(e, 'exc', e)   # billiard's ExceptionWithTraceback
            return ('error', type(e).__name__)

    def close(self):
        self.pool.close()
        self.pool.join()

    def kill(self):
        self.pool.terminate()


class MpPoolGProcess(MpPool):
    name = 'multiprocessing.Pool on GProcess.get_context()'

    def __init__(self):
        super().__init__(GProcess.get_context())


class Billiard(MpPool):
    name = 'billiard.Pool'
    has_deadline = True

    def __init__(self, deadline=None):
        # billiard enforces per-task time limits only in a pool made with a time limit
        self.pool = billiard.Pool(WORKERS, timeout=deadline)

    def submit(self, fn, *args, timeout=None):
        return self.pool.apply_async(fn, args, timeout=timeout)

    def cancel(self, handle, pid):
        # celery's revoke(terminate=True): kill the worker that runs the job
        self.pool.terminate_job(pid, signal.SIGKILL)
        return 'terminate_job'


ADAPTERS = [GProcessPool, ConcurrentFutures, MpPool, MpPoolGProcess, Pebble, Billiard, Loky]


def available(cls):
    if cls is GProcessPool:
        return hasattr(GProcess, 'ProcessPoolExecutor')
    if cls is MpPoolGProcess:
        return hasattr(GProcess, 'get_context')
    return True


def loadavg():
    return '%.2f %.2f %.2f' % os.getloadavg()


# ---------------------------------------------------------------------------------------------
# Round trip and map, in this process

def bench_speed(cls):
    ad = cls()
    try:
        for _ in range(WORKERS * 8):     # warm: every worker started and used
            ad.result(ad.submit(noop))
        times = []
        for _ in range(ROUNDTRIPS):
            t0 = time.perf_counter()
            ad.result(ad.submit(noop))
            times.append(time.perf_counter() - t0)
        times.sort()
        rt = (statistics.median(times) * 1e6, times[int(len(times) * 0.9)] * 1e6)
        items = list(range(MAP_TASKS))
        t0 = time.perf_counter()
        out = ad.map(tiny, items)
        dt = time.perf_counter() - t0
        assert out == [x + 1 for x in items], 'map returned wrong results'
        return rt, MAP_TASKS / dt
    finally:
        ad.close()


# ---------------------------------------------------------------------------------------------
# Chaos, in a fresh interpreter per pool

def children(state=None):
    me = str(os.getpid())
    found = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % pid) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if fields[1] == me and (state is None or fields[0] == state):
            found.append(int(pid))
    return found


def nfds():
    return len(os.listdir('/proc/self/fd'))


class Refused:
    def __init__(self, error):
        self.error = error


def chaos(cls):
    kinds = chaos_plan()
    tmp = tempfile.mkdtemp(prefix='bench-pools-')
    sock_path = os.path.join(tmp, 'running')
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    fds_before = nfds()
    ad = cls(CHAOS_DEADLINE) if cls is Billiard else cls()
    # warm the pool, so that no start-up cost is counted and the fd count covers the pool
    for _ in range(WORKERS * 2):
        ad.result(ad.submit(noop))
    fds_warm = nfds()
    handles = [None] * len(kinds)
    cancels = {}
    expected_cancels = kinds.count('cancel')

    def canceller():
        for _ in range(expected_cancels):
            data = sock.recv(64)
            i, pid = (int(x) for x in data.split())
            while handles[i] is None:       # sent before submit() returned: rare, tiny
                time.sleep(0.001)
            cancels[i] = ('refused' if isinstance(handles[i], Refused)
                          else ad.cancel(handles[i], pid))

    threading.Thread(target=canceller, daemon=True).start()
    deadline = CHAOS_DEADLINE if cls.has_deadline else None
    t0 = time.monotonic()
    for i, kind in enumerate(kinds):
        try:
            handles[i] = ad.submit(chaos_task, i, kind, sock_path, timeout=deadline)
        except Exception as e:      # the pool refuses new tasks (broken)
            handles[i] = Refused(e)
    live = [h for h in handles if not isinstance(h, Refused)]
    ad.wait_all(live, max(0.0, CHAOS_LIMIT - (time.monotonic() - t0)))
    outcomes = [('error', 'refused at submit: ' + type(h.error).__name__)
                if isinstance(h, Refused) else ad.outcome(h) for h in handles]
    finished = all(o is not None for o in outcomes)
    closed = False
    if finished:
        closer = threading.Thread(target=ad.close, daemon=True)
        closer.start()
        closer.join(max(0.0, CHAOS_LIMIT - (time.monotonic() - t0)))
        closed = not closer.is_alive()
    wall = time.monotonic() - t0
    report = {'name': cls.name, 'hung': not (finished and closed), 'wall': wall,
              'ideal': (kinds.count('ok') * CHAOS_WORK + kinds.count('hang') * CHAOS_DEADLINE)
              / WORKERS, 'loadavg': loadavg()}
    ok_right = ok_wrong = 0
    by_kind = {}
    collateral = {}
    unfinished = {}
    for i, (kind, o) in enumerate(zip(kinds, outcomes)):
        group = 'crash' if kind in CRASHES else kind
        if o is None:
            unfinished[group] = unfinished.get(group, 0) + 1
            continue
        if kind == 'ok':
            if o == ('value', i * i):
                ok_right += 1
            else:
                ok_wrong += 1
                key = o[1] if o[0] == 'error' else 'wrong value'
                collateral[key] = collateral.get(key, 0) + 1
            continue
        key = o[1] if o[0] == 'error' else 'value %r' % (o[1],)
        by_kind.setdefault(group, {})
        by_kind[group][key] = by_kind[group].get(key, 0) + 1
    report.update(ok_total=kinds.count('ok'), ok_right=ok_right, ok_wrong=ok_wrong,
                  collateral=collateral, failures=by_kind, unfinished=unfinished,
                  cancel_calls=sorted(set(map(str, cancels.values()))))
    # the pool's leftovers, measured after close() returned (or at the limit, if it hung)
    report['zombies'] = len(children('Z'))
    report['live_children'] = len(children()) - report['zombies']
    report['fd_growth'] = nfds() - fds_before
    report['fd_growth_after_warmup'] = nfds() - fds_warm
    print(json.dumps(report), flush=True)
    if report['hung']:
        try:
            ad.kill()
        except Exception:
            pass
    os._exit(0)


def run_chaos(cls):
    env = dict(os.environ)
    env['BENCH_CHAOS_LIMIT'] = str(CHAOS_LIMIT)
    p = subprocess.Popen([sys.executable, os.path.abspath(__file__), 'chaos', cls.__name__],
                         stdout=subprocess.PIPE, text=True, env=env, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=CHAOS_LIMIT + 60)
    except subprocess.TimeoutExpired:
        out = ''
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)   # whatever the pool left behind
        except ProcessLookupError:
            pass
        p.wait()
    for line in out.splitlines():
        if line.startswith('{'):
            return json.loads(line)
    return {'name': cls.name, 'hung': True, 'wall': CHAOS_LIMIT + 60, 'nothing': True}


EXPECTED = {   # what the issue asks of GProcess.ProcessPoolExecutor
    'crash': 'WorkerLostError', 'hang': 'TimeoutError', 'cancel': 'CancelledError'}


def chaos_verdict(r):
    if r.get('nothing'):
        return 'hung (no report within the limit + 60 s)'
    bad = []
    if r['hung']:
        bad.append('hung')
    if r['ok_right'] != r['ok_total']:
        bad.append('%d good tasks lost' % (r['ok_total'] - r['ok_right']))
    for group, expected in EXPECTED.items():
        got = r['failures'].get(group, {})
        if set(got) - {expected} or r['unfinished'].get(group):
            bad.append('%s not typed %s' % (group, expected))
    if r['zombies']:
        bad.append('zombies')
    if r['fd_growth']:
        bad.append('fd growth')
    if not r['hung'] and r['wall'] > 1.2 * r['ideal']:
        bad.append('wall > 1.2x ideal')
    return 'met' if not bad else 'MISSED: ' + ', '.join(bad)


def fmt_counts(d):
    return ', '.join('%s %d' % kv for kv in sorted(d.items())) or '-'


def main():
    lines = []
    lines.append('Python pools (tests/performance/bench-pools.py): %d workers each, one '
                 'interpreter (/usr/bin/python3 %s, gi, GProcess, multiprocessing, pebble %s, '
                 'billiard %s, loky %s imported), CPU affinity %s.' % (
                     WORKERS, sys.version.split()[0], pebble.__version__ if hasattr(
                         pebble, '__version__') else '?', billiard.__version__,
                     loky.__version__, sorted(os.sched_getaffinity(0))))
    lines.append('')
    lines.append('| pool | submit(f).result() median | p90 | map of %d tiny tasks | load average |'
                 % MAP_TASKS)
    lines.append('|---|---|---|---|---|')
    speed = {}
    for cls in ADAPTERS:
        if not available(cls):
            lines.append('| %s | not built | | | |' % cls.name)
            continue
        print('speed: %s ...' % cls.name, file=sys.stderr)
        la = loadavg()
        (med, p90), rate = bench_speed(cls)
        speed[cls] = (med, rate)
        lines.append('| %s | %.0f us | %.0f us | %.0f tasks/s | %s |' % (cls.name, med, p90, rate, la))
    if GProcessPool in speed:
        med, rate = speed[GProcessPool]
        ppe_med, ppe_rate = speed[ConcurrentFutures]
        others = min(m for c, (m, _) in speed.items() if c is not GProcessPool)
        lines.append('')
        lines.append('Targets: round trip %.2fx ProcessPoolExecutor\'s (<= 0.25x: %s), below every '
                     'anchor\'s (%s); map throughput %.2fx ProcessPoolExecutor\'s (>= 2x: %s).' % (
                         med / ppe_med, 'met' if med <= 0.25 * ppe_med else 'MISSED',
                         'met' if med < others else 'MISSED', rate / ppe_rate,
                         'met' if rate >= 2 * ppe_rate else 'MISSED'))
    lines.append('')
    lines.append('Chaos run: %d tasks, %d crash their worker (SIGSEGV, abort, _exit(3), SIGKILL), '
                 '%d hang past a %.0f ms deadline (where the pool has per-task deadlines), %d '
                 'cancelled while running, the others sleep %.0f ms; wall-clock limit %.0f s.' % (
                     CHAOS_TASKS, CHAOS_TASKS * 5 // 100, CHAOS_TASKS * 2 // 100,
                     CHAOS_DEADLINE * 1000, CHAOS_TASKS // 100, CHAOS_WORK * 1000, CHAOS_LIMIT))
    lines.append('')
    lines.append('| pool | good results | other tasks\' failures | crashes got | hangs got | '
                 'cancels got (cancel() said) | unfinished | wall (ideal) | zombies / live '
                 'children / fd growth | load average | verdict |')
    lines.append('|' + '---|' * 11)
    for cls in ADAPTERS:
        if not available(cls):
            lines.append('| %s | not built |' % cls.name + ' |' * 9)
            continue
        print('chaos: %s ...' % cls.name, file=sys.stderr)
        r = run_chaos(cls)
        if r.get('nothing'):
            lines.append('| %s | hung, no report |' % cls.name + ' |' * 8 + ' %s |' % chaos_verdict(r))
            continue
        lines.append('| %s | %d / %d | %s | %s | %s | %s (%s) | %s | %s%.1f s (%.1f s) | %d / %d / %+d '
                     '| %s | %s |' % (
                         cls.name, r['ok_right'], r['ok_total'], fmt_counts(r['collateral']),
                         fmt_counts(r['failures'].get('crash', {})),
                         fmt_counts(r['failures'].get('hang', {})),
                         fmt_counts(r['failures'].get('cancel', {})),
                         '/'.join(r['cancel_calls']) or '-',
                         fmt_counts(r['unfinished']), 'hung at ' if r['hung'] else '',
                         r['wall'], r['ideal'], r['zombies'], r['live_children'],
                         r['fd_growth'], r['loadavg'], chaos_verdict(r)))
    text = '\n'.join(lines)
    print(text)
    if '--write-docs' in sys.argv:
        write_docs(text)


def write_docs(text):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'docs',
                        'performance.md')
    begin = '<!-- pool benchmark: written by tests/performance/bench-pools.py -->'
    end = '<!-- end of pool benchmark -->'
    page = open(path).read() if os.path.exists(path) else '# GProcess performance\n'
    if begin in page and end in page:
        page = page[:page.index(begin) + len(begin)] + '\n' + text + '\n' + page[page.index(end):]
    else:
        page = page.rstrip('\n') + '\n\n## Process pools\n\n%s\n%s\n%s\n' % (begin, text, end)
    with open(path, 'w') as f:
        f.write(page)
    print('wrote docs/performance.md (pool section)', file=sys.stderr)


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == 'chaos':
        chaos(globals()[sys.argv[2]])
    else:
        main()
