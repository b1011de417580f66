"""Where an order's clocks come from: the default, the catalogue's category, then the street,
community and grid the order lies in, the nearest place's figure winning. Pure rules, no I/O."""

from __future__ import annotations

from dataclasses import replace

from services.dispatch.catalogue.domain import DEFAULT_SLA, Category, Stage, Urgency
from shared.labels import LabeledEnum


class SlaSource(LabeledEnum):
    default = "default", "系统默认"
    catalogue = "catalogue", "服务目录"
    street = "street", "街道"
    community = "community", "社区"
    grid = "grid", "网格"


# Nearest last: a grid's figure overrides its community's, which overrides its street's.
PLACE_ORDER = (SlaSource.street, SlaSource.community, SlaSource.grid)

Sheet = dict[str, dict[str, int]]


def resolve(
    category: Category, overrides: dict[SlaSource, Sheet]
) -> dict[tuple[Urgency, Stage], tuple[int, SlaSource]]:
    """Every (urgency, stage) clock with the source it comes from."""
    out: dict[tuple[Urgency, Stage], tuple[int, SlaSource]] = {}
    for urgency in Urgency:
        for stage in Stage:
            seconds, source = DEFAULT_SLA[urgency][stage], SlaSource.default
            own = category.sla.get(urgency.value, {}).get(stage.value)
            if own is not None:
                seconds, source = own, SlaSource.catalogue
            for level in PLACE_ORDER:
                figure = overrides.get(level, {}).get(urgency.value, {}).get(stage.value)
                if figure is not None:
                    seconds, source = figure, level
            out[(urgency, stage)] = (seconds, source)
    return out


def merged(category: Category, overrides: dict[SlaSource, Sheet]) -> Category:
    """The category as an order at the place runs against it: its SLA with the places' figures in."""
    sla: Sheet = {}
    for (urgency, stage), (seconds, source) in resolve(category, overrides).items():
        if source is not SlaSource.default:
            sla.setdefault(urgency.value, {})[stage.value] = seconds
    return replace(category, sla=sla)
