"""``/regions`` and ``/countries``: the M49 reference data in the reader's language."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.datastructures import CacheControlHeader
from litestar.params import Parameter

from mupass_forum.participants import services
from mupass_forum.participants.schemas import CountryList, RegionList

# The lists change only with a release; a day keeps them fresh enough after an upgrade.
REFERENCE_CACHE = CacheControlHeader(public=True, max_age=86_400)


class RegionController(Controller):
    tags = ["regions"]

    @get(
        "/regions",
        operation_id="list_regions",
        summary="Regions",
        cache_control=REFERENCE_CACHE,
    )
    async def list_regions(self) -> RegionList:
        """The UN M49 regions, sub-regions and intermediate regions, named in your language."""
        return RegionList(items=services.region_tree())

    @get(
        "/countries",
        operation_id="list_countries",
        summary="Countries",
        cache_control=REFERENCE_CACHE,
    )
    async def list_countries(
        self,
        region: Annotated[
            str | None,
            Parameter(
                description="Only countries in this M49 area, at any level (e.g. 202, 011, 150)."
            ),
        ] = None,
        q: Annotated[
            str | None,
            Parameter(
                description="Only countries whose name or a word of it starts with this text "
                "(accents and case ignored), or whose code it is.",
                max_length=100,
            ),
        ] = None,
    ) -> CountryList:
        """Every country with its M49 regions, named and sorted for readers of your language."""
        return CountryList(items=services.country_list(region=region, query=q))
