"""What both engines' transactions do once they have committed: run the hooks added to them."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def run_after_commit(hooks: list[Callable[[], None]]) -> None:
    for hook in hooks:
        try:
            hook()
        except Exception:
            # The transaction is committed; a failing hook must not make the caller think
            # otherwise.
            log.exception("an after-commit hook failed")
