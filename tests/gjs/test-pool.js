// test-pool.js: GProcess.Pool from gjs with promises (Gio._promisify): results, a lost
// worker, a timeout
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import GProcess from 'gi://GProcess?version=1.0';
import System from 'system';

Gio._promisify(GProcess.Pool.prototype, 'submit_async', 'submit_finish');

let failures = 0;
function check(ok, what) {
    print(`${ok ? 'ok' : 'not ok'} - ${what}`);
    if (!ok)
        failures++;
}

// Runs in the workers (fork start method: the worker is a copy of this gjs process)
function work(task) {
    const [cmd, arg] = task.deepUnpack();
    if (cmd === 'square')
        return new GLib.Variant('x', arg * arg);
    if (cmd === 'exit')
        GProcess.exit(arg);
    if (cmd === 'sleep')
        GLib.usleep(arg);
    return new GLib.Variant('x', -1);
}

const pool = GProcess.Pool.new(work, 2);
const task = (cmd, arg) => new GLib.Variant('(sx)', [cmd, arg]);

async function main() {
    const results = await Promise.all([1, 2, 3, 4, 5].map(i => pool.submit_async(task('square', i), null)));
    check(results.map(v => v.unpack()).join(',') === '1,4,9,16,25', `results: ${results.map(v => v.unpack())}`);

    try {
        await pool.submit_async(task('exit', 7), null);
        check(false, 'a worker that exits loses its task');
    } catch (e) {
        check(e.matches(GProcess.error_quark(), GProcess.Error.WORKER_LOST), `lost worker: ${e.message}`);
        check(e.message.includes('exited with code 7'), 'the message gives the exit code');
    }
    const after = await pool.submit_async(task('square', 6), null);
    check(after.unpack() === 36, 'the pool goes on after a lost worker');

    pool.task_timeout = 200 * 1000;
    try {
        await pool.submit_async(task('sleep', 30 * 1000 * 1000), null);
        check(false, 'a task past task-timeout fails');
    } catch (e) {
        check(e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT), `timeout: ${e.message}`);
    }
    const last = await pool.submit_async(task('square', 7), null);
    check(last.unpack() === 49, 'the pool goes on after a timeout');

    pool.close();
    check(pool.join(30 * 1000 * 1000, null), 'join after close');
    check(pool.n_workers === 0, 'no worker left');
}

const loop = new GLib.MainLoop(null, false);
main().catch(e => {
    check(false, `unexpected: ${e}`);
}).finally(() => loop.quit());
GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 120, () => {
    check(false, 'the test hung');
    loop.quit();
    return GLib.SOURCE_REMOVE;
});
loop.run();
System.exit(failures === 0 ? 0 : 1);
