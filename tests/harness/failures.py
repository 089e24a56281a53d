#!/usr/bin/env python3
"""Names the failing tests of the tiers' JUnit reports, so that the end of a
long run (often all a CI log keeps) says what failed, not only how many.

    failures.py REPORT.xml ...
"""
import sys
import xml.etree.ElementTree as ET


def failing(path):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        yield f"(report unreadable: {e})"
        return
    for case in root.iter('testcase'):
        status = case.get('status', '')
        bad = status in ('fail', 'failed', 'notrun', 'disabled') or any(
            child.tag in ('failure', 'error', 'skipped') for child in case)
        if bad:
            name = case.get('name', '?')
            klass = case.get('classname', '')
            yield name if not klass or klass == name else f"{klass} › {name}"


def main(paths):
    for path in paths:
        tier = path.rsplit('/', 1)[-1].removesuffix('.xml')
        for name in failing(path):
            print(f"FAILED [{tier}] {name}")


if __name__ == '__main__':
    main(sys.argv[1:])
