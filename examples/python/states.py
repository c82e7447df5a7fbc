#!/usr/bin/python3
# states.py: seed 002's doctest: sleep 1000, start, terminate, exit code == -SIGTERM
# SPDX-License-Identifier: LGPL-2.1-or-later
import signal
import time

import gi
gi.require_version('GProcess', '1.0')
from gi.repository.GProcess import Process  # noqa: E402

p = Process(target=time.sleep, args=(1000,))
print(p, p.is_alive())
p.start()
print(p, p.is_alive())
p.terminate()
p.join()
print(p, p.is_alive())
print(p.exitcode == -signal.SIGTERM)
