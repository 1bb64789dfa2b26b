#!/usr/bin/python3
"""schema_check.py SCHEMA FILE... - validate every event of rete event files against a JSON Schema.

Lines of plain event files are events; lines of sorted files (`rete sort -o`) are arrays of
events, each validated. Prints "N events valid" or the first errors (file:line: path: message)
and exits 1 when an event does not validate or a line is not JSON.
"""
import json
import sys

from jsonschema import Draft202012Validator


def main():
    with open(sys.argv[1]) as f:
        validator = Draft202012Validator(json.load(f))
    n, bad = 0, []
    for path in sys.argv[2:]:
        with open(path) as f:
            for lineno, line in enumerate(f, 1):
                try:
                    value = json.loads(line)
                except ValueError as e:
                    bad.append("%s:%d: not JSON: %s" % (path, lineno, e))
                    continue
                for ev in value if isinstance(value, list) else [value]:
                    n += 1
                    for err in validator.iter_errors(ev):
                        where = "/".join(str(p) for p in err.absolute_path) or "(event)"
                        bad.append("%s:%d: %s: %s" % (path, lineno, where, err.message[:200]))
    if bad:
        print("%d of %d events invalid; first: %s" % (len(bad), n, " | ".join(bad[:3])))
        sys.exit(1)
    print("%d events valid" % n)


if __name__ == "__main__":
    main()
