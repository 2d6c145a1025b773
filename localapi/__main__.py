"""Command line entry point: ``python -m localapi --port 8081 --token T`` serves the local
Bot API until Ctrl-C / SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Sequence

from localapi.server import LocalBotApi, is_loopback

__all__ = ["main", "serve"]

_LOGGER = logging.getLogger("localapi")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m localapi", description="Local Telegram Bot API server for testing."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--token",
        default=os.environ.get("LOCALAPI_TOKEN"),
        help="bot token the server accepts (default: $LOCALAPI_TOKEN)",
    )
    parser.add_argument("--bot-username", default="alsfrs_local_bot")
    parser.add_argument("--rate-limits", action="store_true", help="enforce flood limits")
    parser.add_argument("--log-level", default="INFO")
    return parser


async def serve(api: LocalBotApi, stop: asyncio.Event | None = None) -> None:
    """Run ``api`` until ``stop`` is set or SIGINT/SIGTERM arrives."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    await api.start()
    _LOGGER.info(
        "base_url=%s base_file_url=%s control=%s/sim/", api.base_url, api.base_file_url, api.url
    )
    try:
        await stop.wait()
    finally:
        await api.stop()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.token:
        _parser().error("--token (or LOCALAPI_TOKEN) is required")
    if not is_loopback(args.host):
        _parser().error(f"--host {args.host}: serve a loopback address only (127.0.0.1, ::1)")
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    api = LocalBotApi(
        token=args.token,
        host=args.host,
        port=args.port,
        bot_username=args.bot_username,
        rate_limits=args.rate_limits,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(api))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
