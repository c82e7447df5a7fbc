// subclass.js: seed 004's MyProcess in gjs: ten children, each with its argument
// SPDX-License-Identifier: LGPL-2.1-or-later
import GObject from 'gi://GObject';
import GProcess from 'gi://GProcess?version=1.0';

const MyProcess = GObject.registerClass(class MyProcess extends GProcess.Object {
    _init(arg) {
        super._init();
        this._arg = arg;
    }

    vfunc_run() {
        print(`nMask ${this._arg}`);
    }
});

const procs = [];
for (let i = 0; i < 10; i++) {
    const p = new MyProcess(i);
    p.start();
    procs.push(p);
}
for (const p of procs)
    p.join(-1, null);
