#!/usr/bin/python3
# test_bindings.py: the Python binding's own defects: GI constructors, set_target, fork errors,
# no per-object leak, the .pyi stub, help()
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import ast
import ctypes
import errno
import gc
import inspect
import os
import pydoc
import signal
import subprocess
import sys
import unittest
from unittest import mock

import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GProcess  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gprocess_testutil import run_program  # noqa: E402


def _read_all(fd):
    chunks = []
    while True:
        data = os.read(fd, 65536)
        if not data:
            break
        chunks.append(data)
    os.close(fd)
    return b''.join(chunks).decode()


def _override_module():
    return sys.modules['gi.overrides.GProcess']


class TestConstructorsAndTargets(unittest.TestCase):

    def tearDown(self):
        for p in GProcess.active_children():
            p.kill()
            p.join()

    def test_new(self):
        p = GProcess.Object.new()
        self.assertIsInstance(p, GProcess.Process)
        self.assertTrue(p.name.startswith('Process-'))
        self.assertEqual(p._identity, (int(p.name.rpartition('-')[2]),))
        p.start()
        p.join(30)
        self.assertEqual(p.exitcode, 0)
        self.assertEqual(repr(p)[:9], '<Process ')

    def test_new_with_target(self):
        r, w = os.pipe()

        def target(process, fd, text):
            os.write(fd, ('%s %s %s' % (text, process is GProcess.current_process(),
                                        process.pid == os.getpid())).encode())
        p = GProcess.Object.new_with_target(target, w, 'hello')
        self.assertIsInstance(p, GProcess.Process)
        p.start()
        p.join(30)
        os.close(w)
        self.assertEqual(_read_all(r), 'hello True True')
        self.assertEqual(p.exitcode, 0)

    def test_set_target_runs_in_child(self):
        r, w = os.pipe()
        for make in (GProcess.Process, GProcess.Object.new):
            p = make()
            p.set_target(lambda process, fd: os.write(fd, b'x%d ' % os.getpid()), w)
            p.start()
            p.join(30)
            self.assertEqual(p.exitcode, 0)
        os.close(w)
        self.assertEqual(len(_read_all(r).split()), 2)

    def test_set_target_exit_rules(self):
        p = GProcess.Process()
        p.set_target(lambda process: sys.exit(5))
        p.start()
        p.join(30)
        self.assertEqual(p.exitcode, 5)
        q = GProcess.Process()
        q.set_target(lambda process: os.close(-1))
        with mock.patch('sys.stderr'):  # the child's traceback goes to its own sys.stderr copy
            q.start()
        q.join(30)
        self.assertEqual(q.exitcode, 1)

    def test_subclass_do_run_and_run(self):
        r, w = os.pipe()

        class DoRun(GProcess.Object):
            def do_run(self):
                os.write(w, b'do_run ')

        class Run(GProcess.Process):
            def run(self):
                os.write(w, b'run ')
        for cls in (DoRun, Run):
            p = cls()
            p.start()
            p.join(30)
            self.assertEqual(p.exitcode, 0)
        os.close(w)
        self.assertEqual(_read_all(r), 'do_run run ')


class TestForkFailure(unittest.TestCase):

    def test_eagain_is_blocking_io_error(self):
        p = GProcess.Process(target=lambda: None)
        with mock.patch('os.fork', side_effect=BlockingIOError(errno.EAGAIN, 'Resource '
                                                              'temporarily unavailable')):
            with self.assertRaises(BlockingIOError) as cm:
                p.start()
        self.assertEqual(cm.exception.errno, errno.EAGAIN)
        self.assertIsNone(p.pid)
        # The object can still be started
        p.start()
        p.join(30)
        self.assertEqual(p.exitcode, 0)

    def test_other_errno_kept(self):
        p = GProcess.Process(target=lambda: None)
        with mock.patch('os.fork', side_effect=OSError(errno.ENOMEM, 'Cannot allocate memory')):
            with self.assertRaises(OSError) as cm:
                p.start()
        self.assertEqual(cm.exception.errno, errno.ENOMEM)
        self.assertIs(type(cm.exception), OSError)

    def test_keyboard_interrupt_not_swallowed(self):
        p = GProcess.Process(target=lambda: None)
        with mock.patch('os.fork', side_effect=KeyboardInterrupt):
            with self.assertRaises(KeyboardInterrupt):
                p.start()
        self.assertIsNone(p.pid)
        p.start()
        p.join(30)
        self.assertEqual(p.exitcode, 0)

    def test_real_eagain_from_rlimit_nproc(self):
        # RLIMIT_NPROC does not bind root: run the program as nobody when we are root
        if os.getuid() == 0:
            try:
                import pwd
                nobody = pwd.getpwnam('nobody')
            except (ImportError, KeyError):
                self.skipTest('no user nobody')
            preexec = f'os.setgid({nobody.pw_gid}); os.setuid({nobody.pw_uid})'
        else:
            preexec = 'pass'
        out = run_program(self, '''
            import os, resource
            ''' + preexec + '''
            resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
            p = GProcess.Process(target=lambda: None)
            try:
                p.start()
            except BlockingIOError as e:
                print('BlockingIOError', e.errno == __import__('errno').EAGAIN)
            else:
                p.join(30)
                print('started')
        ''')
        if 'PermissionError' in out.stderr or 'Operation not permitted' in out.stderr:
            self.skipTest('cannot change user: ' + out.stderr[-200:])
        self.assertEqual(out.stdout, 'BlockingIOError True\n', out.stderr)


class TestLibraryEntryPoints(unittest.TestCase):
    """The override uses the library's rules (gprocess-introspect.c), not copies of them."""

    def tearDown(self):
        for p in GProcess.active_children():
            p.kill()
            p.join()

    def test_create_source_callback_receives_the_process(self):
        from gi.repository import GLib
        p = GProcess.Process(target=sys.exit, args=(4,))
        p.start()
        loop = GLib.MainLoop()
        seen = []

        def on_end(process, *data):
            seen.append((process, process.exitcode, data))
            loop.quit()
            return GLib.SOURCE_REMOVE
        source = p.create_source()
        source.set_callback(on_end, 'a', 2)
        source.attach(None)
        GLib.timeout_add_seconds(30, loop.quit)
        loop.run()
        self.assertEqual(seen, [(p, 4, ('a', 2))])

    def test_source_set_callback_function(self):
        from gi.repository import GLib
        p = GProcess.Process(target=int)
        p.start()
        loop = GLib.MainLoop()
        seen = []

        def on_end(process):
            seen.append(process)
            loop.quit()
            return GLib.SOURCE_REMOVE
        source = GProcess.Object.create_source(p, None)  # the C method, a plain GLib.Source
        GProcess.source_set_callback(source, on_end)
        source.attach(None)
        GLib.timeout_add_seconds(30, loop.quit)
        loop.run()
        self.assertEqual(seen, [p])

    def test_repr_as_multiprocessing(self):
        import multiprocessing
        for name in ("plain", "it's", 'say "hi"', 'both \' "', 'tab\tnew\nline', 'caf\xe9',
                     'nbsp\xa0', 'back\\slash', 'bell\x07', 'zw\u200b'):
            with self.subTest(name=name):
                mine = repr(GProcess.Process(name=name))
                theirs = repr(multiprocessing.Process(name=name))
                self.assertEqual(mine, theirs)
        self.assertEqual(repr(GProcess.current_process()),
                         repr(multiprocessing.current_process()))

    def test_repr_exit_code_names(self):
        import multiprocessing.process
        for signum in (signal.SIGTERM, signal.SIGKILL, signal.SIGRTMIN, signal.SIGRTMIN + 1):
            with self.subTest(signum=signum):
                q = GProcess.Process(target=_pause)
                q.start()
                os.kill(q.pid, signum)
                q.join(30)
                expected = multiprocessing.process._exitcode_to_name.get(-signum, -signum)
                self.assertTrue(repr(q).endswith(' stopped exitcode=%s>' % expected), repr(q))

    def test_identity_is_the_library_counters(self):
        p = GProcess.Process()
        counter = int(p.name.rpartition('-')[2])
        self.assertEqual(p._identity, (counter,))
        p.name = 'renamed'
        self.assertEqual(p._identity, (counter,))
        self.assertEqual(GProcess.current_process()._identity, ())

        class Sub(GProcess.Process):
            pass
        q = Sub()
        self.assertEqual(q.name, 'Sub-%d' % q._identity)

    def test_os_failure_in_c_keeps_errno(self):
        # start() needs descriptors before it forks: without any free, the library fails with
        # G_PROCESS_ERROR_FAILED with g_process_get_last_errno() == EMFILE, which the override
        # raises as OSError(EMFILE)
        out = run_program(self, """
            import errno, os, resource
            warm = GProcess.Process(target=int)  # the library's own set-up is done
            warm.start()
            warm.join(30)
            p = GProcess.Process(target=int)
            fds = []
            resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
            try:
                while True:
                    fds.append(os.open(os.devnull, os.O_RDONLY))
            except OSError:
                pass
            os.close(fds.pop())  # one free descriptor: the sentinel's pipe needs two
            try:
                p.start()
            except OSError as e:
                print(type(e).__name__, e.errno == errno.EMFILE)
            else:
                print('started')
            for fd in fds:
                os.close(fd)
            p.start()
            p.join(30)
            print(p.exitcode)
        """)
        self.assertEqual(out.stdout, 'OSError True\n0\n', out.stderr)

    def test_last_errno_gives_the_subclass(self):
        from gi.repository import GLib
        module = _override_module()
        error = GLib.Error('Could not start process: Resource temporarily unavailable',
                           GLib.quark_to_string(GProcess.error_quark()), GProcess.Error.FAILED)
        with self.assertRaises(BlockingIOError) as cm:
            module._raise_for(error, 'start', errno.EAGAIN)
        self.assertEqual(cm.exception.errno, errno.EAGAIN)

    def test_misuse_checks_come_from_the_library(self):
        p = GProcess.Process(target=_pause)
        with self.assertRaisesRegex(AttributeError, "no attribute 'terminate'"):
            p.terminate()
        with self.assertRaisesRegex(AttributeError, "no attribute 'kill'"):
            p.kill()
        p.start()
        with self.assertRaisesRegex(AssertionError, 'process has already started'):
            p.daemon = True
        p.kill()
        p.join(30)
        p.close()
        for action in (p.is_alive, p.terminate, lambda: p.exitcode, lambda: p.sentinel):
            with self.assertRaisesRegex(ValueError, 'process object is closed'):
                action()
        out = run_program(self, """
            p = GProcess.Process()
            def child():
                try:
                    p.is_alive()
                except AssertionError as e:
                    print(e)
            c = GProcess.Process(target=child)
            c.start()
            c.join(30)
        """)
        self.assertEqual(out.stdout, 'can only test a child process\n', out.stderr)

    def test_exit_function_is_the_library_one(self):
        out = run_program(self, """
            import signal, os
            def sleeper():
                signal.pause()
            d = GProcess.Process(target=sleeper, daemon=True)
            d.start()
            n = GProcess.Process(target=print, args=('joined',))
            n.start()
            import sys
            sys.modules['gi.overrides.GProcess']._exit_function()  # what atexit calls
            print('after:', d.exitcode, n.exitcode)
        """)
        self.assertEqual(out.stdout, 'joined\nafter: -15 0\n', out.stderr)


def _pause():
    import signal
    signal.pause()


class TestNoLeak(unittest.TestCase):

    @staticmethod
    def _malloc_in_use():
        class Mallinfo2(ctypes.Structure):
            _fields_ = [(name, ctypes.c_size_t) for name in (
                'arena', 'ordblks', 'smblks', 'hblks', 'hblkhd', 'usmblks', 'fsmblks',
                'uordblks', 'fordblks', 'keepcost')]
        libc = ctypes.CDLL(None)
        libc.mallinfo2.restype = Mallinfo2
        info = libc.mallinfo2()
        return info.uordblks + info.hblkhd

    def _growth_per_object(self, make, n):
        for _ in range(500):
            make()
        gc.collect()
        before = self._malloc_in_use()
        for _ in range(n):
            make()
        gc.collect()
        return (self._malloc_in_use() - before) / n

    def test_objects_do_not_leak(self):
        if not hasattr(ctypes.CDLL(None), 'mallinfo2'):
            self.skipTest('no mallinfo2')

        def target(process):
            pass
        makers = {
            'Process(target=...)': lambda: GProcess.Process(target=print, args=(1,)),
            'Object.new()': lambda: GProcess.Object.new(),
            'new_with_target': lambda: GProcess.Object.new_with_target(target),
            'set_target': lambda: GProcess.Process().set_target(target),
        }
        for label, make in makers.items():
            with self.subTest(label):
                # PyGObject 3.42 leaked ~81 bytes per object with a scope-notified C callback
                self.assertLess(self._growth_per_object(make, 5000), 16)

    def test_started_objects_do_not_leak(self):
        if not hasattr(ctypes.CDLL(None), 'mallinfo2'):
            self.skipTest('no mallinfo2')

        def cycle():
            p = GProcess.Process(target=int)
            p.start()
            p.join(30)
            p.close()
        self.assertLess(self._growth_per_object(cycle, 300), 64)


class TestTypingAndHelp(unittest.TestCase):

    def _stub(self):
        module = _override_module()
        path = os.path.splitext(module.__file__)[0] + '.pyi'
        with open(path, encoding='utf-8') as f:
            return ast.parse(f.read(), path)

    @staticmethod
    def _names(body):
        names = set()
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
            elif isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        return names

    def test_stub_covers_the_override(self):
        stub = self._stub()
        module = _override_module()
        top = self._names(stub.body)
        for name in module.__all__:
            self.assertIn(name, top, 'stub lacks %s' % name)
        classes = {node.name: node for node in stub.body if isinstance(node, ast.ClassDef)}
        members = self._names(classes['Object'].body)
        public = {name for name in vars(module.Object) if not name.startswith('_')}
        self.assertFalse(public - members, 'stub lacks Object.%s' % ', '.join(public - members))
        # and says nothing the runtime does not have
        # the fork server's C API (issue 12) may be missing from the library under test
        optional = set() if hasattr(GProcess, 'set_fork_server_child_func') else {
            'get_start_method', 'set_start_method', 'get_args', 'set_args', 'get_fds',
            'set_fds', 'StartMethod', 'set_fork_server_child_func'}
        for name in members - optional:
            self.assertTrue(hasattr(GProcess.Object, name), 'Object.%s is not real' % name)
        for name in top - {'Process', 'Object'} - optional:
            if not name.startswith('_'):
                self.assertTrue(hasattr(GProcess, name), 'GProcess.%s is not real' % name)

    def test_stub_signatures_match(self):
        classes = {node.name: node for node in self._stub().body if isinstance(node, ast.ClassDef)}
        for node in classes['Object'].body:
            if isinstance(node, ast.FunctionDef) and not node.decorator_list:
                runtime = vars(_override_module().Object).get(node.name)
                if inspect.isfunction(runtime):
                    params = [a.arg for a in node.args.args + node.args.kwonlyargs]
                    expected = [p.name for p in inspect.signature(runtime).parameters.values()
                                if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
                    self.assertEqual(params, expected, node.name)

    def test_stub_matches_the_typelib(self):
        # Issue 20 item 8: the stub's enums (every member), constants and functions are the
        # typelib's (generated from the GIR), so that the stub cannot drift from the library
        from gi._gi import ConstantInfo, EnumInfo, FunctionInfo, Repository
        stub = self._stub()
        classes = {node.name: node for node in stub.body if isinstance(node, ast.ClassDef)}
        top = self._names(stub.body)
        for info in Repository.get_default().get_infos('GProcess'):
            name = info.get_name()
            if isinstance(info, EnumInfo):
                self.assertIn(name, classes, 'stub lacks the enum %s' % name)
                members = self._names(classes[name].body)
                for value in info.get_values():
                    self.assertIn(value.get_name().upper(), members,
                                  'stub lacks %s.%s' % (name, value.get_name().upper()))
            elif isinstance(info, (ConstantInfo, FunctionInfo)):
                self.assertIn(name, top, 'stub lacks %s' % name)

    def test_stub_with_mypy(self):
        # Debian 12 packages mypy (1.0.1); when it is installed, the stub must pass it. meson
        # runs it as a test of its own (python-stub-mypy), which sets GPROCESS_TEST_MYPY.
        if not os.environ.get('GPROCESS_TEST_MYPY'):
            self.skipTest('run as the python-stub-mypy test')
        try:
            import mypy.api
        except ImportError:
            self.skipTest('mypy is not installed (apt-get install mypy)')
        path = os.path.splitext(_override_module().__file__)[0] + '.pyi'
        out, err, status = mypy.api.run(['--ignore-missing-imports', '--no-incremental',
                                         '--cache-dir=/dev/null', path])
        self.assertEqual(status, 0, out + err)
        # Issue 20 item 8: a program's `from gi.repository import GProcess` is typed by the
        # stub as mypy finds it (PEP 561: gi-stubs/repository/GProcess.pyi, here on the
        # uninstalled PYTHONPATH, installed beside the override's folder)
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            program = os.path.join(tmp, 'program.py')
            with open(program, 'w', encoding='utf-8') as f:
                f.write('import gi\n'
                        "gi.require_version('GProcess', '1.0')\n"
                        'from gi.repository import GLib, GProcess\n'
                        'p = GProcess.Process(target=print)\n'
                        'p.join(1.5)\n'
                        'name: int = p.name\n'
                        'reveal_type(p.exitcode)\n')
            # (no --ignore-missing-imports: gi-stubs's __init__.pyi make the rest of gi Any)
            out, err, status = mypy.api.run(['--no-incremental', '--cache-dir=/dev/null',
                                             program])
        self.assertIn('program.py:6: error: Incompatible types in assignment (expression has '
                      'type "str", variable has type "int")', out)
        self.assertIn('Revealed type is "Union[builtins.int, None]"', out)
        self.assertEqual(out.count('error:'), 1, out + err)

    def test_reference_names_every_start_method(self):
        # Issue 20 item 8: the Contexts section of the reference (python.xml) says which
        # methods get_context() takes: every one the binding has, and no "None or 'fork'"
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'docs',
                            'reference', 'python.xml')
        with open(path, encoding='utf-8') as f:
            text = f.read()
        section = text.split('<section id="gprocess-python-contexts">')[1].split('</section>')[0]
        for method in GProcess.get_all_start_methods():
            self.assertIn("<literal>'%s'</literal>" % method, section)
        self.assertNotIn("<literal>None</literal> or\n      <literal>'fork'</literal>", section)

    def test_properties_and_methods_documented(self):
        for name in ('name', 'daemon', 'authkey', 'exitcode', 'ident', 'pid', 'sentinel',
                     'start', 'run', 'join', 'is_alive', 'terminate', 'kill', 'close'):
            doc = getattr(GProcess.Process, name).__doc__
            self.assertTrue(doc and len(doc) > 20, name)
        text = pydoc.render_doc(GProcess.Process, renderer=pydoc.plaintext)
        for expected in ('Return exit code of process', 'authentication key', 'daemonic',
                         'Wait until child process terminates', 'Start child process'):
            self.assertIn(expected, text)
        self.assertTrue(GProcess.get_context.__doc__)


class TestLayout(unittest.TestCase):
    """Issue 19 item 6: a thin override over a package laid out like multiprocessing."""

    def _package_dir(self):
        return os.path.join(os.path.dirname(_override_module().__file__), '_gprocess')

    def test_override_is_thin(self):
        with open(_override_module().__file__, encoding='utf-8') as f:
            self.assertLessEqual(len(f.read().splitlines()), 400)

    def test_package_modules(self):
        import importlib
        for name in ('process', 'context', 'popen', 'forkserver', 'results', 'util',
                     '_cpython'):
            module = importlib.import_module('gi.overrides._gprocess.' + name)
            self.assertTrue(module.__doc__, name)

    def test_only_one_module_touches_cpython_internals(self):
        # A private name of the standard library (threading._shutdown, multiprocessing's
        # _children...) or ctypes.pythonapi appears in _cpython.py only
        stdlib = {'threading', 'mpp', 'util', 'context', 'ctypes', 'multiprocessing', 'sys'}
        files = [_override_module().__file__] + [
            os.path.join(self._package_dir(), f) for f in os.listdir(self._package_dir())
            if f.endswith('.py') and f != '_cpython.py']
        for path in files:
            with open(path, encoding='utf-8') as f:
                tree = ast.parse(f.read(), path)
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                        and node.value.id in stdlib):
                    continue
                private = node.attr.startswith('_') and not node.attr.endswith('__')
                self.assertFalse(private or node.attr == 'pythonapi',
                                 '%s:%d: %s.%s' % (os.path.basename(path), node.lineno,
                                                   node.value.id, node.attr))

    def test_public_names_from_gi_repository(self):
        for name in _override_module().__all__:
            self.assertTrue(hasattr(GProcess, name), name)

    def test_uninstalled_path_does_not_shadow_gi(self):
        # Issue 20 item 8: with the uninstalled PYTHONPATH, a Python without gi (here: without
        # its site directories) says that gi is missing, not that it has no require_version
        env = dict(os.environ)
        out = subprocess.run([sys.executable, '-S', '-c',
                              "import gi; gi.require_version('GProcess', '1.0')"],
                             env=env, capture_output=True, text=True)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("No module named 'gi'", out.stderr)


if __name__ == '__main__':
    unittest.main(verbosity=2)
