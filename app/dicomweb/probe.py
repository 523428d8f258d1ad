"""The connection test of Settings > Servers: ask the QIDO-RS root for one study.

One request tells the user whether the server answers, whether it takes their
credentials, and whether the postfixes point at a QIDO-RS service. The same answer
shows two abilities the settings ask about:

* include fields (PS3.18 8.3.4.3): we ask for Study Description
  ``(0008,1030)``, which is not in the default set of study attributes (PS3.18
  table 10.6.3-3); when the returned study carries it, the server honoured
  ``includefield``. With no study on the server, or a study without a
  description, there is nothing to tell.
* fuzzy matching (PS3.18 8.3.4.2): a server that does not support it "shall"
  answer with ``Warning: 299 ...`` and match literally. No warning is a hint, not
  proof: Orthanc 1.10 ignores ``fuzzymatching`` without a warning.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from . import tags
from .auth import authorization_headers
from .endpoints import ServerEndpoints
from .errors import NetworkError, RequestTimeout
from .media import DICOM_JSON
from .transport import Request, Transport

PROBE_TIMEOUT = 15.0


class Outcome(StrEnum):
    SUCCESS = "success"
    CREDENTIALS_REFUSED = "credentials-refused"
    NOT_FOUND = "not-found"
    SERVER_ERROR = "server-error"
    REFUSED_QUERY = "refused-query"
    NOT_DICOMWEB = "not-dicomweb"
    NO_ANSWER = "no-answer"
    TIMEOUT = "timeout"


NO_ANSWER_CHECKS = (
    "Is the server running, and is the Server URL right? Open the QIDO-RS URL above in "
    "a new tab: if the browser warns about the certificate, the certificate is not "
    "trusted by this computer.",
    "Does the server allow this page's origin (CORS)? It must answer with "
    "Access-Control-Allow-Origin for this site and allow the Authorization header.",
    "Is a proxy, VPN or firewall between this computer and the server?",
)


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What the connection test found; ``message`` is what the page shows."""

    outcome: Outcome
    url: str
    message: str
    status: int | None = None
    round_trip_ms: float | None = None
    include_field: bool | None = None
    fuzzy_matching: bool | None = None
    checks: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.SUCCESS


async def probe_server(
    endpoints: ServerEndpoints,
    transport: Transport,
    clock: Callable[[], float] = time.perf_counter,
    timeout: float = PROBE_TIMEOUT,
) -> ProbeResult:
    """Ask ``endpoints.qido_rs`` for one study and describe what happened.

    Never raises for what the server did (that is the result); only cancellation
    propagates.
    """
    url = (
        f"{endpoints.qido_rs}/studies?limit=1"
        f"&includefield={tags.STUDY_DESCRIPTION.key}&fuzzymatching=true"
    )
    headers = {"Accept": DICOM_JSON}
    headers.update(authorization_headers(url, endpoints.credentials, endpoints.origins))
    request = Request(url=url, headers=headers, timeout=timeout)

    started = clock()
    try:
        response = await transport.send(request)
    except RequestTimeout:
        return ProbeResult(
            Outcome.TIMEOUT,
            url,
            f"The server did not answer within {timeout:g} seconds.",
            checks=NO_ANSWER_CHECKS,
        )
    except NetworkError:
        return ProbeResult(
            Outcome.NO_ANSWER,
            url,
            "No answer the page may read. The browser does not say why: the server may "
            "be down, it may not allow this site (CORS), or its certificate may not be "
            "trusted. Check:",
            checks=NO_ANSWER_CHECKS,
        )
    elapsed_ms = (clock() - started) * 1000
    status = response.status

    if status in (401, 403):
        what = "refused the credentials" if status == 401 else "refused access"
        return ProbeResult(
            Outcome.CREDENTIALS_REFUSED,
            url,
            f"The server {what} (HTTP {status}). Check the Authentication Type, the user "
            "name and password, or the token.",
            status=status,
        )
    if status == 404:
        return ProbeResult(
            Outcome.NOT_FOUND,
            url,
            f"Nothing was found at {url.split('?', 1)[0]} (HTTP 404). Check the Server "
            "URL, the Server Postfix and the QIDO Postfix.",
            status=status,
        )
    if status >= 500:
        return ProbeResult(
            Outcome.SERVER_ERROR,
            url,
            f"The server failed to answer (HTTP {status}). It is reachable, but has a "
            "problem of its own; try again later or ask its administrator.",
            status=status,
        )
    if not response.ok:
        return ProbeResult(
            Outcome.REFUSED_QUERY,
            url,
            f"The server refused the query (HTTP {status}). It may not be a QIDO-RS "
            "service: check the QIDO Postfix.",
            status=status,
        )

    try:
        studies = json.loads(response.body) if response.body.strip() else []
    except ValueError:
        studies = None
    if not isinstance(studies, list):
        return ProbeResult(
            Outcome.NOT_DICOMWEB,
            url,
            "The server answered, but not with a DICOM JSON study list. The URL points "
            "at something else: check the Server Postfix and the QIDO Postfix.",
            status=status,
        )

    include_field = _include_field_honoured(studies)
    warning = (response.header("Warning") or "").lower()
    fuzzy = not ("299" in warning and "fuzzy" in warning)
    count = "one study" if studies else "no studies (the archive is empty)"
    return ProbeResult(
        Outcome.SUCCESS,
        url,
        f"Connected in {elapsed_ms:.0f} ms; the server returned {count}.",
        status=status,
        round_trip_ms=elapsed_ms,
        include_field=include_field,
        fuzzy_matching=fuzzy,
    )


def _include_field_honoured(studies: list[object]) -> bool | None:
    """True/False when the answer tells; None when there is no study to look at."""
    if not studies or not isinstance(studies[0], dict):
        return None
    # Absent means ignored, or a study without a description (Orthanc leaves out
    # empty attributes); the page says the finding is a hint.
    return studies[0].get(tags.STUDY_DESCRIPTION.key) is not None
