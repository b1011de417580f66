"""Disclosure (公示) snapshots: canonical content, the hash chain and its verification.

Each published snapshot stores its content and `content_hash = sha256(prev_hash + "\\n" +
canonical JSON)`, where prev_hash is the previous snapshot's hash (64 zeros for the first),
so rewriting any snapshot breaks every hash after it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(content: dict[str, Any]) -> str:
    """The one serialisation hashed: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """The hash of a snapshot given the previous one's."""
    return hashlib.sha256(f"{prev_hash}\n{canonical(content)}".encode()).hexdigest()


@dataclass(frozen=True)
class Link:
    """What verification found about one stored snapshot."""

    seq: int
    period_label: str
    hash_ok: bool
    link_ok: bool


def verify_chain(snapshots: list[tuple[int, str, dict[str, Any], str, str]]) -> list[Link]:
    """(seq, period, content, prev_hash, content_hash) in seq order -> a Link for each: its own
    hash recomputes, and it points at the hash before it (and seqs run 1, 2, 3 …)."""
    links: list[Link] = []
    expected_prev = GENESIS
    for position, (seq, period, content, prev_hash, content_hash) in enumerate(snapshots, start=1):
        links.append(
            Link(
                seq=seq,
                period_label=period,
                hash_ok=chain_hash(prev_hash, content) == content_hash,
                link_ok=prev_hash == expected_prev and seq == position,
            )
        )
        expected_prev = content_hash
    return links
