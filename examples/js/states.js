// states.js: seed 002's doctest in gjs: a sleeping child is terminated; exit code -SIGTERM
// SPDX-License-Identifier: LGPL-2.1-or-later
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import GProcess from 'gi://GProcess?version=1.0';

const Sleeper = GObject.registerClass(class Sleeper extends GProcess.Object {
    vfunc_run() {
        GLib.usleep(1000 * 1000 * 1000);
    }
});

const p = new Sleeper();
print(p.to_string(), p.is_alive());
p.start();
print(p.to_string(), p.is_alive());
p.terminate();
p.join(-1, null);
print(p.to_string(), p.is_alive());
print(p.exit_code === -15);
