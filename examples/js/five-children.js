// five-children.js: seed 003's "whoami" in gjs: a direct call, one joined child, five unjoined
// children (GProcess joins them when the program ends). Each line is one write, so lines do
// not mix.
// SPDX-License-Identifier: LGPL-2.1-or-later
import GObject from 'gi://GObject';
import GProcess from 'gi://GProcess?version=1.0';

function whoami(label) {
    print(`${label}: name:${GProcess.get_current().name}, pid:${GProcess.get_current().pid}`);
}

const Whoami = GObject.registerClass(class Whoami extends GProcess.Object {
    _init(label) {
        super._init();
        this._label = label;
    }

    vfunc_run() {
        whoami(this._label);
    }
});

whoami('function call');
const p = new Whoami('spawned child');
p.start();
p.join(-1, null);
for (let i = 0; i < 5; i++)
    new Whoami(`run process ${i}`).start();
print('Main process exit.');
