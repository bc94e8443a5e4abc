from decimal import Decimal

import pytest

from kubealign.transform.quantities import bytes_to_quantity, cpus_to_quantity, seconds_to_int


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (52428800, "50Mi"),
        (1024, "1Ki"),
        (2 * 1024**3, "2Gi"),
        (1536 * 1024**2, "1536Mi"),
        (1000, "1000"),
        (0, "0"),
        (3 * 1024**4, "3Ti"),
    ],
)
def test_bytes_are_binary_quantities(value: int, expected: str) -> None:
    assert bytes_to_quantity(value) == expected


@pytest.mark.parametrize(
    ("cpus", "expected"),
    [("0.50", "500m"), ("1.5", "1500m"), (2, "2"), ("0.0005", "1m"), (Decimal("4.0"), "4")],
)
def test_cpus_become_millicores(cpus: str | int | Decimal, expected: str) -> None:
    assert cpus_to_quantity(cpus) == expected


def test_bad_cpu_amount_is_refused() -> None:
    with pytest.raises(ValueError, match="not a CPU amount"):
        cpus_to_quantity("lots")


def test_seconds_round_up() -> None:
    assert seconds_to_int(1.5) == 2
    assert seconds_to_int(30.0) == 30
