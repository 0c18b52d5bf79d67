"""Technology helpers: layer lookup, routing layers, unit conversion."""

from __future__ import annotations

import numpy as np
import pytest

from tapeout.db.tech import CutEnclosure, Layer, LayerType, Technology


def make_tech() -> Technology:
    tech = Technology(dbu_per_micron=2000)
    for name, kind in [
        ("poly", LayerType.MASTERSLICE),
        ("m1", LayerType.ROUTING),
        ("v1", LayerType.CUT),
        ("m2", LayerType.ROUTING),
    ]:
        tech.add_layer(Layer(name=name, type=kind))
    return tech


def test_layer_lookup_by_name() -> None:
    tech = make_tech()
    assert tech.layer_index("m2") == 3
    assert tech.layer("v1").type is LayerType.CUT
    assert tech.has_layer("m1") and not tech.has_layer("m9")
    with pytest.raises(KeyError):
        tech.layer_index("m9")


def test_routing_layers_in_lef_order() -> None:
    tech = make_tech()
    assert [layer.name for layer in tech.routing_layers()] == ["m1", "m2"]
    indices = tech.routing_layer_indices()
    assert indices.dtype == np.int64 and indices.tolist() == [1, 3]


def test_add_layer_replaces_same_name_and_index_survives_direct_append() -> None:
    tech = make_tech()
    assert tech.add_layer(Layer(name="m1", type=LayerType.ROUTING, width=140)) == 1
    assert len(tech.layers) == 4 and tech.layer("m1").width == 140
    tech.layers.append(Layer(name="m3", type=LayerType.ROUTING))
    assert tech.layer_index("m3") == 4


def test_unit_conversions_round_to_nearest_dbu() -> None:
    tech = make_tech()
    assert tech.dbu(0.0705) == 141
    assert tech.dbu(-0.035) == -70
    assert tech.um(141) == pytest.approx(0.0705)
    converted = tech.dbu(np.array([0.1, 0.2, 1.4]))
    assert isinstance(converted, np.ndarray) and converted.dtype == np.int64
    assert converted.tolist() == [200, 400, 2800]
    assert np.allclose(tech.um(np.array([200, 2800])), [0.1, 1.4])


def test_enclosure_lookup_prefers_side_and_skips_preferred() -> None:
    layer = Layer(name="v1", type=LayerType.CUT)
    layer.enclosures = [
        CutEnclosure("BOTH", 70, 70, preferred=True),
        CutEnclosure("BELOW", 0, 70),
        CutEnclosure("BOTH", 10, 60),
    ]
    assert layer.enclosure("BELOW") == (0, 70)
    assert layer.enclosure("ABOVE") == (10, 60)
