"""The base of nnlab's modal dialogs: a screen that can be dismissed once only.

Two keys pressed faster than the screen can close (``y`` then ``enter``, or ``esc`` twice) would otherwise dismiss
it twice, and the second dismissal pops the screen beneath: the app's own.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from textual.screen import ModalScreen

T = TypeVar("T")


class Dialog(ModalScreen[T], Generic[T]):
    """A ``ModalScreen`` whose ``dismiss`` acts once; later calls while it closes are ignored."""

    _dismissed: bool = False

    def action_dismiss(self, result: T | None = None) -> None:  # type: ignore[override]
        """Dismiss with ``result`` unless already dismissed (the key bindings' action)."""
        self.close(result)

    def close(self, result: T | None = None) -> None:
        """Dismiss with ``result`` unless already dismissed or not on top."""
        if self._dismissed or not self.is_active:
            return
        self._dismissed = True
        self.dismiss(result)
