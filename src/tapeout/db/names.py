"""Name <-> index tables: one per entity (instances, nets, ports, masters, pin names)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


class NameTable:
    """An ordered list of unique names with O(1) lookup of a name's index."""

    __slots__ = ("_index", "names")

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names: list[str] = list(names)
        self._index: dict[str, int] = {name: i for i, name in enumerate(self.names)}
        if len(self._index) != len(self.names):
            seen: set[str] = set()
            dup = next(n for n in self.names if n in seen or seen.add(n))  # type: ignore[func-returns-value]
            raise ValueError(f"duplicate name {dup!r}")

    def add(self, name: str) -> int:
        """Index of ``name``, appending it first if it is new."""
        index = self._index.get(name)
        if index is None:
            index = len(self.names)
            self.names.append(name)
            self._index[name] = index
        return index

    def index(self, name: str) -> int:
        """Index of ``name``; KeyError if absent."""
        return self._index[name]

    def get(self, name: str, default: int = -1) -> int:
        """Index of ``name`` or ``default``."""
        return self._index.get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __getitem__(self, index: int) -> str:
        return self.names[index]

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NameTable) and self.names == other.names

    def __hash__(self) -> int:  # mutable: identity hash like list would refuse; keep usable in sets
        return id(self)

    def __repr__(self) -> str:
        head = ", ".join(self.names[:5])
        more = f", … {len(self.names) - 5} more" if len(self.names) > 5 else ""
        return f"NameTable([{head}{more}])"
