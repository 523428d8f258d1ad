"""The pixel pipeline: frame bytes -> numpy pixels -> RGBA bytes. Pure, no browser.

Typical use in a viewport::

    description = PixelDescription.from_json(metadata.attributes)
    pixels = decode_frame(frame.data, description, frame.transfer_syntax_uid)
    window = default_window(description, pixels)
    rgba = render_rgba(pixels, description, window, out=buffer)  # (rows, cols, 4)

    # during a window/level drag
    window = drag_window(window, dx, dy)
    render_rgba(pixels, description, window, out=buffer)

A file from WADO-URI goes through :func:`read_part10`, whose ``frame(number)``
returns the same pixels. Pass :func:`decodable_transfer_syntaxes` to the DICOMweb
client as ``decodable`` so it asks the server to transcode what cannot be decoded
here. pydicom is imported on the first decode of a compressed frame or file, not
when this package is imported.
"""

from .decode import (
    NATIVE_LITTLE_ENDIAN,
    Pixels,
    decodable_transfer_syntaxes,
    decode_compressed,
    decode_frame,
    decode_native,
)
from .description import PixelDescription
from .errors import (
    CorruptFile,
    CorruptFrame,
    ImagingError,
    InvalidAttribute,
    MissingAttribute,
    UnsupportedImage,
    UnsupportedTransferSyntax,
)
from .part10 import Part10Image, read_part10
from .pipeline import (
    Rgba,
    apply_modality_lut,
    apply_presentation,
    apply_voi,
    default_window,
    grey_levels,
    min_max_window,
    new_rgba_buffer,
    render_rgba,
    to_8bit,
)
from .window import CT_PRESETS, VoiFunction, Window, drag_window

__all__ = [
    "CT_PRESETS",
    "NATIVE_LITTLE_ENDIAN",
    "CorruptFile",
    "CorruptFrame",
    "ImagingError",
    "InvalidAttribute",
    "MissingAttribute",
    "Part10Image",
    "PixelDescription",
    "Pixels",
    "Rgba",
    "UnsupportedImage",
    "UnsupportedTransferSyntax",
    "VoiFunction",
    "Window",
    "apply_modality_lut",
    "apply_presentation",
    "apply_voi",
    "decodable_transfer_syntaxes",
    "decode_compressed",
    "decode_frame",
    "decode_native",
    "default_window",
    "drag_window",
    "grey_levels",
    "min_max_window",
    "new_rgba_buffer",
    "read_part10",
    "render_rgba",
    "to_8bit",
]
