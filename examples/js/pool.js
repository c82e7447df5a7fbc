// pool.js: a GProcess.Pool from gjs with promises. A lost worker fails only its task.
// SPDX-License-Identifier: LGPL-2.1-or-later
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import GProcess from 'gi://GProcess?version=1.0';

Gio._promisify(GProcess.Pool.prototype, 'submit_async', 'submit_finish');

// Runs in the workers (forks of this process): end a worker with GProcess.exit()
const pool = GProcess.Pool.new(task => {
    const n = task.unpack();
    if (n < 0)
        GProcess.exit(3);
    return new GLib.Variant('x', n * n);
}, 2);

const loop = new GLib.MainLoop(null, false);
(async () => {
    const squares = await Promise.all([1, 2, 3, 4].map(i => pool.submit_async(new GLib.Variant('x', i), null)));
    print(`squares: ${squares.map(v => v.unpack()).join(', ')}`);
    try {
        await pool.submit_async(new GLib.Variant('x', -1), null);
    } catch (e) {
        print(`worker lost: ${e.matches(GProcess.error_quark(), GProcess.Error.WORKER_LOST)}`);
    }
    const after = await pool.submit_async(new GLib.Variant('x', 5), null);
    print(`after the loss: ${after.unpack()}`);
    pool.close();
    print(`joined: ${pool.join(10 * 1000 * 1000, null)}`);
})().finally(() => loop.quit());
loop.run();
