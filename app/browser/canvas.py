"""Putting RGBA pixels on a ``<canvas>``, with zoom and pan.

The image is written once per change into an offscreen canvas at its own size
(``putImageData`` ignores transforms), then drawn onto the visible canvas with
the view's scale and offset. The ``ImageData`` is reused, and its bytes are filled
with one copy from the numpy buffer (``JsBuffer.assign``): converting the array
with ``to_js`` would cost several times more per frame.
"""

from __future__ import annotations

from typing import Any

import js


class CanvasImage:
    def __init__(self, canvas: Any) -> None:
        self.canvas = canvas
        self.context = canvas.getContext("2d")
        self.offscreen = js.document.createElement("canvas")
        self.offscreen_context = self.offscreen.getContext("2d")
        self.image_data: Any = None
        self.image_width = 0
        self.image_height = 0

    def put(self, rgba: Any) -> None:
        """Show ``rgba``, a C-contiguous uint8 array of shape (rows, columns, 4)."""
        height, width = int(rgba.shape[0]), int(rgba.shape[1])
        if self.image_data is None or (width, height) != self.image_size():
            self.offscreen.width = width
            self.offscreen.height = height
            self.image_data = self.offscreen_context.createImageData(width, height)
            self.image_width, self.image_height = width, height
        self.image_data.data.assign(rgba.reshape(-1))
        self.offscreen_context.putImageData(self.image_data, 0, 0)

    def clear(self) -> None:
        """Forget the image (a new series is loading)."""
        self.image_width = self.image_height = 0
        self.image_data = None

    def image_size(self) -> tuple[int, int]:
        return self.image_width, self.image_height

    def size(self) -> tuple[int, int]:
        """The canvas's drawing area on screen in CSS pixels (inside its border)."""
        return int(self.canvas.clientWidth), int(self.canvas.clientHeight)

    def draw(
        self, scale_x: float, scale_y: float, offset_x: float, offset_y: float
    ) -> None:
        """Draw the image scaled by ``scale_x``/``scale_y``, its top left at the offset."""
        ratio = float(js.window.devicePixelRatio or 1)
        width, height = self.size()
        backing = (int(width * ratio), int(height * ratio))
        if (self.canvas.width, self.canvas.height) != backing:
            self.canvas.width, self.canvas.height = backing
        context = self.context
        context.setTransform(1, 0, 0, 1, 0, 0)
        context.fillStyle = "#000"
        context.fillRect(0, 0, backing[0], backing[1])
        if not self.image_width:
            return
        # Magnified pixels stay crisp squares, as readers expect; minified images
        # are smoothed so fine detail does not alias.
        context.imageSmoothingEnabled = min(scale_x, scale_y) * ratio < 1
        context.setTransform(
            scale_x * ratio, 0, 0, scale_y * ratio, offset_x * ratio, offset_y * ratio
        )
        context.drawImage(self.offscreen, 0, 0)
