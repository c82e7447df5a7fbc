#!/usr/bin/python3
# prime_counter.py: the GTK 4 prime counter in Python (PyGObject), twin of prime-counter.c
#
# The user picks how far to count primes and how many workers share the work; each worker is
# a GProcess child running prime_worker.count_primes(). The window shows each worker's
# progress (from the worker's own messages on a pipe), its state (notify::state), its
# result or exception when it ends, and the total time; Cancel stops the workers politely,
# then for sure.
#
# Run it:           /usr/bin/python3 prime_counter.py
# Test it headless: xvfb-run -a /usr/bin/python3 prime_counter.py --self-test=complete
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import multiprocessing
import sys
import time

import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GLib, GObject, GProcess   # noqa: E402  (no GTK yet: see main())

import prime_worker                         # noqa: E402  (the workers' code, before the server)

TICK_MS = 16
STOP_GRACE_S = 1.0              # how long Cancel lets a worker finish politely
MAX_GAP_S = 0.100               # the self-test's limit for the largest gap between ticks
WATCHDOG_S = 120

# What this version of the Python binding offers; the app says what it falls back to.
# (The C functions are visible through GI as soon as the library has them; the Python-level
# ones — string start methods, pickled targets, the target's return value — come with the
# override.)
HAVE_FORKSERVER = hasattr(GProcess, 'get_all_start_methods')
HAVE_RESULT = hasattr(GProcess.Process, 'result')
HAVE_STOP_ASYNC = hasattr(GProcess.Object, 'stop_async')
HAVE_RENDER_NODES = gi.version_info >= (3, 44)


def format_count(n):
    return '{:,}'.format(n)


class ProgressChannel:
    """The application's ends of the workers' progress pipes (see progress-channel.h): one
    multiprocessing.Pipe(duplex=False) per worker, whose sending end is the worker's argument.
    The application closes its copy of the sending end once start() has returned, so that end
    of file means the worker has gone."""

    def __init__(self, callback):
        self._callback = callback
        self._readers = {}                  # fd -> (connection, source id)

    def open(self, worker):
        reader, writer = multiprocessing.Pipe(duplex=False)
        source_id = GLib.unix_fd_add_full(GLib.PRIORITY_DEFAULT, reader.fileno(),
                                          GLib.IOCondition.IN | GLib.IOCondition.HUP,
                                          self._on_readable, worker)
        self._readers[reader.fileno()] = (reader, source_id)
        return writer

    def _on_readable(self, fd, condition, worker):
        reader = self._readers[fd][0]
        try:
            while reader.poll():
                self._callback(worker, prime_worker.RECORD.unpack(reader.recv_bytes()))
            return GLib.SOURCE_CONTINUE
        except (EOFError, OSError):         # end of file: the worker has gone
            pass
        # (not in the except clause: a child started from the callback would inherit it)
        del self._readers[fd]
        reader.close()
        self._callback(worker, None)
        return GLib.SOURCE_REMOVE

    def close(self):
        for reader, source_id in self._readers.values():
            GLib.source_remove(source_id)
            reader.close()
        self._readers.clear()


class Worker:
    """One row of the window, and the process behind it."""

    def __init__(self, window, index):
        from gi.repository import Gtk
        self.window = window
        self.process = None
        self.ended = False
        self.last_primes = None     # from the channel: the fallback when .result is missing
        self.result_pending = False
        self.name_label = Gtk.Label(label='worker-%d' % (index + 1), xalign=0)
        self.bar = Gtk.ProgressBar(show_text=True, hexpand=True, valign=Gtk.Align.CENTER)
        self.state_label = Gtk.Label(label='waiting', xalign=0, width_chars=22)
        self.state_label.add_css_class('dim-label')
        self.result_label = Gtk.Label(label='', xalign=1, width_chars=22)
        self.result_label.add_css_class('numeric')
        grid = window.worker_grid
        for column, widget in enumerate((self.name_label, self.bar, self.state_label,
                                         self.result_label)):
            grid.attach(widget, column, index, 1, 1)


def make_window_class():
    from gi.repository import Gtk, Graphene

    class PrimeWindow(Gtk.ApplicationWindow):
        """Everything here runs in the main thread; the window learns about its workers
        through notify::state, the progress channel and stop_async(), never by blocking."""

        __gsignals__ = {
            'progress': (GObject.SignalFlags.RUN_LAST, None, ()),
            'job-finished': (GObject.SignalFlags.RUN_LAST, None, ()),
        }

        def __init__(self, app):
            super().__init__(application=app, title='Prime Counter', default_width=720)
            header = Gtk.HeaderBar()
            titles = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, valign=Gtk.Align.CENTER)
            title = Gtk.Label(label='Prime Counter (Python)')
            title.add_css_class('title')
            subtitle = Gtk.Label(label='each worker is a GProcess child')
            subtitle.add_css_class('subtitle')
            titles.append(title)
            titles.append(subtitle)
            header.set_title_widget(titles)
            self.set_titlebar(header)

            box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=12, margin_top=18,
                          margin_bottom=18, margin_start=18, margin_end=18)
            box.append(self._build_controls())
            self.worker_grid = Gtk.Grid(row_spacing=8, column_spacing=12, margin_top=12,
                                        margin_bottom=12, margin_start=12, margin_end=12,
                                        height_request=48)
            frame = Gtk.Frame(child=self.worker_grid)
            box.append(frame)
            self.total_label = Gtk.Label(
                label='Pick a size and a number of workers, then Start.', xalign=0)
            self.total_label.add_css_class('title-4')
            self.tick_label = Gtk.Label(label='', xalign=0)
            self.tick_label.add_css_class('dim-label')
            box.append(self.total_label)
            box.append(self.tick_label)
            self.set_child(box)

            self.workers = []
            self.channel = None
            self.n_running = 0
            self.n_stopping = 0
            self.starting = False
            self.tick_id = 0
            self.report = {}

        def _build_controls(self):
            grid = Gtk.Grid(row_spacing=6, column_spacing=12)
            self.limit_spin = Gtk.SpinButton.new_with_range(1e4, 1e8, 1e5)
            self.limit_spin.set_hexpand(True)
            self.workers_spin = Gtk.SpinButton.new_with_range(1, 16, 1)
            for row, (text, widget) in enumerate((('Count primes _below', self.limit_spin),
                                                  ('_Workers', self.workers_spin))):
                label = Gtk.Label.new_with_mnemonic(text)
                label.set_xalign(0)
                label.set_mnemonic_widget(widget)
                grid.attach(label, 0, row, 1, 1)
                grid.attach(widget, 1, row, 1, 1)
            self.start_button = Gtk.Button.new_with_mnemonic('_Start')
            self.start_button.add_css_class('suggested-action')
            self.start_button.connect('clicked', lambda button: self._on_start_clicked())
            self.cancel_button = Gtk.Button.new_with_mnemonic('_Cancel')
            self.cancel_button.add_css_class('destructive-action')
            self.cancel_button.set_sensitive(False)
            self.cancel_button.connect('clicked', lambda button: self.cancel())
            buttons = Gtk.Box(spacing=6, halign=Gtk.Align.END)
            buttons.append(self.cancel_button)
            buttons.append(self.start_button)
            grid.attach(buttons, 0, 2, 2, 1)
            return grid

        # -- the job ------------------------------------------------------------------

        def set_job(self, limit, n_workers):
            self.limit_spin.set_value(limit)
            self.workers_spin.set_value(n_workers)

        def is_running(self):
            return self.channel is not None

        def start(self):
            n_workers = self.workers_spin.get_value_as_int()
            limit = int(self.limit_spin.get_value())
            while (child := self.worker_grid.get_first_child()) is not None:
                self.worker_grid.remove(child)
            self.workers = []
            self.report = dict(limit=limit, n_workers=n_workers, n_results=0, n_stopped=0,
                               n_killed=0, primes=0, elapsed=0.0, max_gap=0.0, ticks=0)
            self.channel = ProgressChannel(self._on_progress)
            self.started = self.last_tick = time.monotonic()
            self.tick_id = GLib.timeout_add(TICK_MS, self._on_tick)
            # start() may notice that an earlier worker already ended (notify::state says
            # so right there): the job cannot finish before this loop is over.
            self.starting = True
            try:
                for index in range(n_workers):
                    worker = Worker(self, index)
                    self.workers.append(worker)
                    self._start_worker(worker, index, n_workers, limit)
            except Exception:
                self.starting = False
                self.cancel()
                self._maybe_finish()
                raise
            self.starting = False
            # The gaps are measured while the workers run: from here on (start() itself is
            # part of the elapsed time, not of the gaps).
            self.last_tick = time.monotonic()
            for widget in (self.start_button, self.limit_spin, self.workers_spin):
                widget.set_sensitive(False)
            self.cancel_button.set_sensitive(True)
            self._maybe_finish()

        def _start_worker(self, worker, index, n_workers, limit):
            # The worker's share and its progress pipe travel as the target's arguments: with
            # the fork server they are pickled (the pipe's descriptor sent along), as
            # multiprocessing does.
            progress = self.channel.open(worker)
            process = GProcess.Process(target=prime_worker.count_primes,
                                       args=(limit, index, n_workers, progress),
                                       name='worker-%d' % (index + 1), daemon=True)
            process.connect('notify::state', self._on_state, worker)
            worker.process = process
            self.n_running += 1
            try:
                process.start()
            except Exception:
                self.n_running -= 1
                worker.process = None
                raise
            finally:
                progress.close()    # the child has its own copy: end of file means it has gone

        def cancel(self):
            """SIGTERM to every running worker, SIGKILL after the grace period."""
            self.cancel_button.set_sensitive(False)
            for worker in self.workers:
                if worker.process is None or worker.ended:
                    continue
                worker.state_label.set_text('stopping…')
                self.n_stopping += 1
                if HAVE_STOP_ASYNC:
                    GProcess.Object.stop_async(worker.process, int(STOP_GRACE_S * 1e6), None,
                                               self._on_stopped)
                else:
                    # Fallback for a binding without stop_async(): the same steps by hand.
                    worker.process.terminate()
                    GLib.timeout_add(int(STOP_GRACE_S * 1000), self._kill_late, worker.process)

        def _kill_late(self, process):
            if process.get_state() == GProcess.State.STARTED:
                process.kill()
            self.n_stopping -= 1
            self._maybe_finish()
            return GLib.SOURCE_REMOVE

        def _on_stopped(self, process, result):
            try:
                GProcess.Object.stop_finish(process, result)
            except GLib.Error as e:
                print('Stopping %s: %s' % (process.name, e.message), file=sys.stderr)
            self.n_stopping -= 1
            self._maybe_finish()

        # -- what the workers tell ---------------------------------------------------------

        def _on_tick(self):
            now = time.monotonic()
            r = self.report
            r['max_gap'] = max(r['max_gap'], now - self.last_tick)
            r['ticks'] += 1
            self.last_tick = now
            if r['ticks'] % 6 == 0:     # ten times a second is enough for the labels
                self.total_label.set_text('Running… %.2f s' % (now - self.started))
                self.tick_label.set_text(
                    'Main loop: %d ticks of %d ms so far, largest gap %.1f ms'
                    % (r['ticks'], TICK_MS, r['max_gap'] * 1e3))
            return GLib.SOURCE_CONTINUE

        def _on_progress(self, worker, record):
            if record is None:                  # end of file
                if worker.result_pending:
                    worker.result_pending = False
                    self._show_end(worker)
                    self.n_running -= 1
                    self._maybe_finish()
                return
            done, total, primes = record
            if done == total:
                worker.last_primes = primes
            if worker.ended or total == 0:
                return
            worker.bar.set_fraction(done / total)
            worker.result_label.set_text('%s primes so far' % format_count(primes))
            self.emit('progress')

        def _on_state(self, process, pspec, worker):
            state = process.get_state()
            worker.state_label.set_text({GProcess.State.INITIAL: 'waiting',
                                         GProcess.State.STARTED: 'running',
                                         GProcess.State.STOPPED: 'ended',
                                         GProcess.State.CLOSED: 'closed'}[state])
            if state != GProcess.State.STOPPED or worker.ended:
                return
            worker.ended = True
            if not HAVE_RESULT and worker.last_primes is None and process.exitcode == 0:
                # Fallback without .result: the last message may still be in the pipe;
                # the end of file on the channel shows the end instead.
                worker.result_pending = True
                return
            self._show_end(worker)
            self.n_running -= 1
            self._maybe_finish()

        def _show_end(self, worker):
            r = self.report
            code = worker.process.exitcode
            if code >= 0:
                worker.state_label.set_text('ended, exit code %d' % code)
            else:
                import signal
                worker.state_label.set_text('killed by %s' % signal.Signals(-code).name)
                r['n_killed'] += 1
            if HAVE_RESULT:
                result, exception = worker.process.result, worker.process.exception
            else:
                # Fallback for a binding without .result: the last progress message; and
                # exit code 1 is what an exception in the target gives.
                result = worker.last_primes if code == 0 else None
                exception = (prime_worker.Cancelled('stopped, exit code 1') if code == 1
                             else None)
            if result is not None:
                r['n_results'] += 1
                r['primes'] += result
                worker.bar.set_fraction(1.0)
                text = '%s primes' % format_count(result)
            elif exception is not None:
                r['n_stopped'] += isinstance(exception, prime_worker.Cancelled)
                text = str(exception)
            else:
                text = 'no result'
            worker.result_label.set_text(text)
            worker.result_label.set_tooltip_text(text)

        def _maybe_finish(self):
            if (self.channel is None or self.starting or self.n_running or self.n_stopping):
                return
            r = self.report
            r['elapsed'] = time.monotonic() - self.started
            GLib.source_remove(self.tick_id)
            self.tick_id = 0
            self.channel.close()
            self.channel = None
            for worker in self.workers:          # read what we need, then let go
                worker.process.close()
                worker.process = None
            if r['n_results'] == r['n_workers']:
                self.total_label.set_text('%s primes below %s in %.2f s' % (
                    format_count(r['primes']), format_count(r['limit']), r['elapsed']))
            else:
                self.total_label.set_text('Cancelled after %.2f s (%d of %d workers finished)'
                                          % (r['elapsed'], r['n_results'], r['n_workers']))
            self.tick_label.set_text('Main loop: %d ticks of %d ms, largest gap %.1f ms'
                                     % (r['ticks'], TICK_MS, r['max_gap'] * 1e3))
            for widget in (self.start_button, self.limit_spin, self.workers_spin):
                widget.set_sensitive(True)
            self.cancel_button.set_sensitive(False)
            self.emit('job-finished')

        def _on_start_clicked(self):
            try:
                self.start()
            except Exception as e:
                self.total_label.set_text(str(e))

        # -- for the self-test ---------------------------------------------------------------

        def min_fraction(self):
            return min((w.bar.get_fraction() for w in self.workers), default=1.0)

        def pids(self):
            return [w.process.pid for w in self.workers if w.process is not None]

        def save_png(self, path):
            """The window as it is on screen, rendered by its own renderer into a PNG."""
            if not HAVE_RENDER_NODES:
                raise RuntimeError('PyGObject %s cannot pass GTK render nodes (3.44 can): '
                                   'use the C application for screenshots'
                                   % '.'.join(map(str, gi.version_info)))
            snapshot = Gtk.Snapshot()
            Gtk.ApplicationWindow.do_snapshot(self, snapshot)   # the window's own drawing
            node = snapshot.to_node()
            width, height = self.get_width(), self.get_height()
            if node is None:
                raise RuntimeError('The window has not been drawn yet')
            rect = Graphene.Rect().init(0, 0, width, height)
            texture = self.get_renderer().render_texture(node, rect)
            if not texture.save_to_png(path):
                raise RuntimeError('Cannot write %s' % path)

        def do_close_request(self):
            for worker in self.workers:
                if worker.process is not None and not worker.ended:
                    worker.process.kill()
            return False

    return PrimeWindow


def main():
    parser = argparse.ArgumentParser(description='Count primes in worker processes.')
    parser.add_argument('-n', '--limit', type=int, default=1000000)
    parser.add_argument('-w', '--workers', type=int, default=4)
    parser.add_argument('--start-method', choices=('forkserver', 'fork'), default='forkserver')
    parser.add_argument('--self-test', choices=('complete', 'cancel', 'responsive'))
    parser.add_argument('--screenshot', metavar='FILE')
    options = parser.parse_args()

    # First, before GTK is even imported (importing Gtk 4 runs gtk_init()): the fork server.
    # It is forked now, while this process has one thread and a small heap; every worker is
    # then made by it, still a child of this process, but not a copy of the GTK application
    # with its threads and their locks.
    if options.start_method == 'forkserver':
        if HAVE_FORKSERVER:
            GProcess.set_start_method('forkserver')
            if hasattr(GProcess, 'start_fork_server'):
                GProcess.start_fork_server()
        else:
            print('note: this GProcess binding has no fork server yet: workers are forked '
                  'from the GTK application (start method fork)', file=sys.stderr)
    if not HAVE_RESULT:
        print('note: this GProcess binding has no Process.result yet: results are read from '
              "the workers' last progress message", file=sys.stderr)
    if not HAVE_STOP_ASYNC:
        print('note: this GProcess binding has no stop_async() yet: Cancel terminates, then '
              'kills after the grace period, by hand', file=sys.stderr)

    gi.require_version('Gtk', '4.0')
    from gi.repository import Gio, Gtk
    PrimeWindow = make_window_class()
    import self_test

    app = Gtk.Application(application_id='org.gprocess.PrimeCounterPy',
                          flags=Gio.ApplicationFlags.NON_UNIQUE)
    status = [0]

    def on_activate(app):
        window = PrimeWindow(app)
        window.set_job(options.limit, max(1, min(16, options.workers)))
        if options.self_test:
            self_test.run(window, options, status, max_gap=MAX_GAP_S, watchdog=WATCHDOG_S)
        window.present()

    app.connect('activate', on_activate)
    app.run([sys.argv[0]])
    return status[0]


if __name__ == '__main__':
    sys.exit(main())
