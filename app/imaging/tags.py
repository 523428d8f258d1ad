"""DICOM attributes read by the pixel pipeline, named once.

The ones the DICOMweb client already names come from :mod:`app.dicomweb.tags`; the
Image Pixel, Modality LUT and VOI LUT attributes (PS3.3 C.7.6.3, C.11.1, C.11.2) are
added here with the same ``Tag`` record: the DICOM JSON key (PS3.18 F.2.1.1) and the
PS3.6 keyword, which is also the pydicom ``Dataset`` attribute name.
"""

from __future__ import annotations

from app.dicomweb.tags import (
    COLUMNS,
    MODALITY,
    NUMBER_OF_FRAMES,
    PIXEL_DATA,
    ROWS,
    TRANSFER_SYNTAX_UID,
    Tag,
)

__all__ = [
    "BITS_ALLOCATED",
    "BITS_STORED",
    "BLUE_PALETTE_LUT_DESCRIPTOR",
    "COLUMNS",
    "DOUBLE_FLOAT_PIXEL_DATA",
    "FLOAT_PIXEL_DATA",
    "GREEN_PALETTE_LUT_DESCRIPTOR",
    "HIGH_BIT",
    "MODALITY",
    "MODALITY_LUT_SEQUENCE",
    "NUMBER_OF_FRAMES",
    "PHOTOMETRIC_INTERPRETATION",
    "PIXEL_DATA",
    "PIXEL_REPRESENTATION",
    "PIXEL_SPACING",
    "PLANAR_CONFIGURATION",
    "RED_PALETTE_LUT_DESCRIPTOR",
    "RESCALE_INTERCEPT",
    "RESCALE_SLOPE",
    "ROWS",
    "SAMPLES_PER_PIXEL",
    "TRANSFER_SYNTAX_UID",
    "VOI_LUT_FUNCTION",
    "VOI_LUT_SEQUENCE",
    "WINDOW_CENTER",
    "WINDOW_EXPLANATION",
    "WINDOW_WIDTH",
    "Tag",
    "describe",
]

# Image Pixel module (PS3.3 C.7.6.3).
SAMPLES_PER_PIXEL = Tag("00280002", "SamplesPerPixel")
PHOTOMETRIC_INTERPRETATION = Tag("00280004", "PhotometricInterpretation")
PLANAR_CONFIGURATION = Tag("00280006", "PlanarConfiguration")
PIXEL_SPACING = Tag("00280030", "PixelSpacing")
BITS_ALLOCATED = Tag("00280100", "BitsAllocated")
BITS_STORED = Tag("00280101", "BitsStored")
HIGH_BIT = Tag("00280102", "HighBit")
PIXEL_REPRESENTATION = Tag("00280103", "PixelRepresentation")
RED_PALETTE_LUT_DESCRIPTOR = Tag("00281101", "RedPaletteColorLookupTableDescriptor")
GREEN_PALETTE_LUT_DESCRIPTOR = Tag("00281102", "GreenPaletteColorLookupTableDescriptor")
BLUE_PALETTE_LUT_DESCRIPTOR = Tag("00281103", "BluePaletteColorLookupTableDescriptor")
FLOAT_PIXEL_DATA = Tag("7FE00008", "FloatPixelData")
DOUBLE_FLOAT_PIXEL_DATA = Tag("7FE00009", "DoubleFloatPixelData")

# Modality LUT module (PS3.3 C.11.1).
RESCALE_INTERCEPT = Tag("00281052", "RescaleIntercept")
RESCALE_SLOPE = Tag("00281053", "RescaleSlope")
MODALITY_LUT_SEQUENCE = Tag("00283000", "ModalityLUTSequence")

# VOI LUT module (PS3.3 C.11.2).
WINDOW_CENTER = Tag("00281050", "WindowCenter")
WINDOW_WIDTH = Tag("00281051", "WindowWidth")
WINDOW_EXPLANATION = Tag("00281055", "WindowCenterWidthExplanation")
VOI_LUT_FUNCTION = Tag("00281056", "VOILUTFunction")
VOI_LUT_SEQUENCE = Tag("00283010", "VOILUTSequence")


def describe(tag: Tag) -> str:
    """``Rows (0028,0010)``: the keyword and the tag as PS3.5 writes it."""
    return f"{tag.keyword} ({tag.key[:4]},{tag.key[4:]})"
