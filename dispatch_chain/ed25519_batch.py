"""libsodium's ed25519 verify over a whole chunk of receipts in one C call, the GIL released once.

PyNaCl releases the GIL around each libsodium call, but a thread must take it
back after every signature to start the next one, so threads verifying receipts
queue for the GIL tens of thousands of times a second. :class:`BatchVerifier`
runs the per-receipt loop in C (``ed25519_batch.c``, twenty lines): one call,
one GIL release, per chunk of receipts, and the verify function it calls is
PyNaCl's own libsodium ``crypto_sign_verify_detached`` (what PyNaCl's
``crypto_sign_open`` runs), so every outcome is exactly PyNaCl's.

The loop is compiled on first use with the system C compiler (``$CC``, else
``cc``) into ``$DISPATCH_CACHE/native`` (default ``~/.cache/dispatch-chain``),
under a name keyed by the source, the compiler and the machine, and loaded with
cffi's ABI mode: no Python headers are needed. A library or cache directory that is not the
user's own, or that group or others may write, is never loaded (its code could be anyone's).
:func:`batch_verifier` returns None when there is no compiler, when the build fails, or when
``DISPATCH_NATIVE_VERIFY=0``; callers then verify one call at a time, with the
same results.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import platform
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dispatch_chain.settings import Settings

log = logging.getLogger(__name__)

SOURCE = Path(__file__).with_name("ed25519_batch.c")

_CDEF = """
typedef int (*dispatch_verify_fn)(const unsigned char *, const unsigned char *, unsigned long long,
                                  const unsigned char *);
void dispatch_verify_batch(dispatch_verify_fn, size_t, const unsigned char *, const unsigned char *,
                           const unsigned long long *, const unsigned char *, unsigned char *);
int crypto_sign_verify_detached(const unsigned char *, const unsigned char *, unsigned long long,
                                const unsigned char *);
"""


class BatchVerifier:
    """The compiled loop, bound to PyNaCl's libsodium."""

    def __init__(self, library: Path) -> None:
        import cffi  # type: ignore[import-untyped]
        import nacl._sodium

        self._ffi = cffi.FFI()
        self._ffi.cdef(_CDEF)
        self._loop = self._ffi.dlopen(str(library))
        # the libsodium PyNaCl loaded (its module exports the symbol); dlopen returns the loaded copy
        self._sodium = self._ffi.dlopen(nacl._sodium.__file__)
        self._verify = self._ffi.cast("dispatch_verify_fn", self._sodium.crypto_sign_verify_detached)

    def verify(self, signatures: Sequence[bytes], messages: Sequence[bytes], keys: Sequence[bytes]) -> bytes:
        """One byte per item, 1 where ``signatures[i]`` verifies over ``messages[i]`` under ``keys[i]``.

        Every signature must be 64 bytes and every key 32 (the loop steps by those sizes): anything
        else raises ValueError before C reads a byte.
        """
        n = len(messages)
        joined_signatures, joined_keys = b"".join(signatures), b"".join(keys)
        if len(signatures) != n or len(keys) != n or len(joined_signatures) != 64 * n or len(joined_keys) != 32 * n:
            raise ValueError("a batch needs one 64-byte signature and one 32-byte key per message")
        if n == 0:
            return b""
        ends = self._ffi.new("unsigned long long[]", list(itertools.accumulate(map(len, messages))))
        valid = self._ffi.new("unsigned char[]", n)
        self._loop.dispatch_verify_batch(
            self._verify, n, joined_signatures, b"".join(messages), ends, joined_keys, valid
        )
        return bytes(self._ffi.buffer(valid))


def _compiler(env: Mapping[str, str]) -> str | None:
    return shutil.which(env.get("CC") or "cc")


def _build(cache: Path, compiler: str) -> Path:
    """Compile the loop into ``cache`` (once per source, compiler and machine) and return the library."""
    version = subprocess.run([compiler, "--version"], capture_output=True, timeout=30, check=False).stdout
    key = hashlib.sha256(SOURCE.read_bytes() + version + platform.machine().encode()).hexdigest()[:16]
    library = cache / f"ed25519_batch-{key}.so"
    if library.exists():
        _check_private(cache)
        _check_private(library)
        return library
    cache.mkdir(parents=True, exist_ok=True, mode=0o700)
    _check_private(cache)
    fd, partial = tempfile.mkstemp(prefix=library.name, suffix=".partial", dir=cache)
    os.close(fd)
    try:
        subprocess.run(
            [compiler, "-O2", "-shared", "-fPIC", "-o", partial, str(SOURCE)],
            capture_output=True,
            timeout=120,
            check=True,
        )
        os.chmod(partial, 0o755)  # whatever the umask: group- or world-writable code would be refused
        os.replace(partial, library)  # atomic: a concurrent build or reader sees all of it or nothing
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return library


def _check_private(path: Path) -> None:
    """Refuse code another user could have written: ``path`` must be ours and not writable by group or others."""
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise PermissionError(f"{path} is writable by others or not ours: its code is not loaded")


_lock = threading.Lock()
_loaded: dict[str, BatchVerifier | None] = {}


def batch_verifier(env: Mapping[str, str] | None = None) -> BatchVerifier | None:
    """The compiled batch loop, built on first use; None where it cannot be (see the module docstring).

    Loaded once per process and cache directory (``env``, default the process environment, gives both
    ``DISPATCH_*`` settings and ``CC``).
    """
    env = os.environ if env is None else env
    settings = Settings.from_env(env)
    if settings.native_verify == "0":
        return None
    cache = Path(settings.cache or Path.home() / ".cache" / "dispatch-chain").expanduser() / "native"
    with _lock:
        if str(cache) not in _loaded:
            _loaded[str(cache)] = _load(cache, env)
        return _loaded[str(cache)]


def _load(cache: Path, env: Mapping[str, str]) -> BatchVerifier | None:
    compiler = _compiler(env)
    if compiler is None:
        log.info("no C compiler: receipts are verified one libsodium call at a time")
        return None
    try:
        return BatchVerifier(_build(cache, compiler))
    except Exception as exc:  # any failure only means no batch loop: the results are the same without it
        detail: Any = getattr(exc, "stderr", None) or exc
        log.warning("the batch verify loop could not be built or loaded (%s): one call at a time", detail)
        return None
