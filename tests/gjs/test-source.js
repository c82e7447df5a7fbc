// test-source.js: from gjs, the source of create_source() calls back with the process
// (GProcess.source_set_callback), and the other entry points for bindings
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import GProcess from 'gi://GProcess?version=1.0';
import System from 'system';

let failures = 0;
function check(ok, what) {
    print(`${ok ? 'ok' : 'not ok'} - ${what}`);
    if (!ok)
        failures++;
}

const Three = GObject.registerClass(class Three extends GProcess.Object {
    vfunc_run() {
        GProcess.exit(3);
    }
});

const p = new Three({name: 'three'});
p.start();
const loop = new GLib.MainLoop(null, false);
const source = p.create_source(null);
let seen = null;
let calls = 0;
GProcess.source_set_callback(source, process => {
    calls++;
    seen = process;
    loop.quit();
    return GLib.SOURCE_REMOVE;
});
source.attach(null);
GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 30, () => {
    loop.quit();
    return GLib.SOURCE_REMOVE;
});
loop.run();
check(calls === 1, `the callback ran once (${calls})`);
check(seen === p, 'the callback received the process');
check(seen !== null && seen.exit_code === 3, 'the end was observed before the callback');

// The entry points for bindings
check(p.describe('Three').startsWith("<Three name='three' pid="), `describe: ${p.describe('Three')}`);
check(p.describe(null).endsWith('stopped exitcode=3>'), `describe with the GType name: ${p.describe(null)}`);
const identity = new GProcess.Object().get_identity();
check(identity.length === 1 && identity[0] > 1, `identity of a new object: ${identity}`);
check(GProcess.get_current().get_identity().length === 0, 'the main process has no identity');
try {
    new GProcess.Object().check(GProcess.Operation.SIGNAL);
    check(false, 'signalling an object never started is refused');
} catch (e) {
    check(e.matches(GProcess.error_quark(), GProcess.Error.NOT_STARTED), 'SIGNAL before start: NOT_STARTED');
}
check(p.check(GProcess.Operation.JOIN), 'a started child may be joined');
System.exit(failures === 0 ? 0 : 1);
