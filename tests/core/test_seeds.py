"""The random tests' seeds are reproducible: given, fixed in CI, else fresh and printed."""

from __future__ import annotations

import pytest

from support import CI_SEED, SEED_VARIABLE, choose_seed, random_seed


def test_seed_from_variable_wins_over_ci() -> None:
    assert choose_seed({SEED_VARIABLE: "4242", "CI": "true"}) == (4242, f"from {SEED_VARIABLE}")


def test_seed_is_fixed_in_ci() -> None:
    assert choose_seed({"CI": "true"}) == (CI_SEED, "fixed in CI")
    assert choose_seed({"CI": "true"}) == choose_seed({"CI": "1"})


def test_fresh_seed_outside_ci() -> None:
    seed, source = choose_seed({})
    assert source == "fresh" and 0 <= seed < 1_000_000


def test_bad_seed_is_refused() -> None:
    with pytest.raises(ValueError, match="DISPATCH_TEST_SEED='x' is not an integer"):
        choose_seed({SEED_VARIABLE: "x"})


def test_seed_is_printed_with_the_replay_command(capsys) -> None:
    seed = random_seed()
    assert f"replay with {SEED_VARIABLE}={seed}" in capsys.readouterr().out
