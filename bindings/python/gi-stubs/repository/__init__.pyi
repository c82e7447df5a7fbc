# gi-stubs/repository/__init__.pyi: namespaces other than GProcess are Any for mypy when
# PyGObject-stubs is not installed (its stubs type them otherwise)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
from typing import Any

def __getattr__(name: str) -> Any: ...
