// test-exception.js: an exception that escapes vfunc_run (or a target) in the child ends it
// with exit code 1 and its message on stderr, as an exception escaping run() does in Python;
// GProcess.exit(n) still gives n, a normal return 0.
//
//   gjs -m test-exception.js           runs the checks
//   gjs -m test-exception.js --child   (run by the checks) starts one child that throws
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import GProcess from 'gi://GProcess?version=1.0';
import System from 'system';

const Boom = GObject.registerClass(class Boom extends GProcess.Object {
    vfunc_run() {
        throw new Error('boom in vfunc_run');
    }
});

const Quiet = GObject.registerClass(class Quiet extends GProcess.Object {
    vfunc_run() {
    }
});

const Five = GObject.registerClass(class Five extends GProcess.Object {
    vfunc_run() {
        GProcess.exit(5);
    }
});

function run(p) {
    p.start();
    p.join(-1, null);
    return p.exit_code;
}

if (System.programArgs.includes('--child')) {
    print(`exit code ${run(new Boom())}`);
    System.exit(0);
}

let failures = 0;
function check(ok, what) {
    print(`${ok ? 'ok' : 'not ok'} - ${what}`);
    if (!ok)
        failures++;
}

let code = run(new Boom());
check(code === 1, `an exception escaping vfunc_run: exit code 1 (got ${code})`);

const target = new GProcess.Object();
target.set_target(() => {
    throw new TypeError('boom in a target');
});
code = run(target);
check(code === 1, `an exception escaping a target: exit code 1 (got ${code})`);

code = run(new Five());
check(code === 5, `GProcess.exit(5): 5 (got ${code})`);

// An exception in the parent before the start is the parent's: the child starts clean
const noisy = new Quiet();
noisy.connect('notify::name', () => {
    throw new Error('an exception in the parent, before the start (expected)');
});
noisy.name = 'noisy';
code = run(noisy);
check(code === 0, `a child that returns normally after a JS error in the parent: 0 (got ${code})`);
code = run(new Quiet());
check(code === 0, `a normal return: 0 (got ${code})`);

// A fork-server child too
GProcess.start_fork_server();
code = run(new Boom({start_method: GProcess.StartMethod.FORKSERVER}));
check(code === 1, `an exception in a fork-server child: exit code 1 (got ${code})`);

// The message reaches stderr: the same in a gjs of its own, whose stderr is read here
const gjs = GLib.find_program_in_path('gjs');
const me = GLib.filename_from_uri(import.meta.url)[0];
const proc = Gio.Subprocess.new([gjs, '-m', me, '--child'],
    Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_PIPE);
const [, out, err] = proc.communicate_utf8(null, null);
check(proc.get_exit_status() === 0, 'the --child program exits 0');
check(out.trim() === 'exit code 1', `the --child program printed "exit code 1" (got ${JSON.stringify(out)})`);
check(err.includes('JS ERROR: Error: boom in vfunc_run'), `the message on stderr (got ${JSON.stringify(err)})`);
check(err.includes('vfunc_run@'), 'with its stack');

print(failures === 0 ? 'all checks passed' : `${failures} checks failed`);
System.exit(failures === 0 ? 0 : 1);
