"""The compiled batch verify loop: the outcome of every signature is PyNaCl's, bad input never reaches C,
and without the loop (switched off, no compiler, a failing build) verification still works the same."""

from __future__ import annotations

import nacl.bindings
import nacl.signing
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch_chain.ed25519_batch import batch_verifier
from dispatch_chain.receipts import verify_many

from support import make_signed, make_worker

WORKER = nacl.signing.SigningKey(b"\x05" * 32)
#: keys libsodium refuses or treats specially: the identity, a small-order point, a non-canonical encoding
ODD_KEYS = [bytes(32), bytes([1]) + bytes(31), b"\xec" + b"\xff" * 30 + b"\x7f", bytes(WORKER.verify_key)]


def pynacl_says(signature: bytes, message: bytes, key: bytes) -> bool:
    try:
        nacl.bindings.crypto_sign_open(signature + message, key)
    except Exception:
        return False
    return True


@pytest.fixture(scope="module")
def batch():
    verifier = batch_verifier()
    assert verifier is not None, "this machine has a C compiler: the loop must build"
    return verifier


def _cases():
    signed = st.binary(max_size=120).map(lambda m: (WORKER.sign(m).signature, m, bytes(WORKER.verify_key)))

    def tampered(case):
        signature, message, key = case
        return st.tuples(st.integers(0, 63), st.integers(1, 255)).map(
            lambda t: (signature[: t[0]] + bytes([signature[t[0]] ^ t[1]]) + signature[t[0] + 1 :], message, key)
        )

    noise = st.tuples(st.binary(min_size=64, max_size=64), st.binary(max_size=120),
                      st.binary(min_size=32, max_size=32) | st.sampled_from(ODD_KEYS))
    return st.lists(signed | signed.flatmap(tampered) | noise, max_size=12)


@given(_cases())
def test_every_outcome_is_pynacls(batch, cases) -> None:
    signatures, messages, keys = ([c[i] for c in cases] for i in range(3))
    assert list(batch.verify(signatures, messages, keys)) == [int(pynacl_says(*c)) for c in cases]


def test_signatures_and_keys_of_other_lengths_never_reach_c(batch) -> None:
    signature = WORKER.sign(b"m").signature
    key = bytes(WORKER.verify_key)
    for signatures, keys in (([signature[:63]], [key]), ([signature], [key + b"\x00"]), ([signature, signature], [key])):
        with pytest.raises(ValueError, match="64-byte signature and one 32-byte key"):
            batch.verify(signatures, [b"m"] * len(signatures), keys)
    assert batch.verify([], [], []) == b""


def test_switched_off_or_without_a_working_compiler_there_is_no_loop(tmp_path) -> None:
    assert batch_verifier({"DISPATCH_NATIVE_VERIFY": "0"}) is None
    assert batch_verifier({"DISPATCH_CACHE": str(tmp_path / "a"), "CC": "false"}) is None  # the build fails
    assert batch_verifier({"DISPATCH_CACHE": str(tmp_path / "b"), "CC": "no-such-compiler"}) is None
    built = batch_verifier({"DISPATCH_CACHE": str(tmp_path / "c")})
    assert built is not None and list((tmp_path / "c" / "native").glob("ed25519_batch-*.so"))
    assert not list((tmp_path / "c" / "native").glob("*.partial"))


@pytest.mark.parametrize("workers", [1, 2])
def test_verify_many_is_the_same_with_and_without_the_loop(workers) -> None:
    worker = make_worker(9)
    good = [make_signed(worker, f"job-{i}") for i in range(700)]
    items: list[object] = [s.to_dict() for s in good]
    items[3] = {**good[3].to_dict(), "receipt_signature": good[4].signature_text}
    items[600] = {"receipt": {**good[600].receipt.to_dict(), "job_id": "other"},
                  "receipt_signature": good[600].signature_text}
    with_loop = verify_many(items, workers=workers)
    assert with_loop.checks == verify_many(items, workers=workers, native=False).checks
    assert {c.index for c in with_loop.invalid} == {3, 600}


def test_a_library_others_could_have_written_is_not_loaded(tmp_path) -> None:
    """The loop is native code loaded into the process: a cached copy writable by others is refused."""
    env = {"DISPATCH_CACHE": str(tmp_path / "built")}
    assert batch_verifier(env) is not None
    [library] = (tmp_path / "built" / "native").glob("ed25519_batch-*.so")
    planted = tmp_path / "planted" / "native"
    planted.mkdir(parents=True)
    copy = planted / library.name
    copy.write_bytes(library.read_bytes())
    copy.chmod(0o666)  # anyone could have replaced it
    assert batch_verifier({"DISPATCH_CACHE": str(tmp_path / "planted")}) is None
    shared = tmp_path / "shared" / "native"
    shared.mkdir(parents=True)
    shared.chmod(0o777)  # a cache directory anyone can write into
    assert batch_verifier({"DISPATCH_CACHE": str(tmp_path / "shared")}) is None
