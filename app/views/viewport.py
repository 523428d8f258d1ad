"""The image viewport: one series on a canvas, scrolled, windowed, zoomed and panned.

Opening a series fetches its metadata and then only its frames (lazy loading:
other series cost nothing until opened). The image the reader asked for is
fetched first; the rest of the series follows in the background, a few requests
at a time, so scrolling soon needs no network. Decoded frames are kept in memory,
within a budget.

Over the canvas, the corners tell who and what is shown (app/viewport_overlay.py),
and cine plays the images at the instance's own rate (app/cine.py).

numpy and pydicom are imported on first use, never at start (see
``app/browser/packages.py``), so this module imports neither at the top.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from app.browser import dom, packages
from app.browser.canvas import CanvasImage
from app.cine import frame_interval, next_index
from app.dicomweb.client import DicomwebClient
from app.dicomweb.errors import DicomwebError
from app.series_stack import StackImage, build_stack, slice_location
from app.view_geometry import ViewGeometry
from app.viewport_overlay import Overlay, viewport_overlay
from app.views import feedback

if TYPE_CHECKING:
    # Only for annotations: app.imaging imports numpy, which loads after the first
    # view (app/browser/packages.py).
    import numpy as np

    from app.imaging.description import PixelDescription
    from app.imaging.window import Window

logger = logging.getLogger(__name__)

# Decoded frames kept per opened series: 300 CT slices of 512x512 int16 are 157 MB.
FRAME_CACHE_BYTES = 400 * 1024 * 1024
PREFETCH_IN_FLIGHT = 4
FRAMES_PER_REQUEST = 8  # for multi-frame instances: one request per few frames
CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"  # and Enhanced CT, .2.1 (PS3.4 B.5)
OVERLAY_CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")


class Viewport:
    def __init__(self) -> None:
        self.section = dom.by_id("viewer")
        self.notices = dom.by_id("viewer-notices")
        self.canvas_element = dom.by_id("viewport-canvas")
        self.canvas = CanvasImage(self.canvas_element)
        self.cine_button = dom.by_id("viewer-cine")
        self.overlay_corners = [
            dom.by_id(f"viewer-overlay-{corner}") for corner in OVERLAY_CORNERS
        ]
        self.overlay_lines: list[tuple[str, ...] | None] = [None] * 4
        self.client: DicomwebClient | None = None
        self.study_uid = ""
        self.series_uid = ""
        self.stack: tuple[StackImage, ...] = ()
        self.index = 0
        self.frames: OrderedDict[tuple[str, int], Any] = OrderedDict()
        self.cached_bytes = 0
        self.pending: dict[tuple[str, int], asyncio.Future[Any]] = {}
        self.descriptions: dict[str, PixelDescription] = {}
        self.window: Window | None = None
        self.window_is_custom = False
        self.geometry = ViewGeometry()
        self.rgba: Any = None
        self.shown: tuple[str, int] | None = None
        self.use_wado_uri = False
        self.part10_files: dict[str, Any] = {}
        self.open_task: asyncio.Task[Any] | None = None
        self.prefetch_task: asyncio.Task[Any] | None = None
        self.cine_task: asyncio.Task[Any] | None = None
        self.drag: tuple[str, float, float] | None = None
        self.bind()

    # Wiring ------------------------------------------------------------------------

    def bind(self) -> None:
        report = feedback.reporter(self.notices)
        canvas = self.canvas_element
        dom.on(canvas, "wheel", self.on_wheel, report)
        dom.on(canvas, "pointerdown", self.on_pointer_down, report)
        dom.on(canvas, "pointermove", self.on_pointer_move, report)
        dom.on(canvas, "pointerup", self.on_pointer_up, report)
        dom.on(canvas, "pointercancel", self.on_pointer_up, report)
        dom.on(canvas, "contextmenu", lambda event: event.preventDefault(), report)
        dom.on(canvas, "keydown", self.on_key, report)
        dom.on(canvas, "dblclick", lambda _e: self.fit(), report)
        dom.on(dom.by_id("viewer-fit"), "click", lambda _e: self.fit(), report)
        dom.on(
            dom.by_id("viewer-actual"), "click", lambda _e: self.actual_size(), report
        )
        dom.on(dom.by_id("viewer-reset"), "click", lambda _e: self.reset(), report)
        dom.on(dom.by_id("viewer-preset"), "change", self.on_preset, report)
        dom.on(self.cine_button, "click", lambda _e: self.toggle_cine(), report)
        dom.on(dom.window, "resize", lambda _e: self.redraw(), report)

    # Opening a series ----------------------------------------------------------------

    def cancel_loading(self) -> None:
        """Stop cine and every request of the open series; drop its frames."""
        self.pause()
        for task in (self.open_task, self.prefetch_task):
            if task is not None and not task.done():
                task.cancel()
        self.frames.clear()
        self.cached_bytes = 0
        self.pending.clear()

    def stop(self) -> None:
        """Stop loading (the reader left the study); what is cached is dropped."""
        self.cancel_loading()
        self.series_uid = ""
        self.section.hidden = True

    def is_showing(self, series_uid: str) -> bool:
        return self.series_uid == series_uid and not self.section.hidden

    def open(
        self,
        client: DicomwebClient,
        study_uid: str,
        series_uid: str,
        title: str,
        use_wado_uri: bool = False,
    ) -> None:
        """Show a series; whatever the last one was still loading is cancelled.

        ``use_wado_uri`` fetches each instance as a Part 10 file over WADO-URI
        (the "wado" image rendering protocol) instead of frames over WADO-RS.
        """
        self.cancel_loading()
        self.client = client
        self.use_wado_uri = use_wado_uri
        self.part10_files = {}
        self.study_uid, self.series_uid = study_uid, series_uid
        self.stack = ()
        self.descriptions.clear()
        self.window = None
        self.window_is_custom = False
        self.shown = None
        self.section.dataset.shown = ""
        self.geometry = ViewGeometry()
        self.section.hidden = False
        dom.clear(self.notices)
        dom.by_id("viewer-title").textContent = title
        dom.by_id("viewer-position").textContent = "Loading…"
        dom.by_id("viewer-window").textContent = ""
        self.show_overlay(None)
        self.canvas.clear()
        self.redraw()
        self.open_task = dom.spawn(self.load_series(), feedback.reporter(self.notices))

    async def load_series(self) -> None:
        assert self.client is not None
        try:
            await packages.ensure_imaging_packages()
            metadata = await self.client.retrieve_series_metadata(
                self.study_uid, self.series_uid
            )
        except DicomwebError as error:
            dom.by_id("viewer-position").textContent = ""
            feedback.render(self.notices, (feedback.error(error.user_message()),))
            return
        self.stack = build_stack(metadata)
        if not self.stack:
            dom.by_id("viewer-position").textContent = "This series has no images."
            return
        self.fill_presets()
        await self.go_to(0)
        self.prefetch_task = dom.spawn(self.prefetch(), feedback.reporter(self.notices))

    # Frames --------------------------------------------------------------------------

    def description_of(self, image: StackImage) -> PixelDescription:
        from app.imaging.description import PixelDescription

        uid = image.sop_instance_uid
        if uid not in self.descriptions:
            self.descriptions[uid] = PixelDescription.from_json(
                image.metadata.attributes
            )
        return self.descriptions[uid]

    async def pixels_of(self, image: StackImage) -> np.ndarray:
        key = (image.sop_instance_uid, image.frame_number)
        if key in self.frames:
            self.frames.move_to_end(key)
            return self.frames[key]
        if key not in self.pending:
            self.pending[key] = asyncio.ensure_future(self.fetch([image]))
        await asyncio.shield(self.pending[key])
        return self.frames[key]

    async def fetch(self, images: list[StackImage]) -> None:
        """Fetch and decode frames of one instance in one request."""
        from app.imaging.decode import decodable_transfer_syntaxes, decode_frame

        assert self.client is not None
        first = images[0]
        if self.use_wado_uri:
            await self.fetch_part10(first.sop_instance_uid, images)
            return
        description = self.description_of(first)
        frames = await self.client.retrieve_frames(
            self.study_uid,
            self.series_uid,
            first.sop_instance_uid,
            [image.frame_number for image in images],
            decodable=decodable_transfer_syntaxes(),
            stored_transfer_syntax=first.metadata.instance.transfer_syntax_uid,
        )
        for image, frame in zip(images, frames, strict=True):
            pixels = decode_frame(frame.data, description, frame.transfer_syntax_uid)
            self.keep((image.sop_instance_uid, image.frame_number), pixels)

    async def fetch_part10(self, sop_uid: str, images: list[StackImage]) -> None:
        """Frames from the instance's Part 10 file, fetched once over WADO-URI."""
        from app.imaging.part10 import read_part10

        assert self.client is not None
        if sop_uid not in self.part10_files:
            data = await self.client.retrieve_instance_uri(
                self.study_uid, self.series_uid, sop_uid
            )
            self.part10_files[sop_uid] = read_part10(data)
        part10 = self.part10_files[sop_uid]
        # The file's own attributes describe its pixels best.
        self.descriptions[sop_uid] = part10.description
        for image in images:
            self.keep((sop_uid, image.frame_number), part10.frame(image.frame_number))
        if all(
            (sop_uid, n) in self.frames for n in range(1, part10.number_of_frames + 1)
        ):
            del self.part10_files[sop_uid]  # every frame is decoded: drop the file

    def keep(self, key: tuple[str, int], pixels: Any) -> None:
        self.frames[key] = pixels
        self.cached_bytes += int(pixels.nbytes)
        while self.cached_bytes > FRAME_CACHE_BYTES and len(self.frames) > 1:
            _, dropped = self.frames.popitem(last=False)
            self.cached_bytes -= int(dropped.nbytes)

    async def prefetch(self) -> None:
        """Load the rest of the series, nearest images first, a few at a time."""
        from app.imaging.errors import ImagingError

        order = sorted(range(len(self.stack)), key=lambda i: abs(i - self.index))
        batches: list[list[StackImage]] = []
        for i in order:
            image = self.stack[i]
            key = (image.sop_instance_uid, image.frame_number)
            if key in self.frames or key in self.pending:
                continue
            last = batches[-1] if batches else None
            same_instance = last and last[0].sop_instance_uid == image.sop_instance_uid
            if last and same_instance and len(last) < FRAMES_PER_REQUEST:
                last.append(image)
            else:
                batches.append([image])
        limit = asyncio.Semaphore(PREFETCH_IN_FLIGHT)

        async def one(batch: list[StackImage]) -> None:
            async with limit:
                keys = [(image.sop_instance_uid, image.frame_number) for image in batch]
                if all(key in self.frames for key in keys):
                    return
                future = asyncio.ensure_future(self.fetch(batch))
                for key in keys:
                    self.pending[key] = future
                await future

        try:
            await asyncio.gather(*(one(batch) for batch in batches))
        except (DicomwebError, ImagingError) as error:
            feedback.render(self.notices, (feedback.error(error.user_message()),))
        logger.info("series loaded: %d images", len(self.stack))

    # Showing -------------------------------------------------------------------------

    async def go_to(self, index: int) -> None:
        """Move to the image at ``index`` and show it."""
        if not self.stack:
            return
        self.index = max(0, min(index, len(self.stack) - 1))
        await self.show_current()

    async def show_current(self) -> None:
        """Show the image at ``self.index``; the position shows at once, pixels follow.

        Never sets the index itself: several of these may be pending while the
        reader holds a key down, and only the last position counts.
        """
        if not self.stack:
            return
        dom.by_id(
            "viewer-position"
        ).textContent = f"Image {self.index + 1} / {len(self.stack)}"
        self.update_overlay()
        from app.imaging.errors import ImagingError

        image = self.stack[self.index]
        try:
            pixels = await self.pixels_of(image)
        except (DicomwebError, ImagingError) as error:
            feedback.render(self.notices, (feedback.error(error.user_message()),))
            return
        if image is not self.stack[self.index]:
            return  # the reader scrolled on while this frame loaded
        self.show_pixels(image, pixels)

    def show_pixels(self, image: StackImage, pixels: Any) -> None:
        from app.imaging.pipeline import default_window, render_rgba

        description = self.description_of(image)
        # Each image's own window when it has one (PS3.3 C.11.2.1.2); else one
        # window from the first image for the whole series, so scrolling does not
        # change the brightness from frame to frame.
        own_or_first = description.windows or self.window is None
        if not self.window_is_custom and own_or_first:
            self.window = default_window(description, pixels)
        reuse = self.rgba is not None and self.rgba.shape[:2] == pixels.shape[:2]
        self.rgba = render_rgba(
            pixels, description, self.window, out=self.rgba if reuse else None
        )
        first_image = self.shown is None
        self.canvas.put(self.rgba)
        self.shown = (image.sop_instance_uid, image.frame_number)
        # A new series starts fitted; after that a fitted view stays fitted (image
        # sizes may differ within a series) and a zoom or pan the reader chose stays.
        if first_image or self.geometry.fitted:
            self.fit()
        else:
            self.redraw()
        self.show_status(description)

    def show_status(self, description: PixelDescription) -> None:
        dom.by_id(
            "viewer-position"
        ).textContent = f"Image {self.index + 1} / {len(self.stack)}"
        window = self.window
        dom.by_id("viewer-window").textContent = (
            f"C {window.center:.0f} W {window.width:.0f}"
            if window is not None and description.is_monochrome
            else ""
        )
        self.section.dataset.shown = (
            f"{self.shown[0]}:{self.shown[1]}" if self.shown else ""
        )

    def update_overlay(self) -> None:
        """The corner text for the current image, window and zoom."""
        if not self.stack:
            self.show_overlay(None)
            return
        image = self.stack[self.index]
        window = self.window
        # Not described yet (still loading): no window to show, and no error here.
        description = self.descriptions.get(image.sop_instance_uid)
        monochrome = description is not None and description.is_monochrome
        self.show_overlay(
            viewport_overlay(
                image.metadata.attributes,
                self.index,
                len(self.stack),
                location=slice_location(image.metadata),
                window=(window.center, window.width)
                if window is not None and monochrome
                else None,
                scale=self.geometry.scale if self.shown is not None else None,
            )
        )

    def show_overlay(self, overlay: Overlay | None) -> None:
        corners = overlay.corners if overlay is not None else ((), (), (), ())
        # Only changed corners are written: cine updates them for every frame.
        for number, (element, lines) in enumerate(
            zip(self.overlay_corners, corners, strict=True)
        ):
            if self.overlay_lines[number] != lines:
                element.textContent = "\n".join(lines)
                self.overlay_lines[number] = lines

    def rerender(self) -> None:
        """Draw the shown frame again after a window change."""
        if not self.stack or self.shown is None:
            return
        key = self.shown
        pixels = self.frames.get(key)
        if pixels is None:
            return
        self.show_pixels(self.stack[self.index], pixels)

    def redraw(self) -> None:
        geometry = self.geometry
        self.canvas.draw(
            geometry.scale, geometry.scale_y, geometry.offset_x, geometry.offset_y
        )
        self.update_overlay()  # the zoom may have changed

    def fit(self) -> None:
        width, height = self.canvas.size()
        aspect = self.current_aspect()
        self.geometry = self.geometry.fitted_to(
            (width, height), self.canvas.image_size(), aspect
        )
        self.redraw()

    def actual_size(self) -> None:
        width, height = self.canvas.size()
        self.geometry = self.geometry.actual_size(
            (width, height), self.canvas.image_size()
        )
        self.redraw()

    def current_aspect(self) -> float:
        if not self.stack:
            return 1.0
        return self.description_of(self.stack[self.index]).aspect_ratio

    def reset(self) -> None:
        self.window_is_custom = False
        dom.by_id("viewer-preset").value = ""
        self.rerender()
        self.fit()

    def fill_presets(self) -> None:
        """CT windows for CT series (Hounsfield units mean nothing elsewhere)."""
        from app.imaging.window import CT_PRESETS

        select = dom.by_id("viewer-preset")
        while select.options.length > 1:
            select.remove(1)
        modality = self.stack[0].metadata.instance.sop_class_uid if self.stack else ""
        is_ct = modality.startswith(CT_IMAGE_STORAGE) or (
            self.stack and self.description_of(self.stack[0]).modality == "CT"
        )
        if not is_ct:
            return
        for name in CT_PRESETS:
            option = dom.create("option", name)
            option.value = name
            select.append(option)

    def on_preset(self, event: Any) -> None:
        from app.imaging.window import CT_PRESETS

        name = str(event.target.value)
        if name in CT_PRESETS:
            self.window = CT_PRESETS[name]
            self.window_is_custom = True
        else:
            self.window_is_custom = False
        self.rerender()

    # Cine ----------------------------------------------------------------------------

    def toggle_cine(self) -> None:
        if self.cine_task is not None and not self.cine_task.done():
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        """Play through the images, looping; one task, however often Play is pressed."""
        if len(self.stack) < 2 or (self.cine_task and not self.cine_task.done()):
            return
        logger.info("cine: playing %d images", len(self.stack))
        self.cine_task = dom.spawn(self.run_cine(), feedback.reporter(self.notices))
        self.show_cine_state(playing=True)

    def pause(self) -> None:
        if self.cine_task is not None and not self.cine_task.done():
            self.cine_task.cancel()
        self.cine_task = None
        self.show_cine_state(playing=False)

    def show_cine_state(self, playing: bool) -> None:
        # The label says what a press does; so no aria-pressed, which wants a fixed one.
        self.cine_button.textContent = "Pause" if playing else "Play"

    async def run_cine(self) -> None:
        """Show the next image, then wait out the rest of the instance's frame time.

        Each step awaits its frame, so a frame still loading holds the loop rather
        than letting it run ahead of what can be shown.
        """
        loop = asyncio.get_running_loop()
        try:
            while len(self.stack) > 1:
                started = loop.time()
                interval = frame_interval(self.stack[self.index].metadata.attributes)
                self.index = next_index(self.index, len(self.stack))
                await self.show_current()
                await asyncio.sleep(max(0.0, interval - (loop.time() - started)))
        finally:
            if self.cine_task is asyncio.current_task():
                self.cine_task = None
                self.show_cine_state(playing=False)

    # Input ---------------------------------------------------------------------------

    def scroll(self, step: int) -> None:
        if not self.stack:
            return
        # Moved now, not when the task runs: fast key repeats add up.
        self.index = max(0, min(self.index + step, len(self.stack) - 1))
        dom.spawn(self.show_current(), feedback.reporter(self.notices))

    def on_wheel(self, event: Any) -> None:
        event.preventDefault()
        if event.ctrlKey or event.metaKey:
            factor = 1.1 if float(event.deltaY) < 0 else 1 / 1.1
            box = self.canvas_element.getBoundingClientRect()
            point = (float(event.clientX) - box.left, float(event.clientY) - box.top)
            self.geometry = self.geometry.zoomed(factor, point)
            self.redraw()
        else:
            self.scroll(1 if float(event.deltaY) > 0 else -1)

    def on_key(self, event: Any) -> None:
        steps = {
            "ArrowDown": 1,
            "ArrowRight": 1,
            "PageDown": 10,
            "ArrowUp": -1,
            "ArrowLeft": -1,
            "PageUp": -10,
        }
        key = str(event.key)
        if key in ("p", "P") and not (event.ctrlKey or event.metaKey):
            event.preventDefault()
            self.toggle_cine()
        elif key in steps:
            event.preventDefault()
            self.scroll(steps[key])
        elif key == "Home":
            self.scroll(-self.index)
        elif key == "End":
            self.scroll(len(self.stack) - 1 - self.index)

    def on_pointer_down(self, event: Any) -> None:
        button = int(event.button)
        if button == 1 or (button == 0 and event.shiftKey):
            mode = "pan"
        elif button == 2:
            mode = "zoom"
        elif button == 0:
            mode = "window"
        else:
            return
        event.preventDefault()
        self.canvas_element.setPointerCapture(event.pointerId)
        self.canvas_element.focus()
        self.drag = (mode, float(event.clientX), float(event.clientY))

    def on_pointer_move(self, event: Any) -> None:
        if self.drag is None:
            return
        mode, x, y = self.drag
        dx, dy = float(event.clientX) - x, float(event.clientY) - y
        self.drag = (mode, float(event.clientX), float(event.clientY))
        if mode == "pan":
            self.geometry = self.geometry.panned(dx, dy)
            self.redraw()
        elif mode == "zoom":
            width, height = self.canvas.size()
            self.geometry = self.geometry.zoomed(
                2 ** (-dy / 200), (width / 2, height / 2)
            )
            self.redraw()
        elif self.window is not None:
            from app.imaging.window import drag_window

            self.window = drag_window(self.window, dx, dy)
            self.window_is_custom = True
            self.rerender()

    def on_pointer_up(self, event: Any) -> None:
        self.drag = None
