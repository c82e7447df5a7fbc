# self_test.py: the Python application drives itself, for the headless tests (twin of
# self-test.c: same modes, same checks, same output; exit status 0, 1, or 77 for skipped)
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import resource
import sys
import time

from gi.repository import GLib, GProcess

import prime_worker

WARM_UP_LIMIT = 50000
CANCEL_LIMIT = 100000000


PIDFD = 'anon_inode:[pidfd]'


def list_fds():
    """The descriptors, pidfds apart: the fork server's warm children are announced to the
    application with their pidfds and refilled whenever the server is idle, so how many there
    are at a given moment depends on timing (count_pidfds() checks them apart)."""
    fds = []
    for name in os.listdir('/proc/self/fd'):
        try:
            target = os.readlink('/proc/self/fd/' + name)
        except OSError:
            continue            # the directory listing's own descriptor, already closed
        if target != PIDFD:
            fds.append('%s -> %s' % (name, target))
    return sorted(fds)


def count_pidfds():
    n = 0
    for name in os.listdir('/proc/self/fd'):
        try:
            n += os.readlink('/proc/self/fd/' + name) == PIDFD
        except OSError:
            pass
    return n


def is_warm_child(pid):
    """A warm child of the fork server (named so): the application's child, made ahead of time"""
    try:
        with open('/proc/%d/comm' % pid) as f:
            return f.read().strip() == 'gprocess-warm'
    except OSError:
        return False


def list_children():
    pids = []
    for tid in os.listdir('/proc/self/task'):
        try:
            with open('/proc/self/task/%s/children' % tid) as f:
                pids += [int(p) for p in f.read().split()]
        except OSError:
            pass
    return pids


class SelfTest:
    def __init__(self, window, options, status, max_gap, watchdog):
        self.window = window
        self.mode = options.self_test
        self.limit = CANCEL_LIMIT if self.mode == 'cancel' else options.limit
        self.n_workers = max(1, min(16, options.workers))
        self.screenshot = options.screenshot
        self.screenshot_pending = False
        self.quit_requested = False
        self.status = status
        self.max_gap = max_gap
        self.failed = self.skipped = False
        self.warmed_up = self.cancelled = False
        self.pids = []
        status[0] = 1
        window.connect('progress', self.on_progress)
        window.connect('job-finished', self.on_job_finished)
        window.connect('map', lambda w: self.begin())
        self.watchdog_id = GLib.timeout_add_seconds(watchdog, self.on_watchdog, watchdog)

    def check(self, ok, message):
        print('%s: %s' % ('ok' if ok else 'FAILED', message), flush=True)
        self.failed |= not ok

    def quit(self):
        if self.screenshot_pending and self.screenshot:
            self.quit_requested = True          # once the screenshot is written
            return
        GLib.source_remove(self.watchdog_id)
        self.status[0] = 1 if self.failed else 77 if self.skipped else 0
        self.window.destroy()

    def on_watchdog(self, seconds):
        self.check(False, 'the self-test did not end within %d s' % seconds)
        self.watchdog_id = 0
        self.quit()
        return GLib.SOURCE_REMOVE

    # -- steps --------------------------------------------------------------------------

    def begin(self):
        if self.mode == 'responsive':
            self.baseline = dict(start=time.monotonic(), last=time.monotonic(), gap=0.0, ticks=0)
            GLib.timeout_add(16, self.on_baseline_tick)
        else:
            self.start_job(WARM_UP_LIMIT if self.mode == 'cancel' else self.limit)

    def on_baseline_tick(self):
        """The same 16 ms timeout for one second with no worker running, to tell a machine
        too loaded to measure anything (then the test is skipped) from a slow application."""
        b = self.baseline
        now = time.monotonic()
        b['gap'] = max(b['gap'], now - b['last'])
        b['last'] = now
        b['ticks'] += 1
        if now - b['start'] < 1.0:
            return GLib.SOURCE_CONTINUE
        print('baseline, no worker running: the 16 ms timeout fired %d times in %.2f s, '
              'largest gap %.1f ms' % (b['ticks'], now - b['start'], b['gap'] * 1e3), flush=True)
        if b['gap'] >= self.max_gap:
            print('SKIP: this machine is too loaded to measure: the idle main loop already '
                  'misses the %.0f ms limit' % (self.max_gap * 1e3), flush=True)
            self.skipped = True
            self.quit()
        else:
            self.start_job(self.limit)
        return GLib.SOURCE_REMOVE

    def start_job(self, limit):
        self.window.set_job(limit, self.n_workers)
        try:
            self.window.start()
        except Exception as e:
            self.check(False, 'start: %s' % e)
            self.quit()

    def take_screenshot(self):
        if self.screenshot_pending:
            return
        self.screenshot_pending = True
        clock = self.window.get_frame_clock()

        def on_after_paint(clock):
            clock.disconnect(handler)
            try:
                self.window.save_png(self.screenshot)
                self.check(True, 'screenshot rendered by the window into %s' % self.screenshot)
            except Exception as e:
                self.check(False, 'screenshot rendered by the window into %s: %s'
                           % (self.screenshot, e))
            self.screenshot = None
            if self.quit_requested:
                self.quit()

        handler = clock.connect('after-paint', on_after_paint)
        self.window.queue_draw()

    def on_progress(self, window):
        if self.screenshot and window.min_fraction() >= 0.4:
            self.take_screenshot()
        if (self.mode == 'cancel' and self.warmed_up and not self.cancelled
                and window.min_fraction() > 0):
            self.cancelled = True
            self.pids = window.pids()
            window.cancel()

    def check_results(self):
        r = self.window.report
        expected = prime_worker.prime_count_below(r['limit'])
        self.check(r['n_results'] == r['n_workers'],
                   '%d of %d workers gave a result' % (r['n_results'], r['n_workers']))
        self.check(r['primes'] == expected,
                   '%d primes below %d (a sieve in the application says %d) in %.2f s'
                   % (r['primes'], r['limit'], expected, r['elapsed']))

    def on_job_finished(self, window):
        r = window.report
        if self.screenshot:
            self.take_screenshot()
        if self.mode == 'complete':
            self.check_results()
            self.check(r['n_killed'] == 0, 'no worker was killed')
            self.quit()
        elif self.mode == 'responsive':
            self.check_results()
            usage = resource.getrusage(resource.RUSAGE_SELF)
            print('the application itself used %.2f s of CPU (user %.2f, system %.2f)'
                  % (usage.ru_utime + usage.ru_stime, usage.ru_utime, usage.ru_stime))
            self.check(r['max_gap'] < self.max_gap and r['ticks'] > 0,
                       'while %d workers burnt CPU for %.2f s the 16 ms timeout fired %d '
                       'times, largest gap %.1f ms (limit %.0f ms)'
                       % (r['n_workers'], r['elapsed'], r['ticks'], r['max_gap'] * 1e3,
                          self.max_gap * 1e3))
            self.quit()
        elif not self.warmed_up:
            # The warm-up job opened what GTK opens lazily; from now on nothing may change.
            self.warmed_up = True
            self.check_results()
            self.fds_before = list_fds()
            self.children_before = [pid for pid in list_children() if not is_warm_child(pid)]
            self.start_job(self.limit)
        else:
            self.check(r['n_results'] == 0 and
                       r['n_stopped'] + r['n_killed'] == r['n_workers'],
                       'cancelled after %.2f s: %d workers stopped politely, %d killed'
                       % (r['elapsed'], r['n_stopped'], r['n_killed']))
            GLib.idle_add(self.check_nothing_left)

    def check_nothing_left(self):
        """After the cancelled job: the workers are gone, reaped, and took no descriptor."""
        import gc
        gc.collect()            # pipes and process objects the job dropped
        fds = list_fds()
        all_children = list_children()
        children = [pid for pid in all_children if not is_warm_child(pid)]
        left = [pid for pid in self.pids if pid in all_children]
        self.check(not left, 'none of the %d cancelled workers is still a child (alive or '
                   'zombie)%s' % (len(self.pids), ': %s' % left if left else ''))
        self.check(len(children) == len(self.children_before),
                   'as many children as before the job: %d (the fork server, if any; warm children apart)'
                   % len(children))
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            zombie = info is not None and info.si_pid != 0
            what = 'a zombie' if zombie else 'no waitable child'
        except ChildProcessError:
            zombie, what = False, 'No child processes'
        self.check(not zombie, 'no zombie: waitid(P_ALL, WNOHANG|WNOWAIT) gives %s' % what)
        self.check(not GProcess.active_children(), 'GProcess.active_children() is empty')
        diff = (['+[%s]' % f for f in fds if f not in self.fds_before] +
                ['-[%s]' % f for f in self.fds_before if f not in fds])
        self.check(not diff, 'the same %d descriptors as before the job (pidfds apart) %s'
                   % (len(fds), ' '.join(diff)))
        n_pidfds = count_pidfds()
        self.check(n_pidfds <= len(all_children),
                   'no pidfd of a child that is gone: %d pidfds for %d children (the fork '
                   "server's warm children)" % (n_pidfds, len(all_children)))
        self.quit()
        return GLib.SOURCE_REMOVE


def run(window, options, status, max_gap, watchdog):
    window._self_test = SelfTest(window, options, status, max_gap, watchdog)
