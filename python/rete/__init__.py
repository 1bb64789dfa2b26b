"""Reading rete (and Retis) event files from Python, with Retis's API.

    import rete

    for event in rete.EventReader("rete.data"):
        if event.skb_drop:
            print(event.skb_drop.drop_reason, event.packet.to_scapy().summary())

    f = rete.EventFile("sorted.data")
    if f.sorted():
        for series in f.series():
            print(len(series), series)

Events come from rete's own reader (every layout rete reads, rotated sets,
sorted files) through its C extension, rete._rete: a section's fields are the
JSON fields rete writes, so a field added to a section in rete shows here
with no change to this file.
"""

import base64 as _base64
import json as _json
import os as _os

from rete import _rete

__all__ = [
    "Event",
    "EventFile",
    "EventReader",
    "EventSeries",
    "ReadError",
    "Section",
    "SeriesReader",
]

ReadError = _rete.ReadError


# ---- what the schema says a section has ----------------------------------------------------

_schema = None


def _defs():
    global _schema
    if _schema is None:
        _schema = _json.loads(_rete.schema())
    return _schema


_memo = {}


def _memoized(kind, fn):
    """Schemas are immutable once loaded: resolve each node once (keyed by
    identity; the node is kept so its id is never reused)."""
    def wrapper(node):
        key = (kind, id(node))
        hit = _memo.get(key)
        if hit is None:
            hit = _memo[key] = (node, fn(node))
        return hit[1]
    wrapper.__doc__ = fn.__doc__
    return wrapper


def _resolve(sub):
    """The object schema a property refers to, or None (a scalar, an array, anything).

    A property that may be one of several objects (oneOf/anyOf) resolves to one
    schema holding the fields of every alternative, so each of them reads as
    None when the event holds another.
    """
    if not isinstance(sub, dict):
        return None
    if "$ref" in sub:
        return _defs().get("$defs", {}).get(sub["$ref"].rsplit("/", 1)[-1])
    alts = [r for r in (_resolve(a) for a in sub.get("anyOf", []) + sub.get("oneOf", []))
            if r is not None]
    if sub.get("type") == "object" or "properties" in sub:
        alts.insert(0, sub)
    if not alts:
        return None
    if len(alts) == 1:
        return alts[0]
    return {"type": "object", "allOf": alts}


def _props(schema):
    """Property name -> sub-schema of an object schema, flattened parts included."""
    if schema is None:
        return None
    props = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []) + schema.get("anyOf", []) + schema.get("oneOf", []):
        r = _resolve(part)
        for key, sub in (_props(r) or {}).items():
            old = props.get(key)
            # the same field in two alternatives: it may be either
            props[key] = sub if old is None or old is sub else {"anyOf": [old, sub]}
    return props


_resolve = _memoized("resolve", _resolve)
_props = _memoized("props", _props)


def _section_schema(name):
    return _resolve(_defs().get("properties", {}).get(name))


# ---- sections -----------------------------------------------------------------------------


class Section:
    """A section of an event (or an object inside one): its fields are attributes.

    A field the section can have but this event lacks is None; a name the
    section cannot have raises AttributeError. `to_dict()` gives the data.
    """

    __slots__ = ("_name", "_data", "_schema")

    def __init__(self, name, data, schema=None):
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_schema", schema)

    def _wrap(self, key, value):
        sub = None
        props = _props(self._schema)
        if props is not None:
            sub = _resolve(props.get(key))
        if isinstance(value, dict):
            return Section("%s.%s" % (self._name, key), value, sub)
        if isinstance(value, list):
            return [Section("%s.%s" % (self._name, key), v, sub) if isinstance(v, dict) else v
                    for v in value]
        return value

    def __getattr__(self, key):
        if key.startswith("__"):
            raise AttributeError(key)
        data = self._data
        if key in data:
            return self._wrap(key, data[key])
        props = _props(self._schema)
        if props is None or key in props:
            return None
        raise AttributeError("%s has no field '%s' (it has: %s)"
                             % (self._name, key, ", ".join(sorted(props)) or "none"))

    def __getitem__(self, key):
        if key not in self._data:
            raise KeyError(key)
        return self._wrap(key, self._data[key])

    def __contains__(self, key):
        return key in self._data

    def __iter__(self):
        return iter(self._data)

    def __setattr__(self, key, value):
        raise AttributeError("events are read-only")

    def __eq__(self, other):
        if isinstance(other, Section):
            return self._data == other._data
        if isinstance(other, dict):
            return self._data == other
        return NotImplemented

    def __hash__(self):
        return hash(_json.dumps(self._data, sort_keys=True))

    def __dir__(self):
        return sorted(set(self._data) | set(_props(self._schema) or ()) | {"to_dict"})

    def to_dict(self):
        return _json.loads(_json.dumps(self._data))

    def __repr__(self):
        return repr(self._data)


class PacketSection(Section):
    """The packet: `data` is the bytes (from the Ethernet header), `to_scapy()` parses them."""

    __slots__ = ()

    def __getattr__(self, key):
        if key == "data":
            raw = self._data.get("data")
            return _base64.b64decode(raw) if raw is not None else None
        return Section.__getattr__(self, key)

    def to_scapy(self):
        try:
            import scapy.all  # noqa: F401  every layer, so Ether's payload decodes
            from scapy.layers.l2 import Ether
        except ImportError as e:
            raise ImportError("to_scapy() needs Scapy (Debian: apt install python3-scapy)") from e
        return Ether(self.data)


class SkbTrackingSection(Section):
    """skb-tracking: the tracking id of the packet, and comparisons."""

    __slots__ = ()

    def tracking_id(self):
        """(timestamp << 64) | orig_head: one id per packet, clones included."""
        return (int(self._data["timestamp"]) << 64) | int(self._data["orig_head"])

    def match(self, other):
        """Same packet (clones included)?"""
        return self.tracking_id() == other.tracking_id()

    def strict_match(self, other):
        """Same packet and same sk_buff?"""
        return self.match(other) and self._data.get("skb") == other._data.get("skb")


_SECTION_CLASSES = {"packet": PacketSection, "skb-tracking": SkbTrackingSection}


# ---- events -------------------------------------------------------------------------------


class Event:
    """One event: its sections are attributes (`e.skb`, `e.skb_tracking`), None when absent.

    `e["skb-tracking"]` raises KeyError when absent; `"ct" in e`; `e.sections()`;
    `e.to_dict()`; `e.raw()` (the event as rete writes it, one JSON line);
    `str(e)` is the text `rete print` shows, `repr(e)` the data.
    """

    __slots__ = ("_raw", "_cache", "_names")

    def __init__(self, raw):
        object.__setattr__(self, "_raw", raw)
        object.__setattr__(self, "_cache", {})
        object.__setattr__(self, "_names", None)

    @staticmethod
    def _key(name):
        return name.replace("_", "-")

    def _json_name(self, name):
        names = self.sections_json()
        if name in names:
            return name
        kebab = self._key(name)
        return kebab if kebab in names else None

    def _section(self, name):
        key = self._json_name(name)
        if key is None:
            return None
        cache = self._cache
        if key not in cache:
            data = self._raw._section(key)
            cls = _SECTION_CLASSES.get(key, Section)
            cache[key] = cls(key, data, _section_schema(key)) if isinstance(data, dict) else data
        return cache[key]

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._section(name)

    def __getitem__(self, name):
        s = self._section(name)
        if s is None:
            raise KeyError(name)
        return s

    def __contains__(self, name):
        return self._json_name(name) is not None

    def __setattr__(self, key, value):
        raise AttributeError("events are read-only")

    def sections_json(self):
        """Section names as in the file ("skb-tracking")."""
        if self._names is None:
            object.__setattr__(self, "_names", tuple(self._raw._names()))
        return self._names

    def sections(self):
        """Section names as attributes ("skb_tracking")."""
        return [n.replace("-", "_") for n in self.sections_json()]

    def to_dict(self):
        return self._raw._dict()

    def raw(self):
        """The event as one JSON line, in rete's layout."""
        return self._raw._json()

    def format(self, single_line=False, link_layer=False):
        """The text of `rete print` (--format single-line, -e)."""
        return self._raw._text(single_line=single_line, link_layer=link_layer)

    def origin(self):
        """(file, line) the event was read from."""
        return self._raw._origin()

    def __str__(self):
        return self._raw._text()

    def __repr__(self):
        return repr(self.to_dict())

    def __dir__(self):
        return sorted(set(self.sections()) | {"sections", "to_dict", "raw", "format", "origin"})


class EventSeries:
    """The events of one packet, as `rete sort` groups them: iterable, with len()."""

    def __init__(self, events):
        self._events = list(events)

    def __iter__(self):
        return iter(self._events)

    def __len__(self):
        return len(self._events)

    def __getitem__(self, i):
        return self._events[i]

    def __repr__(self):
        ts = self._events[0].common.timestamp if self._events and self._events[0].common else None
        return "EventSeries(ts = %s, n_events = %d)" % (ts, len(self._events))


def _spec(path):
    """A path, or the base name of a rotated set (FILE.0, FILE.1, ... read as one)."""
    path = _os.fspath(path)
    if not _os.path.exists(path) and _os.path.exists(path + ".0"):
        return path + ".0.."
    return path


class EventReader:
    """The events of an unsorted event file (or of a rotated set, by its base name)."""

    def __init__(self, path):
        self._r = _rete.Reader(_spec(path))
        if self._r.sorted():
            raise ValueError("%s is a sorted file (rete sort): read it with SeriesReader"
                             % _os.fspath(path))

    def __iter__(self):
        return self

    def __next__(self):
        return Event(next(self._r))


class SeriesReader:
    """The series of a sorted file (`rete sort -o`), each an EventSeries."""

    def __init__(self, path):
        self._r = _rete.Reader(_spec(path))
        if not self._r.sorted():
            raise ValueError("%s is not a sorted file: read it with EventReader, or sort it "
                             "first (rete sort -o FILE)" % _os.fspath(path))
        self._next = None

    def __iter__(self):
        return self

    def __next__(self):
        events = []
        while True:
            raw = self._next
            self._next = None
            if raw is None:
                try:
                    raw = next(self._r)
                except StopIteration:
                    if events:
                        return EventSeries(events)
                    raise
            pos = raw._series_pos()
            if events and (pos is None or pos[0] == 0):
                self._next = raw
                return EventSeries(events)
            if pos is None and not events:
                # The startup event of a sorted file stands alone.
                return EventSeries([Event(raw)])
            events.append(Event(raw))
            if pos is not None and pos[0] + 1 == pos[1]:
                return EventSeries(events)


class EventFile:
    """An event file (or rotated set): `sorted()`, then `events()` or `series()`."""

    def __init__(self, path):
        self._path = path
        self._sorted = _rete.Reader(_spec(path)).sorted()

    def sorted(self):
        return self._sorted

    def events(self):
        return EventReader(self._path)

    def series(self):
        return SeriesReader(self._path)

    def __repr__(self):
        return "EventFile(%r)" % (_os.fspath(self._path),)
