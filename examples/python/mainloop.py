#!/usr/bin/python3
# mainloop.py: a GLib main loop starts three children and quits when the last has ended;
# nothing joins them: notify::state arrives from the main loop.
# SPDX-License-Identifier: LGPL-2.1-or-later
import sys

import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GLib, GProcess  # noqa: E402

loop = GLib.MainLoop()
running = 0


def on_state(process, pspec):
    global running
    if process.get_state() == GProcess.State.STOPPED:
        print('%s ended with exit code %d' % (process.name, process.exitcode))
        running -= 1
        if running == 0:
            loop.quit()


children = []
for i in range(3):
    p = GProcess.Process(target=sys.exit, args=(i + 1,))
    p.connect('notify::state', on_state)
    p.start()
    running += 1
    children.append(p)
loop.run()
print('all children ended')
