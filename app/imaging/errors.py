"""The pixel pipeline's errors: typed, each with a sentence for the user.

``str(error)`` is for the console and names the attribute or the frame; the
``user_message()`` of each is fit for the page. The transfer syntax error is also a
:class:`app.dicomweb.errors.UnsupportedTransferSyntax`, so a view that already asks
the server to transcode on that error handles both the same way.
"""

from __future__ import annotations

from app.dicomweb import errors as dicomweb_errors

from .tags import Tag, describe


class ImagingError(Exception):
    """Base of every error the pixel pipeline raises."""

    def user_message(self) -> str:
        """A sentence a user can act on, fit to show on the page."""
        return f"This image cannot be shown: {self}."


class MissingAttribute(ImagingError):
    """A Type 1 attribute the pipeline needs is absent or empty."""

    def __init__(self, tag: Tag, source: str) -> None:
        self.tag = tag
        self.source = source
        super().__init__(f"The {source} lacks {describe(tag)}")


class InvalidAttribute(ImagingError):
    """An attribute is present but its value breaks the standard's rule."""

    def __init__(self, tag: Tag, value: object, rule: str) -> None:
        self.tag = tag
        self.value = value
        self.rule = rule
        super().__init__(f"{describe(tag)} is {value!r}, but {rule}")


class UnsupportedImage(ImagingError):
    """The image is valid DICOM but uses a feature the viewer does not support."""


class UnsupportedTransferSyntax(
    dicomweb_errors.UnsupportedTransferSyntax, ImagingError
):
    """No decoder for this transfer syntax is available in this runtime.

    ``reason`` says why, for example which package the decoder needs.
    """

    def __init__(self, transfer_syntax_uid: str, reason: str) -> None:
        super().__init__(transfer_syntax_uid)
        self.reason = reason

    def __str__(self) -> str:
        return f"{super().__str__()}: {self.reason}"


class CorruptFrame(ImagingError):
    """A frame's bytes do not hold the image its description promises."""

    def user_message(self) -> str:
        return (
            f"The image data is damaged ({self}). Reload the image; if it stays "
            "damaged, the copy on the server is."
        )


class CorruptFile(ImagingError):
    """Bytes said to be a DICOM Part 10 file cannot be read as one."""

    def user_message(self) -> str:
        return f"The file is not a readable DICOM file ({self})."
