"""Where an image sits on the viewport canvas: zoom, pan, fit, and pixel aspect.

Pure arithmetic in CSS pixels. ``scale`` is canvas pixels per image column;
rows are drawn ``aspect`` times taller, so an image whose (0028,0030) Pixel
Spacing is not square still shows true proportions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

MIN_SCALE = 0.02
MAX_SCALE = 64.0

Size = tuple[float, float]
Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class ViewGeometry:
    scale: float = 1.0
    aspect: float = 1.0
    offset_x: float = 0.0
    offset_y: float = 0.0
    fitted: bool = False

    @property
    def scale_y(self) -> float:
        return self.scale * self.aspect

    def fitted_to(
        self, viewport: Size, image: Size, aspect: float = 1.0
    ) -> ViewGeometry:
        """The whole image, as large as fits, centred."""
        width, height = image
        if width <= 0 or height <= 0 or viewport[0] <= 0 or viewport[1] <= 0:
            return replace(self, aspect=aspect, fitted=True)
        scale = min(viewport[0] / width, viewport[1] / (height * aspect))
        return self._centred(viewport, image, scale, aspect, fitted=True)

    def actual_size(self, viewport: Size, image: Size) -> ViewGeometry:
        """One image pixel per canvas pixel (square), centred."""
        return self._centred(viewport, image, 1.0, 1.0, fitted=False)

    def _centred(
        self, viewport: Size, image: Size, scale: float, aspect: float, fitted: bool
    ) -> ViewGeometry:
        offset_x = (viewport[0] - image[0] * scale) / 2
        offset_y = (viewport[1] - image[1] * scale * aspect) / 2
        # Whole pixels, so a 1:1 image maps each image pixel to one canvas pixel.
        return ViewGeometry(scale, aspect, round(offset_x), round(offset_y), fitted)

    def zoomed(self, factor: float, about: Point) -> ViewGeometry:
        """Zoom by ``factor``, keeping the image point under ``about`` in place."""
        scale = min(MAX_SCALE, max(MIN_SCALE, self.scale * factor))
        applied = scale / self.scale
        x, y = about
        return ViewGeometry(
            scale,
            self.aspect,
            x - (x - self.offset_x) * applied,
            y - (y - self.offset_y) * applied,
            fitted=False,
        )

    def panned(self, dx: float, dy: float) -> ViewGeometry:
        return replace(
            self, offset_x=self.offset_x + dx, offset_y=self.offset_y + dy, fitted=False
        )

    def to_image(self, point: Point) -> Point:
        """The image coordinates (column, row) under a canvas point."""
        return (
            (point[0] - self.offset_x) / self.scale,
            (point[1] - self.offset_y) / self.scale_y,
        )
