// fork-server.js: children made by the fork server. The subclass is registered and the server
// started before anything else; each child gets its data through `args` and its subclass
// properties, and is still a child of this process. A JavaScript function is no target for
// the fork server (it is a closure): the error says what to do.
// SPDX-License-Identifier: LGPL-2.1-or-later
import GObject from 'gi://GObject';
import GLib from 'gi://GLib';
import GProcess from 'gi://GProcess?version=1.0';

const Worker = GObject.registerClass({
    Properties: {
        'factor': GObject.ParamSpec.int('factor', '', '', GObject.ParamFlags.READWRITE, 0, 100, 1),
    },
}, class Worker extends GProcess.Object {
    vfunc_run() {
        const [n] = this.get_args().deep_unpack();
        const mine = GProcess.get_parent().pid === this.get_parent_pid();
        print(`${this.name}: ${n} x ${this.factor} = ${n * this.factor}, child of the application: ${mine}`);
    }
});

GObject.type_ensure(Worker.$gtype);
GProcess.start_fork_server();
GProcess.set_start_method(GProcess.StartMethod.FORKSERVER);

const workers = [];
for (let i = 1; i <= 3; i++) {
    const p = new Worker({factor: 10});
    p.args = new GLib.Variant('(i)', [i]);
    p.start();
    workers.push(p);
}
for (const p of workers) {
    p.join(-1, null);
    print(`${p.name} exit code ${p.exit_code}`);
}

const closure = new GProcess.Object();
closure.set_target(() => print('never printed'));
try {
    closure.start();
} catch (e) {
    print(`not transferable: ${e.matches(GProcess.Error, GProcess.Error.NOT_TRANSFERABLE)}`);
}
