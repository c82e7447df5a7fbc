// test-gprocess.js: GProcess from gjs: a subclass overriding vfunc_run, errors, the main loop
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Gio from 'gi://Gio';
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

const Seven = GObject.registerClass(class Seven extends GProcess.Object {
    vfunc_run() {
        GProcess.exit(7);
    }
});

// "No exit code yet" is GProcess.EXIT_CODE_NONE, G_MININT: gjs has no null for an int property
check(GProcess.EXIT_CODE_NONE === -2147483648, `EXIT_CODE_NONE is -2147483648 (got ${GProcess.EXIT_CODE_NONE})`);

const p = new Seven({name: 'seven'});
check(p.name === 'seven', 'name set at construction');
check(p.state === GProcess.State.INITIAL, 'initial state');
check(p.exit_code === GProcess.EXIT_CODE_NONE, `no exit code before start (got ${p.exit_code})`);
check(p.get_exit_code() === GProcess.EXIT_CODE_NONE, 'get_exit_code() agrees with the property');
p.start();
check(p.pid > 0, 'pid after start');
p.join(-1, null);
check(p.exit_code === 7, `exit code 7 (got ${p.exit_code})`);
check(p.exit_code !== GProcess.EXIT_CODE_NONE, 'an exit code after join');
check(GProcess.get_current().exit_code === GProcess.EXIT_CODE_NONE, 'the current process has no exit code');

// While the child runs there is no exit code; a timed-out join says so too
const Sleeper = GObject.registerClass(class Sleeper extends GProcess.Object {
    vfunc_run() {
        new GLib.MainLoop(new GLib.MainContext(), false).run();
    }
});
const s = new Sleeper();
s.start();
try {
    s.join(0, null);
    check(false, 'join(0) on a running child throws');
} catch (e) {
    check(e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.TIMED_OUT), 'join(0) on a running child: TIMED_OUT');
}
check(s.exit_code === GProcess.EXIT_CODE_NONE, `no exit code while the child runs (got ${s.exit_code})`);
s.kill();
s.join(-1, null);
check(s.exit_code === -9, `killed child: -SIGKILL (got ${s.exit_code})`);
check(p.state === GProcess.State.STOPPED, 'stopped after join');

// Returning from vfunc_run ends the child with 0
const Quiet = GObject.registerClass(class Quiet extends GProcess.Object {
    vfunc_run() {}
});
const q = new Quiet();
q.start();
q.join(-1, null);
check(q.exit_code === 0, 'returning from run gives 0');

// Errors are GLib.Errors in the GProcess domain
try {
    new GProcess.Object().join(-1, null);
    check(false, 'join before start throws');
} catch (e) {
    check(e.matches(GProcess.error_quark(), GProcess.Error.NOT_STARTED), 'NOT_STARTED error');
}

// The end is noticed by the main loop, without any call
const loop = new GLib.MainLoop(null, false);
const r = new Seven();
r.connect('notify::state', obj => {
    if (obj.state === GProcess.State.STOPPED)
        loop.quit();
});
r.start();
GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 30, () => {
    loop.quit();
    return GLib.SOURCE_REMOVE;
});
loop.run();
check(r.exit_code === 7, 'notify::state from the main loop');

// Start methods: the fork server rebuilds gjs subclasses registered before it started
const ArgsCheck = GObject.registerClass(class ArgsCheck extends GProcess.Object {
    vfunc_run() {
        const args = this.get_args();
        const [word, n] = args ? args.deep_unpack() : ['', 0];
        GProcess.exit(word === 'héllo' && n === 42 ? 0 : 1);
    }
});
GObject.type_ensure(ArgsCheck.$gtype);
check(GProcess.get_start_method() === GProcess.StartMethod.FORK, 'the default start method is FORK');
GProcess.start_fork_server();
const served = new Seven({start_method: GProcess.StartMethod.FORKSERVER});
check(served.start_method === GProcess.StartMethod.FORKSERVER, 'start-method property');
served.start();
served.join(-1, null);
check(served.exit_code === 7, `a gjs subclass run by the fork server (exit code ${served.exit_code})`);
for (const method of [GProcess.StartMethod.FORK, GProcess.StartMethod.FORKSERVER]) {
    const a = new ArgsCheck({start_method: method});
    a.args = new GLib.Variant('(si)', ['héllo', 42]);
    a.start();
    a.join(-1, null);
    check(a.exit_code === 0, `args cross with start method ${method}`);
}
const closure = new GProcess.Object({start_method: GProcess.StartMethod.FORKSERVER});
closure.set_target(() => GProcess.exit(3));
try {
    closure.start();
    check(false, 'a closure target is refused by the fork server');
} catch (e) {
    check(e.matches(GProcess.error_quark(), GProcess.Error.NOT_TRANSFERABLE) &&
          e.message.includes('args'), 'NOT_TRANSFERABLE for a closure, saying what to do');
}
closure.start_method = GProcess.StartMethod.FORK;
closure.start();
closure.join(-1, null);
check(closure.exit_code === 3, 'the same object starts with fork');

check(GProcess.get_current().name === 'MainProcess', 'current process is MainProcess');

// Lifecycle: get_result, get_usage, stop_async
const Answer = GObject.registerClass(class Answer extends GProcess.Object {
    vfunc_run() {
        GProcess.set_result(new GLib.Variant('(sai)', ['answer', [4, 2]]));
    }
});
const a = new Answer();
try {
    a.get_result();
    check(false, 'get_result before start throws');
} catch (e) {
    check(e.matches(GProcess.error_quark(), GProcess.Error.NOT_STARTED), 'get_result before start: NOT_STARTED');
}
a.start();
a.join(-1, null);
const answer = a.get_result();
check(answer !== null && answer.get_type_string() === '(sai)', `get_result returns the child's value (got ${answer})`);
const [answerName, answerList] = answer.deepUnpack();
check(answerName === 'answer' && answerList.length === 2 && answerList[0] === 4 && answerList[1] === 2,
    'the value round-trips');
const [usageKnown, userUs, systemUs, maxRss] = a.get_usage();
check(usageKnown && userUs >= 0 && systemUs >= 0 && maxRss > 0,
    `get_usage after the end (user ${userUs} us, system ${systemUs} us, max RSS ${maxRss} bytes)`);

const Failing = GObject.registerClass(class Failing extends GProcess.Object {
    vfunc_run() {
        GProcess.set_error(new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND, 'nothing here'));
        GProcess.exit(3);
    }
});
const f = new Failing();
f.start();
f.join(-1, null);
check(f.exit_code === 3, 'a failing child exits with 3');
try {
    f.get_result();
    check(false, 'get_result of a failing child throws');
} catch (e) {
    check(e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND) && e.message === 'nothing here',
        `the child's error round-trips (got ${e})`);
}

const stopLoop = new GLib.MainLoop(null, false);
const sleeper = new Sleeper({daemon: true});
check(sleeper.parent_death_signal === 15, 'a daemonic child gets SIGTERM when its parent dies');
sleeper.start();
sleeper.stop_async(10000000, null, (obj, res) => {
    try {
        check(obj.stop_finish(res), 'stop_finish returns true');
    } catch (e) {
        check(false, `stop_async failed: ${e}`);
    }
    stopLoop.quit();
});
stopLoop.run();
check(sleeper.exit_code === -15, `stop_async on a child honouring SIGTERM: -15 (got ${sleeper.exit_code})`);
check(sleeper.get_result() === null, 'a child that set nothing has no result');

System.exit(failures === 0 ? 0 : 1);
