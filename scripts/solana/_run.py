"""Shared by the scripts in this folder: run one `dispatch-chain solana` command.

Global options (--network/-n, --manifest, --config) may be given anywhere on
the script's command line; they are moved in front of the subcommand.
"""

from __future__ import annotations

import sys

GLOBAL_OPTIONS = {"--network", "-n", "--manifest", "--config"}


def run(*command: str) -> None:
    from dispatch_chain.cli import main

    args, front = list(sys.argv[1:]), []
    i = 0
    while i < len(args):
        flag = args[i].split("=", 1)[0]
        if flag in GLOBAL_OPTIONS:
            take = 1 if "=" in args[i] else 2
            front.extend(args[i : i + take])
            del args[i : i + take]
        else:
            i += 1
    main([*front, *command, *args], prog_name=sys.argv[0])
