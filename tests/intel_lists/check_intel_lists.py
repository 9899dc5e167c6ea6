#!/usr/bin/env python3
"""Checks every list file in rules/intel (and, with --dir, any directory of
lists such as scripts/update-intel's output) against the plain-text list
format of rules/intel/README.md, independently of picket's own loader:

- header lines `#! name:`, `#! category:`, `#! source:` before the first
  entry, each once, the category one picket knows;
- entries well-formed: an IPv4/IPv6 address, a CIDR with no host bits set,
  or a domain name (LDH labels of 1-63 characters, at most 253 in all, at
  least two labels, lowercase, no trailing dot); no duplicates;
- every entry has a source: a `# source:` comment line earlier in its block
  (blocks are separated by blank lines);
- canary files hold exactly `<category>.canary.picket.invalid`.

usage: check_intel_lists.py [--dir DIR] [--no-block-sources] [--self-test]
Prints one line per problem and 'N passed, M failed' (one check per file)."""
import argparse
import ipaddress
import os
import re
import sys
import tempfile

CATEGORIES = {"c2", "mining", "blackhole", "sinkhole", "droppoint", "phishing", "driveby", "dga", "tor",
              "scanner", "custom"}
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def entry_problem(entry):
    """None when `entry` is a valid IP, CIDR or domain; otherwise what is wrong."""
    if "/" in entry:
        try:
            ipaddress.ip_network(entry, strict=True)
            return None
        except ValueError as e:
            return f"bad CIDR: {e}"
    try:
        ipaddress.ip_address(entry)
        return None
    except ValueError:
        pass
    if re.fullmatch(r"[0-9.]+", entry):
        return "neither an IPv4 address nor a domain"
    if entry != entry.lower():
        return "domain not in lowercase"
    if entry.endswith("."):
        return "domain with a trailing dot"
    if len(entry) > 253:
        return "domain longer than 253 characters"
    labels = entry.split(".")
    if len(labels) < 2:
        return "domain with a single label"
    for label in labels:
        if not LABEL.match(label):
            return f"bad domain label '{label}'"
    if labels[-1].isdigit():
        return "numeric top-level label"
    return None


def check_file(path, block_sources=True):
    """Problems of one list file, as 'FILE:LINE: message' strings."""
    problems = []
    headers = {}
    seen = {}
    block_has_source = False
    entries = 0
    name = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        where = f"{name}:{n}"
        if raw != raw.rstrip():
            problems.append(f"{where}: trailing whitespace")
        if not line:
            block_has_source = False
            continue
        if line.startswith("#!"):
            m = re.fullmatch(r"#!\s*([a-z]+):\s*(.+)", line)
            if not m:
                problems.append(f"{where}: malformed header line")
                continue
            key, value = m.group(1), m.group(2).strip()
            if entries:
                problems.append(f"{where}: header '{key}' after the first entry")
            if key in headers:
                problems.append(f"{where}: header '{key}' given twice")
            headers[key] = value
            continue
        if line.startswith("#"):
            if re.match(r"#\s*source:\s*\S", line):
                block_has_source = True
            continue
        entries += 1
        if "#" in line or " " in line or "\t" in line:
            problems.append(f"{where}: '{line}': one entry per line, comments on lines of their own")
            continue
        why = entry_problem(line)
        if why:
            problems.append(f"{where}: '{line}': {why}")
        if line in seen:
            problems.append(f"{where}: '{line}' repeats line {seen[line]}")
        seen.setdefault(line, n)
        if block_sources and not block_has_source:
            problems.append(f"{where}: '{line}' has no '# source:' comment in its block")
    for key in ("name", "category", "source"):
        if key not in headers:
            problems.append(f"{name}: missing header '#! {key}:'")
    category = headers.get("category")
    if category is not None and category not in CATEGORIES:
        problems.append(f"{name}: unknown category '{category}' (known: {', '.join(sorted(CATEGORIES))})")
    if entries == 0:
        problems.append(f"{name}: no entries")
    if name.startswith("canary-") and category:
        want = f"{category}.canary.picket.invalid"
        if list(seen) != [want] or name != f"canary-{category}.txt":
            problems.append(f"{name}: a canary file holds exactly {want} and is named canary-{category}.txt")
    return problems


def check_dir(d, block_sources=True):
    files = sorted(f for f in os.listdir(d) if f.endswith(".txt"))
    passed = failed = 0
    for f in files:
        problems = check_file(os.path.join(d, f), block_sources)
        for p in problems:
            print(f"FAIL {p}")
        if problems:
            failed += 1
        else:
            passed += 1
            print(f"ok   {f}")
    return passed, failed


def self_test():
    """The checker itself must reject what it is meant to reject."""
    bad = {
        "no-headers.txt": "# source: x\n1.2.3.4\n",
        "bad-cidr.txt": "#! name: a\n#! category: c2\n#! source: s\n# source: x\n10.0.0.1/8\n",
        "bad-domain.txt": "#! name: a\n#! category: c2\n#! source: s\n# source: x\nexa_mple.com\n",
        "upper.txt": "#! name: a\n#! category: c2\n#! source: s\n# source: x\nExample.com\n",
        "unsourced.txt": "#! name: a\n#! category: c2\n#! source: s\n# source: x\na.example\n\nb.example\n",
        "dup.txt": "#! name: a\n#! category: c2\n#! source: s\n# source: x\na.example\na.example\n",
        "category.txt": "#! name: a\n#! category: evil\n#! source: s\n# source: x\na.example\n",
        "canary-c2.txt": "#! name: a\n#! category: c2\n#! source: s\n# source: x\nmining.canary.picket.invalid\n",
        "inline.txt": "#! name: a\n#! category: c2\n#! source: s\n# source: x\na.example # note\n",
        "late-header.txt": "#! name: a\n#! category: c2\n# source: x\na.example\n#! source: s\n",
        "badip.txt": "#! name: a\n#! category: c2\n#! source: s\n# source: x\n300.1.2.3\n",
    }
    good = "#! name: a\n#! category: tor\n#! source: s\n\n# source: x\n192.0.2.1\n2001:db8::/32\na.example\n"
    ok = True
    with tempfile.TemporaryDirectory() as d:
        for name, text in bad.items():
            p = os.path.join(d, name)
            with open(p, "w") as f:
                f.write(text)
            if not check_file(p):
                print(f"FAIL self-test: {name} was accepted")
                ok = False
        p = os.path.join(d, "good.txt")
        with open(p, "w") as f:
            f.write(good)
        if check_file(p):
            print(f"FAIL self-test: a good file was rejected: {check_file(p)}")
            ok = False
    print(("ok   " if ok else "FAIL ") + f"self-test: {len(bad)} broken files rejected, a good one accepted")
    return ok


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--dir", default=os.path.join(here, "..", "..", "rules", "intel"))
    ap.add_argument("--no-block-sources", action="store_true", help="feeds: the header names the source")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    passed = failed = 0
    if a.self_test:
        if self_test():
            passed += 1
        else:
            failed += 1
    p, f = check_dir(a.dir, not a.no_block_sources)
    passed += p
    failed += f
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
