#!/usr/bin/env python3
"""Names the failing tests of the tiers' JUnit reports, each with a short
reason, so that the end of a long run (often all a CI log keeps) says what
failed and why, not only how many.

    failures.py REPORT.xml ...
"""
import re
import sys
import xml.etree.ElementTree as ET

ANSI = re.compile(r'\x1b\[[0-9;]*[A-Za-z]')
SOURCE = re.compile(r'^(>?\s*\d+ \||\|\s|at )')   # quoted source lines and stack frames
REASON_MAX = 300


def lines_of(text):
    return [l.strip() for l in ANSI.sub('', text or '').splitlines() if l.strip()]


def reason(case, bad_child):
    """The error and what was expected of the failure text (Playwright puts
    them first), else the last lines the test printed (ctest's output)."""
    text = lines_of(bad_child.text if bad_child is not None else '')
    picked = []
    for i, line in enumerate(text):
        if re.match(r'(Error|TimeoutError|Test timeout|expect\()', line) or 'Error:' in line:
            rest = [l for l in text[i + 1:] if not SOURCE.match(l)]
            # A deep-equality failure: the lines that differ, not the header.
            diff = [l for l in rest if l[:1] in '-+' and not re.match(r'[-+] (Expected|Received)', l)]
            picked = [line] + (diff[:6] if diff else rest[:3])
            break
    if not picked:
        out = lines_of(''.join(c.text or '' for c in case if c.tag in ('system-out', 'system-err')))
        picked = out[-3:]
    if not picked and bad_child is not None:
        picked = [bad_child.get('message', '')]
    if not picked and case.get('status') == 'notrun' or (bad_child is not None and bad_child.tag == 'skipped'):
        picked = ['did not run (skipped, or a project it depends on failed)']
    why = ' / '.join(picked)
    return why if len(why) <= REASON_MAX else why[:REASON_MAX] + '...'


def failing(path):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        yield f"(report unreadable: {e})", ''
        return
    for case in root.iter('testcase'):
        status = case.get('status', '')
        bad_child = next((c for c in case if c.tag in ('failure', 'error', 'skipped')), None)
        if status in ('fail', 'failed', 'notrun', 'disabled') or bad_child is not None:
            name = case.get('name', '?')
            klass = case.get('classname', '')
            yield (name if not klass or klass == name else f"{klass} › {name}"), reason(case, bad_child)


def main(paths):
    for path in paths:
        tier = path.rsplit('/', 1)[-1].removesuffix('.xml')
        for name, why in failing(path):
            print(f"FAILED [{tier}] {name}")
            if why:
                print(f"    why: {why}")


if __name__ == '__main__':
    main(sys.argv[1:])
