// exit-code.js: "no exit code yet" in gjs. Python's override gives None; gjs cannot, because
// the C int property has no "no value": a process without an exit code (before start(), while
// the child runs, and the current process) reports GProcess.EXIT_CODE_NONE, which is
// -2147483648 (G_MININT). Compare with the constant, never with null or undefined.
// SPDX-License-Identifier: LGPL-2.1-or-later
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import GProcess from 'gi://GProcess?version=1.0';

// The Python spelling, if you prefer it: null while there is no exit code
function exitcode(process) {
    return process.exit_code === GProcess.EXIT_CODE_NONE ? null : process.exit_code;
}

// A child that runs until it is killed, on a main context of its own (a fork child must not
// use its parent's contexts)
const Sleeper = GObject.registerClass(class Sleeper extends GProcess.Object {
    vfunc_run() {
        new GLib.MainLoop(new GLib.MainContext(), false).run();
    }
});

const p = new Sleeper();
print(`before start: exit_code ${p.exit_code}, exitcode ${exitcode(p)}`);
p.start();
print(`running: no exit code: ${p.exit_code === GProcess.EXIT_CODE_NONE}`);
p.kill();
p.join(-1, null);
print(`killed: exitcode ${exitcode(p)}`);
print(`current process: exitcode ${exitcode(GProcess.get_current())}`);
