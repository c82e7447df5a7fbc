// lifecycle.js: a result back from the child, its resource usage, and a graceful stop with
// stop_async, in gjs
// SPDX-License-Identifier: LGPL-2.1-or-later
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import GProcess from 'gi://GProcess?version=1.0';

// Returns a value to its parent
const Answer = GObject.registerClass(class Answer extends GProcess.Object {
    vfunc_run() {
        GProcess.set_result(new GLib.Variant('(si)', ['the answer', 6 * 7]));
    }
});

// Runs until it is stopped, on a main context of its own (a fork child must not use its
// parent's contexts)
const Sleeper = GObject.registerClass(class Sleeper extends GProcess.Object {
    vfunc_run() {
        new GLib.MainLoop(new GLib.MainContext(), false).run();
    }
});

const a = new Answer();
a.start();
a.join(-1, null);
const [name, value] = a.get_result().deepUnpack();
print(`result: ${name} = ${value}`);
const [known, userUs, systemUs, maxRss] = a.get_usage();
print(`usage known: ${known}, max RSS above 0: ${maxRss > 0}`);

const loop = new GLib.MainLoop(null, false);
const s = new Sleeper({daemon: true});
print(`parent-death signal of a daemonic child: ${s.parent_death_signal}`);
s.start();
s.stop_async(5000000, null, (process, res) => {
    process.stop_finish(res);
    print(`stopped politely: exit code ${process.exit_code}`);
    loop.quit();
});
loop.run();
