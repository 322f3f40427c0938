from shop.cart import discount, total


def test_total() -> None:
    assert total([1.0, 2.0]) == 3.0


def test_discount() -> None:
    assert discount(100.0, 10) == 90.0
