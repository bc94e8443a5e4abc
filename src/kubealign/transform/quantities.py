"""Compose units to Kubernetes quantities.

Compose byte values are binary (``50M`` is 50 MiB, docker/go-units ``RAMInBytes``), so they
become ``Ki``/``Mi``/``Gi`` quantities: writing ``50M`` would silently lose 4.6 %.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal, InvalidOperation

_BINARY_UNITS = (("Ti", 1024**4), ("Gi", 1024**3), ("Mi", 1024**2), ("Ki", 1024))


def bytes_to_quantity(value: int) -> str:
    """The shortest exact binary quantity: 52428800 -> ``50Mi``; 1000 -> ``1000``."""
    if value < 0:
        raise ValueError(f"a byte size cannot be negative: {value}")
    for suffix, factor in _BINARY_UNITS:
        if value and value % factor == 0:
            return f"{value // factor}{suffix}"
    return str(value)


def cpus_to_quantity(cpus: str | float | int | Decimal) -> str:
    """Compose ``cpus`` (``'0.50'``, ``1.5``, ``2``) -> ``500m``, ``1500m``, ``2``.

    Kubernetes accepts at most millicore precision; a finer value is rounded up so that a
    limit never becomes tighter than the one the service ran with.
    """
    try:
        amount = Decimal(str(cpus).strip())
    except InvalidOperation:
        raise ValueError(f"not a CPU amount: {cpus!r}") from None
    if amount < 0:
        raise ValueError(f"a CPU amount cannot be negative: {cpus!r}")
    millis = (amount * 1000).to_integral_value(rounding=ROUND_CEILING)
    if millis % 1000 == 0:
        return str(int(millis // 1000))
    return f"{int(millis)}m"


def seconds_to_int(seconds: float) -> int:
    """Whole seconds for probe/grace fields, rounded up (a 1.5 s timeout must not become 1 s)."""
    whole = int(seconds)
    return whole if whole == seconds else whole + 1
