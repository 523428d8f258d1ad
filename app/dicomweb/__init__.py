"""The pure core of the DICOMweb client: no browser imports, runs on CPython.

Typical use::

    endpoints = ServerEndpoints(
        qido_rs="https://pacs.example/dicom-web",
        wado_rs="https://pacs.example/dicom-web",
        wado_uri="https://pacs.example/wado",
        credentials=BasicAuth("user", "secret"),
    )
    client = DicomwebClient(endpoints, transport)
    studies = await client.search_studies(StudyQuery(patient_name="doe"))

The browser layer supplies ``transport`` (see :class:`Transport`); tests use
:class:`app.dicomweb.testing.FakeTransport`.
"""

from .auth import BasicAuth, BearerToken, Credentials, Origin, origin_of
from .client import DEFAULT_TIMEOUT, DicomwebClient, RetryPolicy
from .endpoints import ServerEndpoints
from .errors import (
    DicomwebError,
    EndpointError,
    HttpStatusError,
    InvalidQuery,
    MalformedResponse,
    NetworkError,
    RequestTimeout,
    UnsupportedTransferSyntax,
)
from .media import DEFAULT_DECODABLE, MediaType, parse_media_type, sniff_image_type
from .multipart import MultipartRelated, Part, parse_multipart_related
from .query import InstanceQuery, Paging, SeriesQuery, StudyQuery, encode_value
from .records import (
    Frame,
    Instance,
    InstanceMetadata,
    RenderedImage,
    Series,
    Study,
    format_date,
    format_person_name,
    format_time,
    parse_instances,
    parse_metadata,
    parse_series,
    parse_studies,
)
from .transport import Request, Response, Transport
from .urls import RenderOptions, Window

__all__ = [
    "DEFAULT_DECODABLE",
    "DEFAULT_TIMEOUT",
    "BasicAuth",
    "BearerToken",
    "Credentials",
    "DicomwebClient",
    "DicomwebError",
    "EndpointError",
    "Frame",
    "HttpStatusError",
    "Instance",
    "InstanceMetadata",
    "InstanceQuery",
    "InvalidQuery",
    "MalformedResponse",
    "MediaType",
    "MultipartRelated",
    "NetworkError",
    "Origin",
    "Paging",
    "Part",
    "RenderOptions",
    "RenderedImage",
    "Request",
    "RequestTimeout",
    "Response",
    "RetryPolicy",
    "Series",
    "SeriesQuery",
    "ServerEndpoints",
    "Study",
    "StudyQuery",
    "Transport",
    "UnsupportedTransferSyntax",
    "Window",
    "encode_value",
    "format_date",
    "format_person_name",
    "format_time",
    "origin_of",
    "parse_instances",
    "parse_media_type",
    "parse_metadata",
    "parse_multipart_related",
    "parse_series",
    "parse_studies",
    "sniff_image_type",
]
