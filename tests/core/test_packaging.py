"""The package ships its type information (PEP 561)."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path


def test_py_typed_is_shipped() -> None:
    assert resources.files("dispatch_chain").joinpath("py.typed").is_file()
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["dispatch_chain"]
