"""Placement: global (electrostatic, Nesterov), legalization into rows and detailed placement.

``place_problem(problem, options, log=)`` runs all three on a ``PlacementProblem`` (flat arrays);
``problem_from_bookshelf`` builds one from a Bookshelf design.
"""

from tapeout.place.detailed import DetailedResult, detailed_place
from tapeout.place.global_place import GlobalPlaceResult, global_place
from tapeout.place.legalize import LegalizeResult, legalize
from tapeout.place.options import PlaceOptions
from tapeout.place.pipeline import PlaceReport, place_problem
from tapeout.place.problem import PlacementProblem, problem_from_bookshelf

__all__ = [
    "DetailedResult",
    "GlobalPlaceResult",
    "LegalizeResult",
    "PlaceOptions",
    "PlaceReport",
    "PlacementProblem",
    "detailed_place",
    "global_place",
    "legalize",
    "place_problem",
    "problem_from_bookshelf",
]
