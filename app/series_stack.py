"""The images of an opened series, in the order a reader scrolls through them.

Pure logic over WADO-RS series metadata: each instance gives one image per frame,
and instances are ordered along the slice normal when every instance has its
position and orientation (PS3.3 C.7.6.2), else by Instance Number, else by UID.
Servers return metadata in any order (Orthanc uses its own), so this matters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.dicomweb.records import DicomJson, InstanceMetadata

IMAGE_POSITION_PATIENT = "00200032"
IMAGE_ORIENTATION_PATIENT = "00200037"


@dataclass(frozen=True, slots=True)
class StackImage:
    """One scrollable image: a frame (numbered from 1) of an instance."""

    sop_instance_uid: str
    frame_number: int
    metadata: InstanceMetadata


def _numbers(attributes: DicomJson, key: str, count: int) -> tuple[float, ...] | None:
    element = attributes.get(key)
    values = element.get("Value") if isinstance(element, dict) else None
    if not isinstance(values, list) or len(values) != count:
        return None
    try:
        return tuple(float(value) for value in values)
    except (TypeError, ValueError):
        return None


def slice_location(metadata: InstanceMetadata) -> float | None:
    """Position along the slice normal (row x column direction cosines), or None."""
    position = _numbers(metadata.attributes, IMAGE_POSITION_PATIENT, 3)
    orientation = _numbers(metadata.attributes, IMAGE_ORIENTATION_PATIENT, 6)
    if position is None or orientation is None:
        return None
    rx, ry, rz, cx, cy, cz = orientation
    normal = (ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx)
    return sum(p * n for p, n in zip(position, normal, strict=True))


def order_instances(instances: Sequence[InstanceMetadata]) -> list[InstanceMetadata]:
    """Instances in reading order (see the module docstring)."""
    locations = [slice_location(item) for item in instances]
    if locations and all(location is not None for location in locations):
        paired = sorted(
            zip(locations, instances, strict=True),
            key=lambda pair: (pair[0], pair[1].instance.sop_instance_uid),
        )
        return [item for _, item in paired]
    return sorted(
        instances,
        key=lambda item: (
            item.instance.instance_number is None,
            item.instance.instance_number or 0,
            item.instance.sop_instance_uid,
        ),
    )


def build_stack(instances: Sequence[InstanceMetadata]) -> tuple[StackImage, ...]:
    """Every frame of every instance, in reading order."""
    return tuple(
        StackImage(item.instance.sop_instance_uid, frame, item)
        for item in order_instances(instances)
        for frame in range(1, item.instance.frame_count + 1)
    )
