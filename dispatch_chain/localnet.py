"""Starting local chain nodes for the demo and the tests: anvil and the local Solana node.

Each node runs as a child process on a free loopback port, is waited for
until it answers RPC, and is stopped (SIGTERM, then SIGKILL) when the context
exits, even on errors; when the starting process is killed outright, the node
gets SIGTERM from the kernel (:func:`dies_with_parent`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from dispatch_chain.errors import ChainError, ConfigError
from dispatch_chain.settings import Settings

if TYPE_CHECKING:
    from solders.keypair import Keypair


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rpc_call(url: str, method: str, params: list[Any] | None = None, *, timeout: float = 5.0) -> Any:
    """One JSON-RPC call over HTTP; raises ChainError on transport or RPC errors."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())
    except (urllib.error.URLError, OSError, json.JSONDecodeError) as exc:
        raise ChainError(f"{method} to {url} failed: {exc}") from exc
    if "error" in answer:
        raise ChainError(f"{method} to {url}: {answer['error']}")
    return answer["result"]


def dies_with_parent(argv: list[str]) -> list[str]:
    """``argv`` run so that the node gets SIGTERM when the process that started it dies, however it dies.

    A demo or test killed with SIGKILL runs no cleanup; without this its nodes would run on, orphaned,
    holding ports and producing slots. util-linux ``setpriv --pdeathsig`` sets the signal and execs the
    node (same pid). The kernel sends it when the *thread* that started the node exits, so nodes are
    started from the thread that uses them to the end (the main thread, in the demo and the tests).
    Where ``setpriv`` is missing, ``argv`` is returned unchanged.
    """
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--", *argv] if setpriv else list(argv)


class LocalNode:
    """A node process on loopback; use as a context manager."""

    name = "node"
    ready_method = "eth_chainId"

    def __init__(self, argv: list[str], port: int, *, log_path: Path | None = None, startup_timeout: float = 30.0):
        self.argv = argv
        self.port = port
        self.log_path = log_path
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                dies_with_parent(self.argv), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        finally:
            if self.log_path:
                log.close()  # type: ignore[union-attr]
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.process.poll() is not None:
                raise ChainError(
                    f"{self.name} exited with code {self.process.returncode} while starting"
                    + (f" (log: {self.log_path})" if self.log_path else "")
                )
            try:
                rpc_call(self.url, self.ready_method, timeout=1.0)
                return self
            except ChainError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise ChainError(
                        f"{self.name} did not answer on {self.url} within {self.startup_timeout:.0f} s"
                    ) from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class Anvil(LocalNode):
    """anvil (Foundry's local EVM node), chain id 31337 unless told otherwise, funded test accounts."""

    name = "anvil"

    def __init__(
        self,
        *,
        port: int | None = None,
        block_time: float | None = None,
        log_path: Path | None = None,
        extra_args: Sequence[str] = (),
        chain_id: int | None = None,
    ):
        binary = shutil.which("anvil")
        if binary is None:
            raise ConfigError("anvil is not on PATH (run through ./dev, which installs it from npm)")
        port = port or free_port()
        argv = [binary, "--host", "127.0.0.1", "--port", str(port), "--silent"]
        if block_time:
            argv += ["--block-time", str(block_time)]
        argv += list(extra_args)  # e.g. --number N, --no-mining, --load-state PATH
        if chain_id is not None:
            argv += ["--chain-id", str(chain_id)]
        super().__init__(argv, port, log_path=log_path)


SBF_DIR_ENV = "DISPATCH_SBF_DIR"  # the SBF builds <program>.so; ./dev sets it (toolchain/sbf/build-sbf.sh)
DEPLOYER_LAMPORTS = 1_000 * 1_000_000_000  # what SolanaNode airdrops to its deployer at start


def sbf_programs(directory: str | Path | None = None) -> dict[str, Path]:
    """The SBF builds to deploy, by program id: every ``<name>.so`` in ``directory``
    (default ``$DISPATCH_SBF_DIR``) whose IDL is in ``idl/``, at the IDL's address."""
    from dispatch_chain.solana.programs import load_idl

    folder = directory or Settings.from_env().sbf_dir
    if not folder:
        raise ConfigError(
            f"{SBF_DIR_ENV} is not set: run through ./dev, whose setup builds the programs to SBF"
            " (toolchain/sbf/build-sbf.sh) and sets it"
        )
    found = {}
    for so in sorted(Path(folder).glob("*.so")):
        try:
            found[str(load_idl(so.stem).address)] = so
        except ConfigError:
            continue  # a build without an IDL here (e.g. a newer program): not ours to deploy
    if not found:
        raise ConfigError(f"no program builds with an IDL in {folder} (rerun ./dev setup)")
    return found


class SolanaNode(LocalNode):
    """dispatch-solana-node: a Solana JSON-RPC node running the Dispatch programs' SBF builds.

    The programs (:func:`sbf_programs`, or ``programs={id: path}``) are deployed
    at start as a validator holds them, BPF upgradeable loader program and
    ProgramData with :attr:`deployer` as upgrade authority, like
    ``solana-test-validator --upgradeable-program ID SO AUTHORITY``. The
    deployer (a fresh keypair unless given) is funded with
    ``DEPLOYER_LAMPORTS`` at start; only it can initialise the programs.
    Started with ``--port 0``; the port is read from its ready line
    (``dispatch-solana-node ready http://127.0.0.1:<port>``).

    ``confirm_depth`` / ``finalize_depth``: slots after its own before a
    transaction is ``confirmed`` / ``finalized`` (the node's defaults are 0:
    final at once); reads at a commitment see that level's slot. With
    ``slot_ms`` they set how long a finalized-depth watcher really waits.
    """

    name = "dispatch-solana-node"
    ready_method = "getHealth"

    def __init__(
        self,
        *,
        binary: str | None = None,
        ledger: Path | None = None,
        slot_ms: int | None = None,
        log_path: Path | None = None,
        startup_timeout: float = 30.0,
        programs: dict[str, Path] | None = None,
        deployer: Keypair | None = None,
        confirm_depth: int = 0,
        finalize_depth: int = 0,
    ) -> None:
        from solders.keypair import Keypair

        binary = binary or Settings.from_env().solana_node_bin or shutil.which("dispatch-solana-node")
        if not binary or not Path(binary).exists():
            raise ConfigError(
                "dispatch-solana-node is not built (./dev setup builds it; or set DISPATCH_SOLANA_NODE_BIN)"
            )
        self.deployer: Keypair = deployer or Keypair()
        self.programs = dict(programs) if programs is not None else sbf_programs()
        argv = [binary, "--bind", "127.0.0.1", "--port", "0"]
        for program_id, path in self.programs.items():
            argv += ["--upgradeable-program", program_id, str(path), str(self.deployer.pubkey())]
        if ledger is not None:
            argv += ["--ledger", str(ledger)]
        if slot_ms is not None:
            argv += ["--slot-ms", str(slot_ms)]
        if not 0 <= confirm_depth <= finalize_depth:
            raise ConfigError(f"need 0 <= confirm_depth ({confirm_depth}) <= finalize_depth ({finalize_depth})")
        self.confirm_depth = confirm_depth
        self.finalize_depth = finalize_depth
        argv += ["--confirm-depth", str(confirm_depth), "--finalize-depth", str(finalize_depth)]
        super().__init__(argv, 0, log_path=log_path, startup_timeout=startup_timeout)

    def start(self) -> Self:
        stderr = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                dies_with_parent(self.argv), stdout=subprocess.PIPE, stderr=stderr, start_new_session=True
            )
        finally:
            if self.log_path:
                stderr.close()  # type: ignore[union-attr]
        assert self.process.stdout is not None
        line = _read_line(self.process.stdout, self.startup_timeout)
        prefix = b"dispatch-solana-node ready http://127.0.0.1:"
        if not line.startswith(prefix):
            self.stop()
            raise ChainError(
                f"{self.name} did not start: {line.decode(errors='replace').strip() or 'no ready line'}"
                + (f" (log: {self.log_path})" if self.log_path else "")
            )
        self.port = int(line[len(prefix) :].strip())
        self._fund_deployer()
        return self

    def _fund_deployer(self) -> None:
        signature = rpc_call(self.url, "requestAirdrop", [str(self.deployer.pubkey()), DEPLOYER_LAMPORTS])
        deadline = time.monotonic() + self.startup_timeout
        while not rpc_call(self.url, "getSignatureStatuses", [[signature]])["value"][0]:
            if time.monotonic() > deadline:
                self.stop()
                raise ChainError(f"{self.name}: the deployer's airdrop did not land")
            time.sleep(0.05)

    def warp_clock(self, seconds: int) -> int:
        """Local only: move the node's Clock ``seconds`` ahead (``dispatchWarpClock``, not a Solana
        method); returns the new Unix time. For vesting cliffs and emission years in tests and the demo."""
        return int(rpc_call(self.url, "dispatchWarpClock", [seconds])["unixTimestamp"])

    def write_deployer(self, path: Path) -> Path:
        """Write the deployer keypair as a solana-keygen file (mode 0600), for scripts run as separate processes."""
        from dispatch_chain.keys import save_keypair_bytes

        save_keypair_bytes(path, bytes(self.deployer))
        return path


def _read_line(stream: Any, timeout: float) -> bytes:
    """One line from a child's stdout, or b"" after ``timeout`` seconds."""
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    buffer = b""
    while not buffer.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not selector.select(remaining):
            break
        chunk = os.read(stream.fileno(), 4096)
        if not chunk:
            break
        buffer += chunk
    selector.close()
    return buffer
