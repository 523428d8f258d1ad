"""The async DICOMweb client: QIDO-RS searches, WADO-RS and WADO-URI retrieval.

Each method does three things and keeps them apart: build the URL (``query.py`` and
``urls.py``, pure), call the server through the Transport (here: headers, retry,
timeout, transfer syntax fallback), and parse the answer (``records.py`` and
``multipart.py``, pure).

Retries: GET requests that end in a network error or a 5xx status are tried again,
up to ``RetryPolicy.attempts`` times in all, after 0.25 s, then 0.5 s. A 4xx status,
a timeout and a cancellation are never retried.

Cancellation: cancel the task that awaits a method. ``asyncio.CancelledError``
comes out of the method unchanged, from the transport or from a backoff sleep; the
transport aborts the request in flight.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin

from . import media, query, urls
from .auth import authorization_headers
from .endpoints import ServerEndpoints
from .errors import (
    EndpointError,
    HttpStatusError,
    MalformedResponse,
    NetworkError,
    RequestTimeout,
    UnsupportedTransferSyntax,
)
from .multipart import parse_multipart_related
from .query import InstanceQuery, SeriesQuery, StudyQuery
from .records import (
    Frame,
    Instance,
    InstanceMetadata,
    RenderedImage,
    Series,
    Study,
    frames_from_multipart,
    parse_instances,
    parse_metadata,
    parse_series,
    parse_studies,
)
from .transport import Request, Response, Transport
from .urls import RenderOptions, describe_url

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

DEFAULT_TIMEOUT = 30.0

#: Statuses to ``transfer-syntax=*`` that mean "not in that syntax": 406 is the
#: standard refusal (PS3.18 8.7.3); Orthanc 1.10 answers 500 for big endian and
#: deflated files instead, so a 500 there falls back at once and is not retried.
FALLBACK_STATUSES = frozenset({406, 500, 501})

# The client stops waiting this long after the transport's own timeout should have
# fired, in case a transport does not enforce it.
_TIMEOUT_GRACE = 1.0
_TRANSCODED_SERIES_LIMIT = 1024
_NO_CONTENT = 204


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often to try a GET and how long to wait in between (doubling)."""

    attempts: int = 3
    first_delay: float = 0.25
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be 1 or more, not {self.attempts}.")

    def delays(self) -> tuple[float, ...]:
        """The waits before the second, third, ... attempt."""
        return tuple(
            self.first_delay * self.multiplier**index
            for index in range(self.attempts - 1)
        )


class DicomwebClient:
    """A client for one DICOMweb server. Every method is a coroutine.

    ``transport`` sends the requests (see :class:`~app.dicomweb.transport.Transport`);
    ``timeout`` applies to each request, in seconds; ``sleep`` is awaited between
    retries and can be replaced in tests. Methods raise only
    :class:`~app.dicomweb.errors.DicomwebError` subclasses, ``ValueError`` for
    arguments that can never work, and ``asyncio.CancelledError``.
    """

    def __init__(
        self,
        endpoints: ServerEndpoints,
        transport: Transport,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if timeout <= 0:
            raise ValueError(f"The timeout must be positive, not {timeout}.")

        self.endpoints = endpoints
        self._transport = transport
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._transcoded_series: dict[tuple[str, str], None] = {}
        self._reported: set[str] = set()

    def __repr__(self) -> str:
        return f"DicomwebClient({self.endpoints!r})"

    # QIDO-RS (PS3.18 10.6)

    async def search_studies(
        self, filters: StudyQuery | None = None
    ) -> tuple[Study, ...]:
        """Search studies; ``filters`` holds what the user typed."""
        params = query.study_params(
            filters or StudyQuery(),
            include_field=self.endpoints.qido_supports_include_field,
            fuzzy_matching=self.endpoints.supports_fuzzy_matching,
        )
        url = query.studies_url(self.endpoints.qido_rs, params)
        payload = await self._get_json(url)
        with _answer_of(url):
            studies = parse_studies(payload)
        logger.debug("Found %d studies", len(studies))
        return studies

    async def search_series(
        self, study_uid: str, filters: SeriesQuery | None = None
    ) -> tuple[Series, ...]:
        """Search the series of one study."""
        params = query.series_params(
            filters or SeriesQuery(),
            include_field=self.endpoints.qido_supports_include_field,
        )
        url = query.study_series_url(self.endpoints.qido_rs, study_uid, params)
        payload = await self._get_json(url)
        with _answer_of(url):
            series = parse_series(payload, study_instance_uid=study_uid)
        logger.debug("Found %d series", len(series))
        return series

    async def search_instances(
        self, study_uid: str, series_uid: str, filters: InstanceQuery | None = None
    ) -> tuple[Instance, ...]:
        """Search the instances of one series (study-rooted path)."""
        params = query.instance_params(
            filters or InstanceQuery(),
            include_field=self.endpoints.qido_supports_include_field,
        )
        url = query.series_instances_url(
            self.endpoints.qido_rs, study_uid, series_uid, params
        )
        payload = await self._get_json(url)
        with _answer_of(url):
            instances = parse_instances(
                payload, study_instance_uid=study_uid, series_instance_uid=series_uid
            )
        logger.debug("Found %d instances", len(instances))
        return instances

    # WADO-RS (PS3.18 10.4)

    async def retrieve_study_metadata(
        self, study_uid: str
    ) -> tuple[InstanceMetadata, ...]:
        """The metadata of every instance of a study."""
        url = urls.study_metadata_url(self.endpoints.wado_rs, study_uid)
        payload = await self._get_json(url)
        with _answer_of(url):
            return parse_metadata(payload, study_instance_uid=study_uid)

    async def retrieve_series_metadata(
        self, study_uid: str, series_uid: str
    ) -> tuple[InstanceMetadata, ...]:
        """The metadata of every instance of a series."""
        url = urls.series_metadata_url(self.endpoints.wado_rs, study_uid, series_uid)
        payload = await self._get_json(url)
        with _answer_of(url):
            return parse_metadata(
                payload, study_instance_uid=study_uid, series_instance_uid=series_uid
            )

    async def retrieve_frames(
        self,
        study_uid: str,
        series_uid: str,
        instance_uid: str,
        frame_numbers: Sequence[int],
        *,
        decodable: frozenset[str] = media.DEFAULT_DECODABLE,
        stored_transfer_syntax: str | None = None,
    ) -> tuple[Frame, ...]:
        """Frames (numbered from 1) of one instance in one request, in the given order.

        First asks for the stored transfer syntax, unless ``stored_transfer_syntax``
        is known and not in ``decodable`` or an earlier request for this series had
        to fall back. Falls back to Explicit VR Little Endian when the server
        refuses the stored syntax or sends one outside ``decodable``; raises
        UnsupportedTransferSyntax if even that answer cannot be decoded.
        """
        numbers = tuple(frame_numbers)
        url = urls.frames_url(
            self.endpoints.wado_rs, study_uid, series_uid, instance_uid, numbers
        )
        series_key = (study_uid, series_uid)
        if self._may_ask_stored(series_key, stored_transfer_syntax, decodable):
            response = await self._get(
                url, media.FRAMES_ACCEPT_STORED, fallback_statuses=FALLBACK_STATUSES
            )
            if response.status in FALLBACK_STATUSES:
                self._report_once(
                    f"fallback-{response.status}",
                    "The server answered %d to transfer-syntax=* (Orthanc 1.10 does "
                    "for big endian and deflated files); asking for Explicit VR "
                    "Little Endian instead (PS3.18 8.7.3)",
                    response.status,
                )
            else:
                frames = self._frames(response, url, numbers)
                undecodable = _undecodable(frames, decodable)
                if undecodable is None:
                    return frames

                logger.debug(
                    "Stored transfer syntax %s is not decodable here; asking the "
                    "server to transcode",
                    media.transfer_syntax_name(undecodable),
                )
            self._remember_transcoded(series_key)

        response = await self._get(url, media.FRAMES_ACCEPT_DEFAULT)
        frames = self._frames(response, url, numbers)
        undecodable = _undecodable(frames, decodable)
        if undecodable is not None:
            raise UnsupportedTransferSyntax(undecodable, url)

        return frames

    async def retrieve_rendered(
        self,
        study_uid: str,
        series_uid: str,
        instance_uid: str,
        *,
        frame_number: int | None = None,
        options: RenderOptions | None = None,
    ) -> RenderedImage:
        """A rendered JPEG or PNG of an instance, or of one frame (PS3.18 8.3.5.1).

        With a small ``viewport`` this is the thumbnail: Orthanc 1.10 has no
        ``/thumbnail`` resource.
        """
        options = options or RenderOptions()
        url = urls.rendered_url(
            self.endpoints.wado_rs,
            study_uid,
            series_uid,
            instance_uid,
            options,
            frame_number=frame_number,
        )
        response = await self._get(url, options.media_type)
        return self._image(response, url)

    async def retrieve_bulk_data(self, uri: str) -> bytes:
        """The first part of a BulkDataURI answer (PS3.18 10.4), as bytes.

        A relative ``uri`` is resolved against the WADO-RS root. A URI on another
        origin is fetched without the server's credentials.
        """
        url = urljoin(self.endpoints.wado_rs + "/", uri)
        response = await self._get(url, media.FRAMES_ACCEPT_DEFAULT)
        with _answer_of(url):
            message = parse_multipart_related(
                response.header("content-type") or "", response.body
            )
            if not message.parts:
                raise MalformedResponse("the bulk data answer has no parts")
        return message.parts[0].body

    async def retrieve_series_files(
        self, study_uid: str, series_uid: str
    ) -> tuple[bytes, ...]:
        """Every instance of a series as a Part 10 file, in one request (PS3.18 10.4).

        One request instead of one per frame: for a CT of a few hundred slices this
        saves a request, and on a first visit a CORS preflight, per slice.
        """
        url = urls.series_url(self.endpoints.wado_rs, study_uid, series_uid)
        response = await self._get(url, media.INSTANCES_ACCEPT_STORED)
        with _answer_of(url):
            message = parse_multipart_related(
                response.header("content-type") or "", response.body
            )
        files = tuple(part.body for part in message.parts)
        logger.debug("Retrieved %d instances of a series", len(files))
        return files

    # WADO-URI (PS3.18 9)

    async def retrieve_instance_uri(
        self, study_uid: str, series_uid: str, instance_uid: str
    ) -> bytes:
        """The stored DICOM file of an instance, through WADO-URI."""
        url = urls.wado_uri_url(
            self._wado_uri_root(), study_uid, series_uid, instance_uid
        )
        response = await self._get(url, media.DICOM)
        if media.looks_like_part10(response.body):
            return response.body

        if response.body[:1] in (b"<", b"{", b""):
            raise MalformedResponse("the answer is not a DICOM file", url)

        self._report_once(
            "no-preamble",
            "WADO-URI answered a DICOM file without the PS3.10 preamble",
        )
        return response.body

    async def retrieve_rendered_uri(
        self,
        study_uid: str,
        series_uid: str,
        instance_uid: str,
        *,
        frame_number: int | None = None,
        options: RenderOptions | None = None,
    ) -> RenderedImage:
        """A rendered JPEG or PNG of an instance through WADO-URI."""
        options = options or RenderOptions()
        url = urls.wado_uri_url(
            self._wado_uri_root(),
            study_uid,
            series_uid,
            instance_uid,
            content_type=options.media_type,
            options=options,
            frame_number=frame_number,
        )
        response = await self._get(url, options.media_type)
        return self._image(response, url)

    # Sending

    async def _get_json(self, url: str) -> object:
        response = await self._get(url, media.DICOM_JSON)
        warning = response.header("warning")
        if warning:
            # PS3.18 8.3.4: e.g. 299 when the server cut the results short.
            logger.warning("The server sent a Warning header: %s", warning[:200])

        if response.status == _NO_CONTENT or not response.body.strip():
            return []

        essence = media.parse_media_type(response.header("content-type") or "").essence
        if essence not in (media.DICOM_JSON, media.JSON):
            self._report_once(
                f"json-type-{essence}",
                "The server labelled DICOM JSON as %r; reading it anyway (PS3.18 F)",
                essence,
            )

        try:
            return json.loads(response.body)
        except ValueError:
            raise MalformedResponse("the answer is not valid JSON", url) from None

    async def _get(
        self,
        url: str,
        accept: str,
        *,
        fallback_statuses: frozenset[int] = frozenset(),
    ) -> Response:
        """GET ``url`` with retries; return a 2xx answer or one in fallback_statuses."""
        request = self._request(url, accept)
        delays = self._retry.delays()
        for attempt in range(len(delays) + 1):
            final = attempt == len(delays)
            try:
                response = await self._send(request)
            except NetworkError:
                if final:
                    raise
                logger.debug("Network error on %s", describe_url(url))
                await self._backoff(delays[attempt], url, "a network error")
                continue

            if response.status in fallback_statuses:
                return response

            if 500 <= response.status < 600 and not final:
                await self._backoff(delays[attempt], url, f"HTTP {response.status}")
                continue

            if not response.ok:
                raise HttpStatusError(response.status, url)

            return response

        raise AssertionError("unreachable")  # pragma: no cover

    def _request(self, url: str, accept: str) -> Request:
        headers = {"Accept": accept}
        headers.update(
            authorization_headers(
                url, self.endpoints.credentials, self.endpoints.origins
            )
        )
        return Request(url=url, headers=headers, timeout=self._timeout)

    async def _send(self, request: Request) -> Response:
        logger.debug("GET %s", describe_url(request.url))
        try:
            return await asyncio.wait_for(
                self._transport.send(request), request.timeout + _TIMEOUT_GRACE
            )
        except TimeoutError:
            raise RequestTimeout(request.url, request.timeout) from None
        except asyncio.CancelledError:
            logger.debug("Cancelled GET %s", describe_url(request.url))
            raise

    async def _backoff(self, delay: float, url: str, reason: str) -> None:
        logger.debug("Retrying %s in %g s after %s", describe_url(url), delay, reason)
        await self._sleep(delay)

    # Answers

    def _frames(
        self, response: Response, url: str, numbers: tuple[int, ...]
    ) -> tuple[Frame, ...]:
        content_type = response.header("content-type") or ""
        outer = media.parse_media_type(content_type)
        if outer.essence != media.MULTIPART_RELATED and len(numbers) == 1:
            return (self._single_part_frame(response, url, numbers[0], outer),)

        with _answer_of(url):
            message = parse_multipart_related(content_type, response.body)
            return frames_from_multipart(message, numbers)

    def _single_part_frame(
        self, response: Response, url: str, number: int, outer: media.MediaType
    ) -> Frame:
        """Tolerate a bare frame where PS3.18 8.7.3 asks for multipart/related."""
        syntax = outer.transfer_syntax or media.DEFAULT_TRANSFER_SYNTAX.get(
            outer.essence
        )
        if syntax is None:
            raise MalformedResponse(
                f"expected {media.MULTIPART_RELATED}, got {outer.essence or 'nothing'!r}",
                url,
            )

        self._report_once(
            "bare-frame",
            "The server sent a frame as %s, not multipart/related (PS3.18 8.7.3)",
            outer.essence,
        )
        return Frame(number, response.body, outer.essence, syntax, None)

    def _image(self, response: Response, url: str) -> RenderedImage:
        sniffed = media.sniff_image_type(response.body)
        if sniffed is None:
            raise MalformedResponse("the answer is not a JPEG or PNG image", url)

        label = media.parse_media_type(response.header("content-type") or "").essence
        if label and label != sniffed:
            self._report_once(
                f"label-{label}-{sniffed}",
                "The server labelled %s as %s (Orthanc 1.10 does for WADO-URI JPEG); "
                "using the bytes' own type",
                sniffed,
                label,
            )
        return RenderedImage(response.body, sniffed)

    # State

    def _wado_uri_root(self) -> str:
        if not self.endpoints.wado_uri:
            raise EndpointError(
                "This server has no WADO-URI root; set one in the server settings."
            )
        return self.endpoints.wado_uri

    def _may_ask_stored(
        self,
        series_key: tuple[str, str],
        stored_transfer_syntax: str | None,
        decodable: frozenset[str],
    ) -> bool:
        if stored_transfer_syntax is not None:
            return stored_transfer_syntax in decodable

        return series_key not in self._transcoded_series

    def _remember_transcoded(self, series_key: tuple[str, str]) -> None:
        """Ask for Explicit VR Little Endian at once for the rest of this series."""
        if len(self._transcoded_series) >= _TRANSCODED_SERIES_LIMIT:
            oldest = next(iter(self._transcoded_series))
            del self._transcoded_series[oldest]
        self._transcoded_series[series_key] = None

    def _report_once(self, key: str, message: str, *args: object) -> None:
        """Log a server quirk as a warning the first time, then at debug level."""
        level = logging.DEBUG if key in self._reported else logging.WARNING
        self._reported.add(key)
        logger.log(level, message, *args)


def _undecodable(frames: Sequence[Frame], decodable: frozenset[str]) -> str | None:
    """The first transfer syntax among ``frames`` outside ``decodable``, if any."""
    for frame in frames:
        if frame.transfer_syntax_uid not in decodable:
            return frame.transfer_syntax_uid or f"unknown ({frame.media_type})"
    return None


@contextmanager
def _answer_of(url: str) -> Iterator[None]:
    """Attach ``url`` to a MalformedResponse raised by a pure parser."""
    try:
        yield
    except MalformedResponse as error:
        if error.url is not None:
            raise
        raise MalformedResponse(error.detail, url) from error
