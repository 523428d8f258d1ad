from app.dicomweb.records import Instance, InstanceMetadata
from app.series_stack import build_stack, order_instances, slice_location

AXIAL = [1, 0, 0, 0, 1, 0]


def item(
    uid: str, number: int | None, z: float | None = None, frames: int = 1
) -> InstanceMetadata:
    attributes = {}
    if z is not None:
        attributes = {
            "00200032": {"vr": "DS", "Value": [-100.0, -100.0, z]},
            "00200037": {"vr": "DS", "Value": AXIAL},
        }
    instance = Instance(
        "1",
        "2",
        uid,
        "1.2.840.10008.5.1.4.1.1.2",
        number,
        4,
        4,
        frames if frames > 1 else None,
        None,
        None,
    )
    return InstanceMetadata(instance, attributes)


def test_positions_win_over_instance_numbers() -> None:
    items = [item("a", 1, z=30.0), item("b", 2, z=-10.0), item("c", 3, z=10.0)]
    assert [i.instance.sop_instance_uid for i in order_instances(items)] == [
        "b",
        "c",
        "a",
    ]
    assert slice_location(items[1]) == -10.0


def test_instance_numbers_when_a_position_is_missing() -> None:
    items = [item("a", 3, z=1.0), item("b", 1), item("c", None), item("d", 2)]
    assert [i.instance.sop_instance_uid for i in order_instances(items)] == [
        "b",
        "d",
        "a",
        "c",
    ]


def test_multi_frame_instances_give_one_image_per_frame() -> None:
    stack = build_stack([item("m", 1, frames=3), item("s", 2)])
    assert [(image.sop_instance_uid, image.frame_number) for image in stack] == [
        ("m", 1),
        ("m", 2),
        ("m", 3),
        ("s", 1),
    ]
