# gi-stubs/__init__.pyi: the little of gi that a GProcess program uses, for mypy when
# PyGObject-stubs is not installed (PEP 561 stub-only package; everything else is Any)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
from typing import Any

def require_version(namespace: str, version: str) -> None: ...
def __getattr__(name: str) -> Any: ...
