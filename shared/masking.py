"""How personal values are shown to people who may see that they exist but not what they are
(PIPL): one rule per kind of value, used by every service that shows one."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """'王秀英' -> '王*英', '李明' -> '李*', 'Ann' -> 'A*n': enough for a neighbour to recognise
    on a notice or a receipt, too little to identify a stranger."""
    name = name.strip()
    if len(name) <= 1:
        return name or "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
