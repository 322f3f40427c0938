"""Shopping cart arithmetic."""

import os


def total(prices: list[float]) -> float:
    """Return the sum of the prices."""
    return sum(prices)


def discount(amount: float, percent: float) -> float:
    """Return the amount after a percentage discount."""
    return amount * (1 - percent / 100)
