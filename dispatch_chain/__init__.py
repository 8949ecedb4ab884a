"""Dispatch chain layer: the Python package a coordinator imports."""

__version__ = "0.1.0"
