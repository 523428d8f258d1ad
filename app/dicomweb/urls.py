"""WADO-RS and WADO-URI URL builders, and URL helpers shared by the client.

Paths follow PS3.18 10.4 (WADO-RS) and 9.1 (WADO-URI). All builders are pure: they
take the server's root (no trailing slash) and UIDs, and return a string the transport
can hand to ``fetch`` unchanged. QIDO-RS URLs live in ``query.py`` because their values
need the special encoding described there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, urlsplit

from . import media

logger = logging.getLogger(__name__)

WindowFunction = Literal["linear", "linear-exact", "sigmoid"]

_MASK = "…"


@dataclass(frozen=True, slots=True)
class Window:
    """A VOI window for rendered images (PS3.18 8.3.5.1): center, width, function."""

    center: float
    width: float
    function: WindowFunction = "linear"


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """What a rendered image should look like (PS3.18 8.3.5.1 and 9).

    ``media_type`` is IMAGE_JPEG or IMAGE_PNG; ``viewport`` is (width, height) in
    pixels; ``quality`` is 1-100 and only matters for JPEG.
    """

    media_type: str = media.IMAGE_JPEG
    window: Window | None = None
    viewport: tuple[int, int] | None = None
    quality: int | None = None

    def __post_init__(self) -> None:
        if self.media_type not in (media.IMAGE_JPEG, media.IMAGE_PNG):
            raise ValueError(
                f"Rendered media type {self.media_type!r} is not supported; "
                f"use {media.IMAGE_JPEG!r} or {media.IMAGE_PNG!r}."
            )

        if self.quality is not None and not 1 <= self.quality <= 100:
            raise ValueError(f"Quality {self.quality} must be between 1 and 100.")

        if self.viewport is not None and min(self.viewport) < 1:
            raise ValueError(f"Viewport {self.viewport} must be at least 1x1 pixels.")

        if self.window is not None and self.window.width <= 0:
            raise ValueError(f"Window width {self.window.width} must be positive.")


def join_path(root: str, *segments: str) -> str:
    """Append path segments to ``root``, percent-encoding anything but UID characters.

    UIDs are digits and dots (PS3.5 9.1) and pass unchanged; encoding the rest keeps a
    broken UID from a server (say one with ``/`` or ``?``) from changing the path.
    """
    encoded = (quote(segment, safe="") for segment in segments)
    return "/".join([root, *encoded])


def study_url(root: str, study_uid: str) -> str:
    """``{root}/studies/{study}``."""
    return join_path(root, "studies", study_uid)


def series_url(root: str, study_uid: str, series_uid: str) -> str:
    """``{root}/studies/{study}/series/{series}``."""
    return join_path(root, "studies", study_uid, "series", series_uid)


def instance_url(root: str, study_uid: str, series_uid: str, instance_uid: str) -> str:
    """``{root}/studies/{study}/series/{series}/instances/{instance}``."""
    series = series_url(root, study_uid, series_uid)
    return join_path(series, "instances", instance_uid)


def study_metadata_url(root: str, study_uid: str) -> str:
    """WADO-RS study metadata (PS3.18 10.4)."""
    return join_path(study_url(root, study_uid), "metadata")


def series_metadata_url(root: str, study_uid: str, series_uid: str) -> str:
    """WADO-RS series metadata (PS3.18 10.4)."""
    return join_path(series_url(root, study_uid, series_uid), "metadata")


def frames_url(
    root: str,
    study_uid: str,
    series_uid: str,
    instance_uid: str,
    frame_numbers: Sequence[int],
) -> str:
    """WADO-RS frames (PS3.18 10.4): ``.../frames/1,2,3``, numbers from 1.

    Several frames go in one request on purpose: Orthanc re-reads the whole file per
    request, and each distinct URL costs a CORS preflight when credentials are sent.
    """
    _check_frame_numbers(frame_numbers)
    instance = instance_url(root, study_uid, series_uid, instance_uid)
    listed = ",".join(str(number) for number in frame_numbers)
    return f"{instance}/frames/{listed}"


def rendered_url(
    root: str,
    study_uid: str,
    series_uid: str,
    instance_uid: str,
    options: RenderOptions,
    *,
    frame_number: int | None = None,
) -> str:
    """WADO-RS rendered instance or frame (PS3.18 10.4) with its parameters.

    The window always carries its function: Orthanc 1.10 answers 400 to ``window``
    with fewer than three values, and PS3.18 8.3.5.1 defines all three.
    """
    target = instance_url(root, study_uid, series_uid, instance_uid)
    if frame_number is not None:
        _check_frame_numbers([frame_number])
        target = f"{target}/frames/{frame_number}"

    params: list[tuple[str, str]] = []
    if options.window is not None:
        window = options.window
        value = f"{_number(window.center)},{_number(window.width)},{window.function}"
        params.append(("window", value))

    if options.viewport is not None:
        params.append(("viewport", f"{options.viewport[0]},{options.viewport[1]}"))

    if options.quality is not None:
        params.append(("quality", str(options.quality)))

    return _with_query(f"{target}/rendered", params)


def wado_uri_url(
    root: str,
    study_uid: str,
    series_uid: str,
    instance_uid: str,
    *,
    content_type: str = media.DICOM,
    options: RenderOptions | None = None,
    frame_number: int | None = None,
) -> str:
    """WADO-URI (PS3.18 9): the stored file, or a rendered image with ``options``.

    ``requestType=WADO`` is required by Orthanc and by the standard. ``frameNumber``
    is sent when given although Orthanc 1.10 ignores it.
    """
    params = [
        ("requestType", "WADO"),
        ("studyUID", study_uid),
        ("seriesUID", series_uid),
        ("objectUID", instance_uid),
        ("contentType", content_type),
    ]
    if frame_number is not None:
        _check_frame_numbers([frame_number])
        params.append(("frameNumber", str(frame_number)))

    if options is not None:
        params.extend(_wado_uri_render_params(options))

    return _with_query(root, params)


def describe_url(url: str) -> str:
    """Return ``url`` with query values masked, for logs and error messages.

    QIDO query values carry patient names and IDs, which must not reach logs, and a
    URL never carries credentials here (they go in a header), but userinfo is dropped
    in case a setting put one in.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    described = f"{parts.scheme}://{netloc}{parts.path}" if parts.scheme else parts.path
    if not parts.query:
        return described

    keys = (item.partition("=")[0] for item in parts.query.split("&") if item)
    return described + "?" + "&".join(f"{key}={_MASK}" for key in keys)


def path_of(url: str) -> str:
    """Return the path of ``url`` without its query, for user-facing messages."""
    return urlsplit(url).path or "/"


def _wado_uri_render_params(options: RenderOptions) -> Iterable[tuple[str, str]]:
    if options.window is not None:
        yield ("windowCenter", _number(options.window.center))
        yield ("windowWidth", _number(options.window.width))

    if options.viewport is not None:
        yield ("columns", str(options.viewport[0]))
        yield ("rows", str(options.viewport[1]))

    if options.quality is not None:
        yield ("imageQuality", str(options.quality))


def _with_query(base: str, params: Sequence[tuple[str, str]]) -> str:
    """Join ``params`` to ``base``; values here are numbers, UIDs and media types."""
    if not params:
        return base

    query = "&".join(f"{key}={quote(value, safe='/,')}" for key, value in params)
    return f"{base}?{query}"


def _number(value: float) -> str:
    """Format a number without exponent or trailing zeros (``40``, ``-600.5``)."""
    if float(value).is_integer():
        return str(int(value))

    return f"{value:.6f}".rstrip("0").rstrip(".")


def _check_frame_numbers(numbers: Sequence[int]) -> None:
    if not numbers:
        raise ValueError("At least one frame number is needed; frames count from 1.")

    bad = [number for number in numbers if number < 1]
    if bad:
        raise ValueError(f"Frame numbers {bad} are invalid; frames count from 1.")
