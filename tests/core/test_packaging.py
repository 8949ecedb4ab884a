"""The package ships its type information (PEP 561) and the source of its batch verify loop."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path


def test_py_typed_is_shipped() -> None:
    assert resources.files("dispatch_chain").joinpath("py.typed").is_file()
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["dispatch_chain"]


def test_the_batch_verify_loop_source_is_shipped() -> None:
    """An installed package compiles it on first use (dispatch_chain.ed25519_batch): its source must be there."""
    assert resources.files("dispatch_chain").joinpath("ed25519_batch.c").is_file()
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert "ed25519_batch.c" in pyproject["tool"]["setuptools"]["package-data"]["dispatch_chain"]
