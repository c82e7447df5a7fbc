// hello-bob.js: seed 000's example in gjs: a subclass whose vfunc_run greets Bob
// SPDX-License-Identifier: LGPL-2.1-or-later
import GObject from 'gi://GObject';
import GProcess from 'gi://GProcess?version=1.0';

const Greeter = GObject.registerClass(class Greeter extends GProcess.Object {
    _init(name) {
        super._init();
        this._who = name;
    }

    vfunc_run() {
        print(`Hello ${this._who}`);
    }
});

const p = new Greeter('Bob');
p.start();
p.join(-1, null);
