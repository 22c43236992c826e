#!/usr/bin/env python3
"""Where the last `bash tests/run.sh` spent its time (`bash tests/run.sh --timings` prints this).

Reads TestResults/: every *.trx (per-test durations, as the test runner measured them), timings.tsv (each set-up step,
the build and each test pass, written by tests/run.sh) and fixtures.tsv (class and collection fixtures and the shared
artifacts tests build once per run, written by the tests themselves: TRX durations leave them out). Prints the
phases, the fixtures, and the 30 slowest test cases with their pass (a test run twice, once per instruction-set path,
appears twice). Standard library only, so it runs wherever the tests do.
"""
import collections
import os
import sys
import xml.etree.ElementTree as ElementTree

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def seconds(duration):
    # TRX durations are hh:mm:ss.fffffff
    hours, minutes, rest = duration.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def read_tsv(path):
    rows = []
    if not os.path.isfile(path):
        return rows
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3:
                try:
                    rows.append((parts[0], parts[1], float(parts[2])))
                except ValueError:
                    pass
    return rows


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "TestResults")
    results = os.path.normpath(results)
    if not os.path.isdir(results):
        print(f"no test results in {results}: run bash tests/run.sh first")
        return 2

    phases = read_tsv(os.path.join(results, "timings.tsv"))
    if phases:
        print("== phases (tests/run.sh)")
        for kind, name, value in phases:
            print(f"  {value:8.1f} s  {kind:7} {name}")

    fixtures = read_tsv(os.path.join(results, "fixtures.tsv"))
    if fixtures:
        print("== fixtures and shared artifacts (built once per test process; not in the per-test durations)")
        for kind, name, value in sorted(fixtures, key=lambda r: -r[2]):
            print(f"  {value:8.1f} s  {name} ({kind})")
        print(f"  {sum(r[2] for r in fixtures):8.1f} s  in all")

    cases = []
    per_file = collections.OrderedDict()
    for name in sorted(os.listdir(results)):
        if not name.endswith(".trx"):
            continue
        path = os.path.join(results, name)
        try:
            root = ElementTree.parse(path).getroot()
        except ElementTree.ParseError as error:
            print(f"  {name}: unreadable ({error})")
            continue
        label = name[:-4]
        unit = root.find(f"{NS}TestDefinitions/{NS}UnitTest")
        if unit is not None and unit.get("storage"):
            assembly = os.path.basename(unit.get("storage"))
            if assembly.endswith(".dll"):
                assembly = assembly[:-4]
            label = ("avx2 " if name.startswith("avx2") else "") + assembly
        total = 0.0
        for result in root.iter(NS + "UnitTestResult"):
            duration = result.get("duration")
            if duration is None:
                continue
            value = seconds(duration)
            total += value
            cases.append((value, result.get("testName", "?"), result.get("outcome", "?"), label))
        times = root.find(NS + "Times")
        wall = ""
        if times is not None and times.get("start") and times.get("finish"):
            from datetime import datetime
            try:
                start = datetime.fromisoformat(times.get("start"))
                finish = datetime.fromisoformat(times.get("finish"))
                wall = f", {(finish - start).total_seconds():.0f} s wall"
            except ValueError:
                pass
        per_file[label] = (total, wall)

    if per_file:
        print("== test runs (sum of per-test durations; tests run two at a time, so the sum exceeds the wall time)")
        for label, (total, wall) in per_file.items():
            print(f"  {total:8.1f} s  {label}{wall}")

    print(f"== the 30 slowest of {len(cases)} test cases")
    for value, name, outcome, label in sorted(cases, key=lambda c: -c[0])[:30]:
        mark = "" if outcome == "Passed" else f" [{outcome}]"
        print(f"  {value:8.1f} s  {name}{mark}  ({label})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
