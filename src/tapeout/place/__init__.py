"""Placement: global (electrostatic, Nesterov), legalization into rows and detailed placement."""

from tapeout.place.global_place import GlobalPlaceResult, global_place
from tapeout.place.options import PlaceOptions
from tapeout.place.problem import PlacementProblem, problem_from_bookshelf

__all__ = [
    "GlobalPlaceResult",
    "PlaceOptions",
    "PlacementProblem",
    "global_place",
    "problem_from_bookshelf",
]
