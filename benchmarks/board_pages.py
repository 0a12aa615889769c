"""The board's pages: bytes over the wire and requests per second next to the bare JSON endpoint.

Builds a fresh SQLite board with the real migrations and ``board.py``'s seeding (threads of 100
posts in four languages next to one long thread), starts the real service under uvicorn on a
free loopback port (one worker) and loads one address after another in the same run: the bare
Litestar JSON endpoint (the stack's ceiling), the thread's JSON page of the API, and each board
page. For every page it prints the bytes of one response (status line, headers and body, as
sent) and, for the thread page, the first load with its style sheets and script; then each
one's requests per second and its share of the bare endpoint's (the thread page's target: at
least 0.2). Bounded in time, it stops the server itself and removes its database.

    .venv/bin/python benchmarks/board_pages.py [--posts 20000] [--seconds 5] [--connections 32]
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
from pathlib import Path

import httpx
from board import (
    BIG_THREAD_POSTS,
    SEARCH_WORD,
    THREAD_POSTS,
    Figure,
    load,
    server,
    sqlite_database,
    thread_sizes,
)

TARGET_SHARE = 0.2
THREAD_PAGE = "board thread page (25 of 100 posts)"
ADDRESSES = (
    ("bare JSON endpoint", "/bench/hello"),
    ("API: the same 25 posts as JSON", "/api/v1/board/threads/{thread}/posts?limit=25"),
    ("board: categories", "/board"),
    ("board: a category's threads", "/board/categories/1"),
    (THREAD_PAGE, "/board/threads/{thread}"),
    ("board: last page of the long thread", "/board/threads/1?last=true"),
    ("board: search", f"/board/search?q={SEARCH_WORD}"),
)


def wire_bytes(response: httpx.Response) -> int:
    """What the server sent for ``response``: status line, header fields, body as it came
    (gzip-compressed when it is text of 1 KiB or more: httpx asks for gzip)."""
    head = f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in response.headers.items()) + "\r\n"
    return len(head.encode("latin-1")) + response.num_bytes_downloaded


def first_load(client: httpx.Client, url: str) -> int:
    """A page with the style sheets and scripts it links: what a first visit downloads."""
    page = client.get(url)
    total = wire_bytes(page)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    for asset in dict.fromkeys(assets):
        total += wire_bytes(client.get(asset))
    return total


def measure(
    url: str, posts: int, seconds: int, connections: int, log: Path
) -> tuple[dict[str, int], dict[str, Figure], int]:
    sizes: dict[str, int] = {}
    figures: dict[str, Figure] = {}
    with server(url, log) as base, httpx.Client(base_url=base, timeout=30) as client:
        middle_thread = len(thread_sizes(posts)) // 2
        for label, path in ADDRESSES:
            target = path.format(thread=middle_thread)
            response = client.get(target, headers={"Accept-Language": "de"})
            response.raise_for_status()
            sizes[label] = wire_bytes(response)
            load(base + target, 2, connections)  # warm-up
            figures[label] = load(base + target, seconds, connections)
        thread_first_load = first_load(client, f"/board/threads/{middle_thread}?last=true")
    return sizes, figures, thread_first_load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    options = parser.parse_args()
    if options.posts < BIG_THREAD_POSTS + THREAD_POSTS:
        parser.error(f"--posts must be at least {BIG_THREAD_POSTS + THREAD_POSTS}")
    tool = "wrk -t1" if shutil.which("wrk") else "an asyncio client (no wrk found)"
    print(
        f"SQLite, {options.posts:,} posts; {tool}, {options.connections} connections, "
        f"{options.seconds} s per address; one uvicorn worker on 127.0.0.1"
    )
    with (
        tempfile.TemporaryDirectory(prefix="board-pages-bench-") as workdir,
        sqlite_database(options.posts, Path(workdir)) as url,
    ):
        sizes, figures, thread_first_load = measure(
            url, options.posts, options.seconds, options.connections, Path(workdir) / "log"
        )
    bare = figures["bare JSON endpoint"].requests_per_second
    header = f"{'address':<40}{'bytes':>9}{'req/s':>10}{'share':>8}{'p99':>11}"
    print()
    print(header)
    print("-" * len(header))
    for label, _ in ADDRESSES:
        figure = figures[label]
        errors = f" ({figure.errors} errors)" if figure.errors else ""
        print(
            f"{label:<40}{sizes[label]:>9,}{figure.requests_per_second:>10,.0f}"
            f"{figure.requests_per_second / bare:>8.2f}{figure.p99_ms:>8.1f} ms{errors}"
        )
    share = figures[THREAD_PAGE].requests_per_second / bare
    print()
    print(
        f"thread page, first load with style sheets and script: {thread_first_load:,} bytes "
        f"(budget 60,000: {'met' if thread_first_load < 60_000 else 'MISSED'})"
    )
    print(
        f"thread page = {share:.2f} of the bare endpoint (target >= {TARGET_SHARE}: "
        f"{'met' if share >= TARGET_SHARE else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
